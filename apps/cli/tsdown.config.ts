import { gmTsdownConfig } from '../../tsdown.shared.js';

// `src/program.ts` is the entry of the `gm` binary: it imports only what `gm --version` and `gm --help` need.
export default gmTsdownConfig({ entry: ['src/index.ts', 'src/program.ts'], format: ['esm'] });
