// Cold start of the `gm` binary (`gm --version`, `gm --help`) against `node -e 0`, the limit, in the same run:
// each spawned in turn, alternating (lib.mjs `alternate`), medians of 11 runs; the ratio of the medians is the
// headline. Goal (issue 11): <= 2.5x. Build first (`pnpm bench` does): apps/cli/dist.
// Usage: node bench/cli-start.mjs [runs=11] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, emit, loadText, median, ms, note, numberArg, runsText } from './lib.mjs';

const GOAL = 2.5;
const runs = Math.max(5, numberArg(0, 11));
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps', 'cli', 'bin', 'gm.js');
if (!existsSync(join(dirname(bin), '..', 'dist', 'program.mjs'))) {
  console.error('apps/cli is not built: run `pnpm --filter @gm/cli... build` first.');
  process.exit(2);
}

/** Spawns `node ...args` and waits for it; it must succeed. */
function spawnNode(args) {
  const r = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

for (const command of ['--version', '--help']) {
  note(`gm ${command}: ${runs} runs beside node -e 0`);
  const times = await alternate(
    { limit: () => spawnNode(['-e', '0']), figure: () => spawnNode([bin, command]) },
    { runs, warmup: 1 },
  );
  const [value, limit] = [median(times.figure), median(times.limit)];
  const ratio = value / limit;
  emit({
    figure: `CLI cold start: gm ${command}`,
    value: ms(value),
    limit: `node -e 0 ${ms(limit)}`,
    ratio,
    goal: `≤ ${GOAL.toFixed(2)}×`,
    pass: ratio <= GOAL,
    detail: `gm runs ${runsText(times.figure)} ms; node -e 0 runs ${runsText(times.limit)} ms; ${loadText()}`,
  });
}
