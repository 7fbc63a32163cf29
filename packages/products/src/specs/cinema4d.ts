import {
  nonEmptyString,
  OUTPUT_FILE_FIELDS,
  OUTPUT_SIZE_DEFAULTS,
  OUTPUT_SIZE_FIELDS,
  outputFileDefaults,
} from './fields.js';
import type { ProductSpec } from './types.js';

/** Cinema 4D: `.c4d` scenes, output size and file options and an optional multipass prefix. */
export const cinema4dSpec = {
  code: 'c4d',
  catalogue: {
    name: 'Cinema 4D',
    plugins: { arnold: 'Arnold', redshift: 'Redshift', vray: 'V-Ray' },
    operations: ['render'],
    defaultOperation: 'render',
    extensions: ['.c4d'],
  },
  fields: {
    ...OUTPUT_SIZE_FIELDS,
    ...OUTPUT_FILE_FIELDS,
    outputMultipassPrefix: {
      required: false,
      check: nonEmptyString,
      hint: 'the multipass output file prefix, e.g. "passes_"',
      description: 'Cinema 4D: multipass output file prefix.',
    },
  },
  jobFileDefaults: ({ stem }) => ({ ...OUTPUT_SIZE_DEFAULTS, ...outputFileDefaults(stem) }),
} as const satisfies ProductSpec<'c4d'>;
