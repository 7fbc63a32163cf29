// The folder of the addFiles and submit benchmarks: `files` empty files in `folders` folders below
// <tmp>/gm-bench-tree-<files>-<folders>/assets, created once (a `.complete` marker tells a finished one).
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates the tree when missing; returns its project folder and the `assets` folder inside it. */
export function benchTree(files = 100_000, folders = 1_000, note = () => {}) {
  const root = join(tmpdir(), `gm-bench-tree-${files}-${folders}`);
  const assets = join(root, 'assets');
  if (!existsSync(join(root, '.complete'))) {
    note(`creating ${files} files in ${folders} folders under ${root} (once)...`);
    const perFolder = Math.ceil(files / folders);
    for (let i = 0; i < files; i++) {
      const dir = join(assets, `folder_${String(Math.floor(i / perFolder)).padStart(4, '0')}`);
      if (i % perFolder === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `tex_${i}.png`), '');
    }
    writeFileSync(join(root, '.complete'), '');
  }
  return { root, assets };
}

/** The limit of the walk benchmarks: Node's own recursive listing, one Dirent per entry, nothing else. */
export function plainWalk(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true });
}
