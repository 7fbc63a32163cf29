#!/usr/bin/env node
// Runs the contract fuzz test with more requests: `pnpm --filter @gm/emulator fuzz [-- --requests N --seed S]`.
// Default 20,000 requests; prints the figures table; exits non-zero on any 5xx, contract violation or stray write.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  // pnpm passes the `--` separator through.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    requests: { type: 'string', default: '20000' },
    seed: { type: 'string' },
    strict: { type: 'boolean' },
  },
});
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, GM_FUZZ_REQUESTS: values.requests };
if (values.seed) env.GM_FUZZ_SEED = values.seed;
if (values.strict) env.GM_FUZZ_STRICT = '1';
const run = spawnSync('pnpm', ['exec', 'vitest', 'run', 'test/fuzz.test.ts', '--testTimeout', '3600000'], {
  cwd: root,
  env,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
process.exit(run.status ?? 1);
