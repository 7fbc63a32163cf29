/**
 * The project's list of files: kept sorted without duplicates as files are added (the walk's sorted list merged
 * in, no re-sorting on read). Compared with the plain model, a Set of every path sorted on read.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Project, toSubmitBody } from '../src/index.js';
import { mergeSorted, sortedUnique } from '../src/models/project.js';

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const model = (...lists: readonly string[][]) => [...new Set(lists.flat())].sort(byCodeUnits);
// Names close to each other in code-unit order: separators, dots, digits, case, a non-BMP character.
const name = fc
  .array(fc.constantFrom('a', 'b', 'A', '/', '.', '-', '0', '~', 'é', '😀'), { minLength: 1, maxLength: 5 })
  .map((c) => c.join(''));

describe('sortedUnique and mergeSorted', () => {
  fcTest.prop([fc.array(name, { maxLength: 60 })])(
    'sortedUnique equals a Set sorted by code units',
    (list) => {
      expect(sortedUnique([...list])).toEqual(model(list));
    },
  );

  fcTest.prop([fc.array(fc.array(name, { maxLength: 40 }), { maxLength: 5 })])(
    'merging lists one after another equals the union sorted',
    (lists) => {
      let merged: readonly string[] = [];
      for (const list of lists) merged = mergeSorted(merged, sortedUnique([...list]));
      expect([...merged]).toEqual(model(...lists));
    },
  );

  test('adding nothing new keeps the same list', () => {
    const a = ['a', 'b', 'c'];
    expect(mergeSorted(a, ['b'])).toBe(a);
    expect(mergeSorted(a, [])).toBe(a);
  });
});

describe('Project.files', () => {
  let root: string;
  const files = [
    'a.txt',
    'a/b.txt',
    'a-c.txt',
    'a0.txt',
    'B.txt',
    'sub/x/1.exr',
    'sub/x/2.exr',
    'sub/y.exr',
    'sub-z/q.txt',
    'é.txt',
    '😀.txt',
  ];

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'gm-project-files-'));
    for (const f of files) {
      await mkdir(path.dirname(path.join(root, f)), { recursive: true });
      await writeFile(path.join(root, f), f);
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  test('a whole folder: every file once, sorted by code units', async () => {
    const project = new Project(root, { name: 'p' });
    await project.addFiles(root, '/p');
    expect(project.files).toEqual(model(files));
  });

  test('overlapping folders and files named twice, in any order, are listed once', async () => {
    const project = new Project(root, { name: 'p' });
    await project.addFiles(path.join(root, 'sub'), '/p/sub', ['y.exr', 'x', 'y.exr', 'x/2.exr']);
    expect(project.files).toEqual(['sub/x/1.exr', 'sub/x/2.exr', 'sub/y.exr']);
    await project.addFiles(root, '/p', ['a0.txt', 'a.txt', 'sub/x', 'a0.txt']);
    expect(project.files).toEqual(['a.txt', 'a0.txt', 'sub/x/1.exr', 'sub/x/2.exr', 'sub/y.exr']);
    await project.addFiles(root, '/p');
    await project.addFiles(path.join(root, 'sub'), '/p/sub');
    expect(project.files).toEqual(model(files));
  });

  test('a list read before adding more files keeps what it held; a body keeps its files', async () => {
    const project = new Project(root, { name: 'p' });
    await project.addFiles(root, '/p', ['a.txt']);
    const before = project.files;
    const body = toSubmitBody(project);
    await project.addFiles(root, '/p', ['B.txt']);
    expect(before).toEqual(['a.txt']);
    expect(body.project_files.files).toEqual(['a.txt']);
    expect(project.files).toEqual(['B.txt', 'a.txt']);
    expect(project.files).toBe(project.files);
  });

  test('a refused call adds nothing', async () => {
    const project = new Project(root, { name: 'p' });
    await project.addFiles(root, '/p', ['a.txt']);
    await expect(project.addFiles(root, '/p', ['B.txt', 'missing.txt'])).rejects.toThrow(/missing\.txt/);
    expect(project.files).toEqual(['a.txt']);
  });
});
