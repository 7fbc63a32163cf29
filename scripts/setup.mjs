#!/usr/bin/env node
// Makes a fresh clone ready without root and without a global install: checks Node.js, then installs the
// workspace with the pinned pnpm. The first time, pnpm is run through `npm exec` (it lands in the user's own
// npm cache); the install puts the same pnpm into node_modules/.bin (a root devDependency), where npm scripts
// and turbo find it from then on. Run by `npm test` and `npm run demo` before anything else.
// Written for old Node.js versions too, so that an old Node.js gets a plain message rather than a syntax error.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pinned = manifest.packageManager.split('@')[1];
const windows = process.platform === 'win32';

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

// Node.js: the engines range of package.json is ">=MAJOR.MINOR".
const wanted = /(\d+)\.(\d+)/.exec(manifest.engines.node);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < Number(wanted[1]) || (major === Number(wanted[1]) && minor < Number(wanted[2]))) {
  fail(
    `this project needs Node.js ${wanted[1]}.${wanted[2]} or newer; this is Node.js ${process.versions.node}. ` +
      'Install a newer Node.js (https://nodejs.org, or your version manager) and run the command again.',
  );
}

/** The pnpm installed in the clone (root devDependency), when it is the pinned version. */
function localPnpm() {
  const dir = join(root, 'node_modules', 'pnpm');
  try {
    const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    const bin = join(dir, 'bin', 'pnpm.cjs');
    return version === pinned && existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** How to start npm: the npm that runs this script when there is one, else `npm` from PATH. */
function npmCommand() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: read by setup, outside every turbo task
  const execpath = process.env.npm_execpath;
  if (execpath && /^npm-cli\.c?js$/.test(basename(execpath)) && existsSync(execpath)) {
    return { command: process.execPath, prefix: [execpath], shell: false };
  }
  return { command: 'npm', prefix: [], shell: windows };
}

function run(command, args, shell) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell });
  if (result.error) return { spawnError: result.error };
  return { status: result.status ?? 1 };
}

const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
const installed = existsSync(marker) && statSync(lock).mtimeMs <= statSync(marker).mtimeMs;
const pnpm = localPnpm();

if (!installed || !pnpm) {
  const args = ['install', '--frozen-lockfile'];
  let result;
  if (pnpm) {
    console.log('setup: pnpm install --frozen-lockfile');
    result = run(process.execPath, [pnpm, ...args], false);
  } else {
    // The pinned pnpm, fetched into the user's npm cache (no global install, nothing written outside the clone).
    console.log(
      `setup: installing the workspace with pnpm ${pinned} (npm exec pnpm@${pinned} install --frozen-lockfile)`,
    );
    const npm = npmCommand();
    result = run(
      npm.command,
      [...npm.prefix, 'exec', '--yes', `--package=pnpm@${pinned}`, '--', 'pnpm', ...args],
      npm.shell,
    );
    if (result.spawnError) {
      fail(
        `npm is needed to fetch pnpm ${pinned} the first time, and it could not be started (${result.spawnError.message}). ` +
          'Install Node.js with npm (https://nodejs.org) and run the command again.',
      );
    }
  }
  if (result.spawnError) fail(`could not start pnpm: ${result.spawnError.message}`);
  if (result.status !== 0) fail(`pnpm install failed (exit code ${result.status}); see the messages above.`);
  if (!localPnpm())
    fail(`pnpm ${pinned} is missing from node_modules after the install; run \`npm run setup\` again.`);
}
