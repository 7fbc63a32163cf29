// Cold start of the `gm` binary beside `node -e 0`, in the same run: each `gm` command and the bare Node start are
// spawned in turn (A B A B ...), and the median of the pairwise ratios is printed with both medians.
// Usage: node bench/cli-start.mjs [runs per command, default 11]   (build first: pnpm --filter @gm/cli build)
// Exit code 1 when a ratio is above the target (2.5), so CI can run it as a check.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGET = 2.5;
const runs = Math.max(5, Number(process.argv[2]) || 11);
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps', 'cli', 'bin', 'gm.js');
if (!existsSync(join(dirname(bin), '..', 'dist', 'program.mjs'))) {
  console.error('apps/cli is not built: run `pnpm --filter @gm/cli... build` first.');
  process.exit(2);
}

/** Wall milliseconds of one spawned run; the run must succeed. */
function time(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const baseline = ['-e', '0'];
let failed = false;
for (const command of [['--version'], ['--help']]) {
  const args = [bin, ...command];
  time(baseline); // warm-up of both, not counted
  time(args);
  const base = [];
  const ours = [];
  const ratios = [];
  for (let i = 0; i < runs; i++) {
    const b = time(baseline);
    const a = time(args);
    base.push(b);
    ours.push(a);
    ratios.push(a / b);
  }
  const ratio = median(ratios);
  const ok = ratio <= TARGET;
  failed ||= !ok;
  console.log(
    `gm ${command.join(' ')}: median ${median(ours).toFixed(1)} ms; node -e 0: median ${median(base).toFixed(1)} ms; ` +
      `median ratio ${ratio.toFixed(2)} over ${runs} pairs (target <= ${TARGET}: ${ok ? 'ok' : 'ABOVE'})`,
  );
}
process.exitCode = failed ? 1 : 0;
