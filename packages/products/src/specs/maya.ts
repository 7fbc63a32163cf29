import {
  nonEmptyString,
  OUTPUT_FILE_FIELDS,
  OUTPUT_SIZE_DEFAULTS,
  OUTPUT_SIZE_FIELDS,
  outputFileDefaults,
} from './fields.js';
import type { ProductSpec } from './types.js';

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
} as const satisfies ProductSpec<'maya'>;
