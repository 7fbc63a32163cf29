// Runs every benchmark in turn. Each prints its own baseline beside the candidate, measured in the same run.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const bench of ['add-files.mjs', 'resolver.mjs']) {
  console.log(`\n# ${bench}`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, bench)], { stdio: 'inherit' });
  failed ||= r.status !== 0;
}
process.exit(failed ? 1 : 0);
