/**
 * scripts/setup.mjs, which `npm test` and `npm run demo` run first: a plain message, not a stack, when Node.js is
 * too old or npm is missing. Run on a copy of the script in a temp folder, so nothing is installed.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';

const exec = promisify(execFile);
const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'setup.mjs');
const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function fakeClone(node: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gm-setup-'));
  made.push(dir);
  await mkdir(join(dir, 'scripts'));
  await copyFile(script, join(dir, 'scripts', 'setup.mjs'));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ packageManager: 'pnpm@10.34.8', engines: { node } }),
  );
  await writeFile(join(dir, 'pnpm-lock.yaml'), '');
  return dir;
}

async function setup(dir: string, env: NodeJS.ProcessEnv) {
  return exec(process.execPath, [join(dir, 'scripts', 'setup.mjs')], { cwd: dir, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

it('names the Node.js version needed when this one is too old', async () => {
  const dir = await fakeClone('>=99.1');
  const { code, stderr } = await setup(dir, process.env);
  expect(code).toBe(1);
  expect(stderr.trim()).toBe(
    `setup: this project needs Node.js 99.1 or newer; this is Node.js ${process.versions.node}. ` +
      'Install a newer Node.js (https://nodejs.org, or your version manager) and run the command again.',
  );
});

it('says npm is needed when it cannot start npm to fetch pnpm', async () => {
  const dir = await fakeClone('>=20.19');
  const { code, stderr } = await setup(dir, { PATH: join(dir, 'no-such-folder'), HOME: dir });
  expect(code).toBe(1);
  expect(stderr).toMatch(
    /^setup: npm is needed to fetch pnpm 10\.34\.8 the first time, and it could not be started/,
  );
  expect(stderr).not.toMatch(/\n\s+at /); // no stack
});
