import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The spawned-process tests run the built emulator: build it when `dist` is missing or older than `src`. */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const built = join(root, 'dist', 'bin.js');
  const src = join(root, 'src');
  // The inspector page's sources too: the build bundles them into dist/inspector.
  const sources = [src, join(root, 'inspector')].flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)),
  );
  const stale =
    !existsSync(built) ||
    !existsSync(join(root, 'dist', 'inspector', 'app.js')) ||
    sources.some((f) => statSync(f).mtimeMs > statSync(built).mtimeMs);
  if (stale) execFileSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}
