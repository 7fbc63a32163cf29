#!/usr/bin/env node
// Makes a fresh clone ready: the pinned pnpm on PATH, then the workspace's dependencies installed.
// Run by `npm test` and `npm run demo` before anything else, so both work on a machine with only Node and npm.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

function pnpmVersion() {
  try {
    return execSync('pnpm --version', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

const found = pnpmVersion();
if (found !== pinned) {
  console.log(`setup: installing pnpm ${pinned} (found ${found ?? 'none'}) with npm install -g`);
  execSync(`npm install -g pnpm@${pinned}`, { stdio: 'inherit' });
}

const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  console.log('setup: pnpm install --frozen-lockfile');
  execSync('pnpm install --frozen-lockfile', { cwd: root, stdio: 'inherit' });
}
