/**
 * Finds the files shipped with the package (the demo's sample project, the job-file schema), from `src/` or
 * `dist/` alike.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The absolute path of a file or folder of the package, given relative to its root (`schema/job-file.schema.json`). */
export function packagePath(relativePath: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`The packaged file ${relativePath} is missing; reinstall @gm/cli.`);
}

/** The absolute path of a folder under the package's `assets/`. */
export function assetPath(name: string): string {
  return packagePath(join('assets', name));
}
