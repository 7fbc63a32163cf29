import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The restart tests spawn the built emulator: build it when `dist` is missing. */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  }
}
