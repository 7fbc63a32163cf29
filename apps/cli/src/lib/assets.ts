/**
 * Finds the files shipped with the package (the demo's sample project), from `src/` or `dist/` alike.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The absolute path of a folder under the package's `assets/`. */
export function assetPath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'assets', name);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`The packaged asset ${name} is missing; reinstall @gm/cli.`);
}
