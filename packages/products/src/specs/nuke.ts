import type { ProductSpec } from './types.js';

/** Nuke: `.nk` scripts; no options of its own and no plugins (a script names its own output). */
export const nukeSpec = {
  code: 'nuke',
  catalogue: {
    name: 'Nuke',
    plugins: {},
    operations: ['render'],
    defaultOperation: 'render',
    extensions: ['.nk'],
  },
  fields: {},
  jobFileDefaults: () => ({}),
} as const satisfies ProductSpec<'nuke'>;
