// Adding a folder of 100,000 files to a Project: @gm/core's addFiles (fdir walk) against a baseline that walks
// the tree and awaits one fs.stat per entry in sequence (what a direct port of the Python client does).
// Usage: node bench/add-files.mjs [files=100000] [runs=5]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Project } from '@gm/core';
import { measure, report } from './lib.mjs';

const total = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 5);
const perFolder = 1000;
const root = join(tmpdir(), `gm-bench-tree-${total}`);

if (!existsSync(join(root, '.complete'))) {
  console.log(`creating ${total} files under ${root} (once)...`);
  for (let i = 0; i < total; i++) {
    const dir = join(root, 'assets', `folder_${String(Math.floor(i / perFolder)).padStart(4, '0')}`);
    if (i % perFolder === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `tex_${i}.png`), '');
  }
  writeFileSync(join(root, '.complete'), '');
}

async function baseline() {
  const files = [];
  async function visit(dir) {
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const info = await stat(path);
      if (info.isDirectory()) await visit(path);
      else files.push(relative(root, path).split(sep).join('/'));
    }
  }
  await visit(join(root, 'assets'));
  return files;
}

async function candidate() {
  const project = new Project(root);
  await project.addFiles(join(root, 'assets'), `${project.remoteRoot}/assets`);
  return project.files;
}

const a = await baseline();
const b = await candidate();
if (a.length !== total || b.length !== total)
  throw new Error(`expected ${total} files, got ${a.length} and ${b.length}`);
console.log(`both walks found ${total} files`);

const before = process.memoryUsage().rss;
const baseTimes = await measure(baseline, runs);
const candTimes = await measure(candidate, runs);
report(
  `addFiles of a folder of ${total} files (${runs} runs each, after a warm-up)`,
  'baseline: sequential await fs.stat per entry',
  baseTimes,
  '@gm/core Project.addFiles (fdir)',
  candTimes,
);
console.log(`  rss grew by ${((process.memoryUsage().rss - before) / 2 ** 20).toFixed(0)} MiB over the runs`);
