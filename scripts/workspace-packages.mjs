// The workspace's published packages (every package under packages/ and apps/ not marked private), shared by the
// release scripts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The published packages of the workspace at `root`: their folder, their folder relative to the root (with forward
 * slashes) and their manifest as parsed.
 */
export function publishedPackages(root) {
  return ['packages', 'apps']
    .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)))
    .filter((folder) => existsSync(join(folder, 'package.json')))
    .map((folder) => ({
      folder,
      directory: relative(root, folder).split(/[\\/]/).join('/'),
      manifest: JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')),
    }))
    .filter(({ manifest }) => manifest.private !== true);
}
