// The disk walk behind Project.addFiles: every file once, relative with forward slashes, sorted by code units;
// links inside the project followed (once per chain), links out of it and broken links reported; on a real disk
// and on a Windows-shaped tree (path.win32 over an in-memory file system).
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { Project } from '../src/index.js';
import { walkFolder } from '../src/node.js';
import type { WalkEntry, WalkFs } from '../src/walk.js';

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('walkFolder on disk', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'gm-walk-'));
    root = path.join(base, 'project');
    // Names whose order as full paths differs from their order as names: `a` (a folder) sorts as `a/`.
    for (const dir of ['a', 'a/b', 'B', 'é', 'linked', 'empty'])
      await mkdir(path.join(root, dir), { recursive: true });
    const files: Record<string, string> = {
      'a.txt': '12345',
      a0: '',
      'a/x': 'x',
      'a/b/y': 'yy',
      'a-1': '',
      'B/z': '',
      'é/ü.png': 'png',
      'linked/ok.txt': 'ok',
      '.hidden': 'h',
      'with space.c4d': 'scene',
    };
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(root, name), content);
    await writeFile(path.join(base, 'secret.txt'), 'outside');
    await symlink(path.join(base, 'secret.txt'), path.join(root, 'leak.txt'));
    await symlink(path.join(root, 'nope'), path.join(root, 'broken'));
    await symlink(path.join(root, 'a.txt'), path.join(root, 'linked', 'to-file'));
    await symlink(path.join(root, 'a', 'b'), path.join(root, 'linked', 'to-folder'));
    await symlink(root, path.join(root, 'a', 'b', 'top')); // back to the walked folder: not walked again
    await symlink(path.join(root, 'a'), path.join(root, 'a', 'b', 'up')); // walked once per chain of links
    try {
      execFileSync('mkfifo', [path.join(root, 'pipe')]);
    } catch {}
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  test('every file once, forward slashes, sorted by code units; links followed once per chain', () => {
    const walked = walkFolder(root);
    expect(walked.files).toEqual([
      '.hidden',
      'B/z',
      'a-1',
      'a.txt',
      'a/b/up/b/y', // a/b/up leads to a: walked; a/b/up/b/up leads to a again in the same chain: not
      'a/b/up/x',
      'a/b/y',
      'a/x',
      'a0',
      'linked/ok.txt',
      'linked/to-file',
      'linked/to-folder/up/b/y',
      'linked/to-folder/up/x',
      'linked/to-folder/y',
      'with space.c4d',
      'é/ü.png',
    ]);
    expect(walked.files).not.toContain('pipe');
    expect(walked.problems).toEqual([
      { path: 'broken', kind: 'broken' },
      { path: 'leak.txt', kind: 'outside', target: path.join(base, 'secret.txt') },
    ]);
    expect(walked.unreadable).toEqual([]);
    expect(walked.sizes).toBeUndefined();
  });

  test('sizes, prefix, and link targets checked against the folder given as within', () => {
    const walked = walkFolder(path.join(root, 'linked'), { sizes: true, prefix: 'linked/', within: root });
    expect(walked.files.slice(0, 2)).toEqual(['linked/ok.txt', 'linked/to-file']);
    expect(walked.sizes?.slice(0, 2)).toEqual([2, 5]); // a link to a file has its target's size
    expect(walked.sizes).toEqual(walked.files.map((f) => statSync(path.join(root, f)).size));
    expect(walked.files).toEqual([...walked.files].sort(byCodeUnits));
    expect(walked.files).toContain('linked/to-folder/y');
    // Without `within`, the walked folder is the limit: links to a.txt and to a/b lead out of `linked`.
    expect(walkFolder(path.join(root, 'linked'))).toEqual({
      files: ['ok.txt'],
      problems: [
        { path: 'to-file', kind: 'outside', target: path.join(root, 'a.txt') },
        { path: 'to-folder', kind: 'outside', target: path.join(root, 'a', 'b') },
      ],
      unreadable: [],
    });
  });

  test('the same files as a plain recursive readdir when there are no links', async () => {
    const plain = path.join(base, 'plain');
    for (let d = 0; d < 12; d++) {
      await mkdir(path.join(plain, `d${d % 4}`, `e${d}`), { recursive: true });
      for (let f = 0; f < 15; f++) await writeFile(path.join(plain, `d${d % 4}`, `e${d}`, `f${f}.${d}`), '');
      await writeFile(path.join(plain, `d${d % 4}`, `top${d}`), '');
    }
    const expected = (await readdir(plain, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(plain, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .sort(byCodeUnits);
    expect(walkFolder(plain).files).toEqual(expected);
  });

  test('a missing folder: nothing, reported unreadable', () => {
    expect(walkFolder(path.join(base, 'missing'))).toEqual({ files: [], problems: [], unreadable: [''] });
  });

  test('Project.addFiles lists what the walk lists, below the folder added', async () => {
    const project = new Project(path.join(base, 'plain'));
    await project.addFiles(path.join(base, 'plain', 'd1'), `${project.remoteRoot}/d1`);
    expect(project.files).toEqual(walkFolder(path.join(base, 'plain', 'd1'), { prefix: 'd1/' }).files);
    expect(project.files).toContain('d1/e5/f14.5');
  });
});

/** An in-memory file system: folders, files with sizes, links (with a native target), unreadable folders. */
type Node =
  | { kind: 'file'; size: number }
  | { kind: 'dir'; children: Record<string, Node>; unreadable?: boolean }
  | { kind: 'link'; target: string }
  | { kind: 'other' };

function memoryFs(flavour: typeof path.win32 | typeof path.posix, roots: Record<string, Node>): WalkFs {
  const caseless = flavour === path.win32;
  const same = (a: string, b: string) => (caseless ? a.toLowerCase() === b.toLowerCase() : a === b);
  const fail = (code: string, p: string) => Object.assign(new Error(`${code}: ${p}`), { code });
  const resolve = (p: string, depth = 0): { real: string; node: Node } => {
    if (depth > 40) throw fail('ELOOP', p);
    const abs = flavour.resolve(p);
    const { root } = flavour.parse(abs);
    const rootKey = Object.keys(roots).find((r) => same(r, root));
    if (rootKey === undefined) throw fail('ENOENT', p);
    let node = roots[rootKey] as Node;
    let real = rootKey;
    for (const segment of abs.slice(root.length).split(flavour.sep).filter(Boolean)) {
      if (node.kind !== 'dir') throw fail('ENOTDIR', p);
      const name = Object.keys(node.children).find((n) => same(n, segment));
      if (name === undefined) throw fail('ENOENT', p);
      const child = node.children[name] as Node;
      if (child.kind === 'link') {
        ({ real, node } = resolve(flavour.resolve(real, child.target), depth + 1));
      } else {
        node = child;
        real = flavour.join(real, name);
      }
    }
    return { real, node };
  };
  const entry = (name: string, node: Node): WalkEntry => ({
    name,
    isFile: () => node.kind === 'file',
    isDirectory: () => node.kind === 'dir',
    isSymbolicLink: () => node.kind === 'link',
  });
  return {
    readdirSync(p) {
      const { node } = resolve(p);
      if (node.kind !== 'dir') throw fail('ENOTDIR', p);
      if (node.unreadable) throw fail('EACCES', p);
      return Object.entries(node.children).map(([name, child]) => entry(name, child));
    },
    realpathSync: (p) => resolve(p).real,
    statSync(p) {
      const { node } = resolve(p);
      return { isDirectory: () => node.kind === 'dir', size: node.kind === 'file' ? node.size : 0 };
    },
  };
}

const dir = (children: Record<string, Node>, unreadable = false): Node => ({
  kind: 'dir',
  children,
  unreadable,
});
const file = (size = 0): Node => ({ kind: 'file', size });
const link = (target: string): Node => ({ kind: 'link', target });

describe('walkFolder on a Windows tree (path.win32)', () => {
  const fs = memoryFs(path.win32, {
    'C:\\': dir({
      Proj: dir({
        'Scene.c4d': file(10),
        tex: dir({ 'a.PNG': file(1), 'b.png': file(2), deep: dir({ 'c.exr': file(3) }) }),
        locked: dir({ 'x.txt': file() }, true),
        'shortcut.png': link('tex\\a.PNG'), // relative target
        'elsewhere.txt': link('D:\\other\\secret.txt'), // another drive
        'up.txt': link('..\\outside.txt'),
        TEX2: link('c:\\proj\\TEX'), // the same folder, written in another case: inside
        'gone.txt': link('C:\\Proj\\missing.txt'),
        device: { kind: 'other' },
      }),
      'outside.txt': file(),
    }),
    'D:\\': dir({ other: dir({ 'secret.txt': file() }) }),
  });

  test('forward slashes, folders sorted as name/, links judged on their real target', () => {
    const walked = walkFolder('C:\\Proj', { fs, sizes: true });
    expect(walked.files).toEqual([
      'Scene.c4d',
      'TEX2/a.PNG',
      'TEX2/b.png',
      'TEX2/deep/c.exr',
      'shortcut.png',
      'tex/a.PNG',
      'tex/b.png',
      'tex/deep/c.exr',
    ]);
    expect(walked.sizes).toEqual([10, 1, 2, 3, 1, 1, 2, 3]);
    expect(walked.problems).toEqual([
      { path: 'elsewhere.txt', kind: 'outside', target: 'D:\\other\\secret.txt' },
      { path: 'gone.txt', kind: 'broken' },
      { path: 'up.txt', kind: 'outside', target: 'C:\\outside.txt' },
    ]);
    expect(walked.unreadable).toEqual(['locked']);
  });

  test('a sub-folder with a prefix, limited to the project folder', () => {
    const walked = walkFolder('c:\\proj\\tex\\', { fs, prefix: 'tex/', within: 'C:\\Proj' });
    expect(walked.files).toEqual(['tex/a.PNG', 'tex/b.png', 'tex/deep/c.exr']);
  });
});

describe('walkFolder skipSuffix', () => {
  test('leaves out files by name: in a folder of files only, beside folders, and links to files', () => {
    const fs = memoryFs(path.posix, {
      '/': dir({
        p: dir({
          'b.png.part': file(),
          'a.png': file(),
          sub: dir({ 'x.exr': file(), 'x.exr.part': file() }),
          'ln.part': link('a.png'),
          'ln.png': link('a.png'),
          'dir.part': dir({ 'y.exr': file() }),
        }),
      }),
    });
    expect(walkFolder('/p', { fs, skipSuffix: '.part' }).files).toEqual([
      'a.png',
      'dir.part/y.exr',
      'ln.png',
      'sub/x.exr',
    ]);
    expect(walkFolder('/p/sub', { fs, skipSuffix: '.part', within: '/p' }).files).toEqual(['x.exr']);
  });
});

// Random trees: the walk lists exactly the files a straightforward recursion finds, sorted by code units.
const names = fc.constantFrom('a', 'a.b', 'a-', 'a0', 'A', 'b', 'é', '_', ' x', 'a b', 'ab', '~');
const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node; folder: Node }>((self) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(file()), self('folder')),
  folder: fc.dictionary(names, self('node'), { maxKeys: 5 }).map((children) => dir(children)),
})).folder;

function expectedFiles(node: Node, prefix = ''): string[] {
  if (node.kind !== 'dir') return [];
  return Object.entries(node.children).flatMap(([name, child]) =>
    child.kind === 'file' ? [prefix + name] : expectedFiles(child, `${prefix}${name}/`),
  );
}

function caseTwins(node: Node): boolean {
  if (node.kind !== 'dir') return false;
  const keys = Object.keys(node.children);
  return (
    new Set(keys.map((k) => k.toLowerCase())).size !== keys.length ||
    Object.values(node.children).some(caseTwins)
  );
}

describe('random trees', () => {
  test.prop([tree])('every file, once, sorted by code units (posix and win32)', (top) => {
    const expected = expectedFiles(top).sort(byCodeUnits);
    expect(walkFolder('/top', { fs: memoryFs(path.posix, { '/': dir({ top }) }) }).files).toEqual(expected);
    // On Windows, names in one folder differ in more than case.
    if (!caseTwins(top)) {
      const fs = memoryFs(path.win32, { 'C:\\': dir({ top }) });
      expect(walkFolder('C:\\top', { fs }).files).toEqual(expected);
    }
  });
});
