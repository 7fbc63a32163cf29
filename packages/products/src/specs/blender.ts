import { nonEmptyString, OUTPUT_FILE_FIELDS, outputFileDefaults } from './fields.js';
import type { ProductSpec } from './types.js';

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
} as const satisfies ProductSpec<'blender'>;
