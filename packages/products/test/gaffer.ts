/**
 * A product GridMarkets does not offer, "gaffer" (`.gfr` scenes): what adding a seventh product takes, as a spec
 * and nothing else. The tests of every package that derives something from the specs add it to the real list.
 */
import { nonEmptyString, OUTPUT_FILE_FIELDS, outputFileDefaults } from '../src/specs/fields.js';
import type { ProductSpec } from '../src/specs/types.js';

/** The throwaway product's spec: a plugin, the output options and one option of its own. */
export const GAFFER: ProductSpec<'gaffer'> = {
  code: 'gaffer',
  catalogue: {
    name: 'Gaffer',
    plugins: { gaffer_cycles: 'Cycles' },
    operations: ['render'],
    defaultOperation: 'render',
    extensions: ['.gfr'],
  },
  fields: {
    ...OUTPUT_FILE_FIELDS,
    taskNode: {
      required: true,
      check: nonEmptyString,
      hint: 'the task node, e.g. "Render"',
      description: 'Gaffer: task node to run.',
    },
  },
  jobFileDefaults: ({ stem }) => ({ ...outputFileDefaults(stem), taskNode: 'Render' }),
};
