#!/usr/bin/env node
// Runs the workspace's turbo with every PATH entry made absolute. `pnpm run` puts a relative `./node_modules/.bin`
// first on PATH; turbo finds the workspace's pnpm there and then starts it from each package's folder, where that
// relative path leads nowhere ("unable to spawn child process"). `npm run` gives absolute entries; both work now.
import { spawnSync } from 'node:child_process';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
env[key] = (env[key] ?? '')
  .split(delimiter)
  .filter((entry) => entry !== '')
  .map((entry) => resolve(entry))
  .join(delimiter);
// Turborepo's telemetry (and its first-run notice) is off unless the user turned it on themselves.
env.TURBO_TELEMETRY_DISABLED ??= '1';
const turbo = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
const result = spawnSync(turbo, process.argv.slice(2), {
  stdio: 'inherit',
  env,
  shell: process.platform === 'win32',
});
if (result.error) {
  console.error(`turbo could not start (${result.error.message}); run \`npm run setup\` first.`);
  process.exit(1);
}
process.exit(result.status ?? 1);
