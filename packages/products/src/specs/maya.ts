import {
  nonEmptyString,
  OUTPUT_FILE_FIELDS,
  OUTPUT_SIZE_DEFAULTS,
  OUTPUT_SIZE_FIELDS,
  outputFileDefaults,
} from './fields.js';
import type { ProductSpec } from './types.js';

/** Maya's image format keys (`imfPluginKey`) of still images, as its own renderers and `Render -of` name them. */
const MAYA_IMAGE_KEYS = new Set(
  'als bmp cin dds eps exr gif hdr iff jpeg jpg pic png psd rla sgi si tga tif tiff xpm yuv'.split(' '),
);

/** Maya's own renderers, which write the format of `defaultRenderGlobals`. */
const MAYA_RENDERERS = new Set(['mayaSoftware', 'mayaHardware', 'mayaHardware2']);

/**
 * Maya: `.ma` and `.mb` scenes, output size and file options, an optional camera and renderer. (The Envoy
 * documentation's product table writes Maya's code as `hou` and calls Maya "V-Ray" in one row; both are typos
 * there.)
 */
export const mayaSpec = {
  code: 'maya',
  catalogue: {
    name: 'Maya',
    plugins: { mtoa: 'Arnold', maya_redshift: 'Redshift', maya_prman: 'Renderman', maya_vray: 'V-Ray' },
    operations: ['render'],
    defaultOperation: 'render',
    extensions: ['.ma', '.mb'],
  },
  fields: {
    ...OUTPUT_SIZE_FIELDS,
    ...OUTPUT_FILE_FIELDS,
    camera: {
      required: false,
      check: nonEmptyString,
      hint: 'the camera, e.g. "persp"',
      description: 'Maya: camera to render.',
    },
    renderer: {
      required: false,
      check: nonEmptyString,
      hint: 'the renderer, e.g. "arnold"',
      description: 'Maya: renderer.',
    },
  },
  jobFileDefaults: ({ stem }) => ({ ...OUTPUT_SIZE_DEFAULTS, ...outputFileDefaults(stem) }),
  outputFormatFromScene: ({ format, renderer }) => {
    if (renderer !== undefined && !MAYA_RENDERERS.has(renderer))
      return {
        why: `it is the format of Maya's own renderers; ${renderer} writes the format its own settings give`,
      };
    if (!MAYA_IMAGE_KEYS.has(format)) return { why: 'not an image format key of Maya' };
    return renderer === undefined
      ? { format, note: 'rendered by mayaSoftware (the scene names no other)' }
      : { format };
  },
} as const satisfies ProductSpec<'maya'>;
