import { nonEmptyString, OUTPUT_FILE_FIELDS, outputFileDefaults } from './fields.js';
import type { ProductSpec } from './types.js';

/** Blender's still image formats (`image_settings.file_format`): the job's `outputFormat` names them alike. */
const BLENDER_IMAGE_FORMATS = new Set([
  'BMP',
  'CINEON',
  'DPX',
  'HDR',
  'IRIS',
  'JPEG',
  'JPEG2000',
  'OPEN_EXR',
  'OPEN_EXR_MULTILAYER',
  'PNG',
  'TARGA',
  'TARGA_RAW',
  'TIFF',
  'WEBP',
]);

/** Blender: `.blend` scenes, output file options and an optional render engine. */
export const blenderSpec = {
  code: 'blender',
  catalogue: {
    name: 'Blender',
    plugins: { blender_vray: 'V-Ray' },
    operations: ['render'],
    defaultOperation: 'render',
    extensions: ['.blend'],
  },
  fields: {
    ...OUTPUT_FILE_FIELDS,
    engine: {
      required: false,
      check: nonEmptyString,
      hint: 'the render engine, e.g. "CYCLES"',
      description: 'Blender: render engine (for example CYCLES, BLENDER_EEVEE).',
    },
  },
  jobFileDefaults: ({ stem }) => outputFileDefaults(stem),
  outputFormatFromScene: ({ format }) => {
    if (BLENDER_IMAGE_FORMATS.has(format)) return { format };
    return ['FFMPEG', 'AVI_JPEG', 'AVI_RAW'].includes(format)
      ? { why: 'a movie file cannot be split over the frames each machine renders' }
      : { why: 'not an image format Blender names' };
  },
} as const satisfies ProductSpec<'blender'>;
