import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidRequestError, Project } from '../src/index.js';
import {
  flavourOf,
  folderNameProblem,
  normaliseRemote,
  relativeInside,
  remoteRelative,
  toFolderName,
} from '../src/paths.js';

describe('pure path rules', () => {
  test('the flavour follows the form of the root', () => {
    expect(flavourOf('c:\\sample_project')).toBe(path.win32);
    expect(flavourOf('\\\\server\\share\\shot')).toBe(path.win32);
    expect(flavourOf('/home/me/shot')).toBe(path.posix);
  });

  test('win32: relative paths use forward slashes; outside paths are refused', () => {
    const w = path.win32;
    expect(relativeInside('c:\\sample_project', 'c:\\sample_project\\assets\\tex.png', w)).toBe(
      'assets/tex.png',
    );
    expect(relativeInside('c:\\sample_project', 'C:\\Sample_Project\\a.c4d', w)).toBe('a.c4d');
    expect(relativeInside('c:\\sample_project', 'c:\\other\\x', w)).toBeUndefined();
    expect(relativeInside('c:\\sample_project', 'd:\\sample_project\\x', w)).toBeUndefined();
    expect(relativeInside('c:\\sample_project', '..\\x', w)).toBeUndefined();
    expect(relativeInside('c:\\sample_project', 'assets\\..\\sample.c4d', w)).toBe('sample.c4d');
    expect(relativeInside('c:\\sample_project', 'c:\\sample_project', w)).toBe('');
  });

  test('posix: .. and absolute paths elsewhere are refused', () => {
    const p = path.posix;
    expect(relativeInside('/work/shot', 'a/b.c', p)).toBe('a/b.c');
    expect(relativeInside('/work/shot', '../x', p)).toBeUndefined();
    expect(relativeInside('/work/shot', '/work/shot2/x', p)).toBeUndefined();
    expect(relativeInside('/work/shot', '/etc/passwd', p)).toBeUndefined();
  });

  test('folder names', () => {
    for (const bad of [
      '',
      '.',
      '..',
      'a/b',
      'a\\b',
      'c:',
      'a*',
      'a?',
      'a"b',
      'a<b',
      'a>b',
      'a|b',
      'end.',
      'end ',
    ]) {
      expect(folderNameProblem(bad), bad).toBeTypeOf('string');
    }
    expect(folderNameProblem('sample_project')).toBeUndefined();
    expect(folderNameProblem('submission 1')).toBeUndefined();
    expect(toFolderName('a/b: c?.')).toBe('a_b_ c_');
    expect(normaliseRemote('\\sample_project\\assets\\')).toBe('/sample_project/assets');
  });
});

describe('Project on Windows paths (path.win32)', () => {
  test('name, remote root and default watch folder', () => {
    const project = new Project('c:\\sample_project', { outputFolderName: 'my_results' });
    expect(project.localRoot).toBe('c:\\sample_project');
    expect(project.name).toBe('sample_project');
    expect(project.remoteRoot).toBe('/sample_project');
    expect(project.remoteOutputFolder).toBe('/sample_project/render_results/my_results');
    expect(project.defaultWatchFile.downloadPath).toBe('c:\\sample_project\\gm_results');
    expect(project.defaultWatchFile.pattern).toBe('/sample_project/render_results/my_results/.+');
  });

  test('a folder outside the project or a remote folder elsewhere is refused before touching the disk', async () => {
    const project = new Project('c:\\sample_project');
    await expect(project.addFiles('c:\\other', '/sample_project')).rejects.toThrow(/c:\\other.*outside/);
    await expect(project.addFiles('c:\\sample_project\\assets', '/sample_project')).rejects.toThrow(
      /land in \/sample_project\/assets/,
    );
  });
});

describe('Project.addFiles on Windows paths (path.win32)', () => {
  test('.. and absolute paths elsewhere are named, even where c:\\ cannot be read', async () => {
    const project = new Project('c:\\sample_project');
    const error = await project
      .addFiles('c:\\sample_project', '/sample_project', ['..\\secret.txt', 'd:\\other\\x.c4d', 'sample.c4d'])
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.fieldErrors).toEqual(
      expect.arrayContaining([
        { field: 'files[0]', message: '"..\\secret.txt" is outside the project folder c:\\sample_project' },
        { field: 'files[1]', message: '"d:\\other\\x.c4d" is outside the project folder c:\\sample_project' },
      ]),
    );
    expect(error.fieldErrors.some((e: { field: string }) => e.field === 'files[2]')).toBe(false);
  });
});

describe('Project names and defaults', () => {
  test('invalid names are refused at once, all together', () => {
    let caught: unknown;
    try {
      new Project('/tmp/x', { name: 'con', outputFolderName: 'c?' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidRequestError);
    expect((caught as InvalidRequestError).fieldErrors.map((e) => e.field)).toEqual([
      'name',
      'outputFolderName',
    ]);
  });

  test('submission and results names', () => {
    const createdAt = new Date(2026, 10, 29, 15, 4, 5, 123);
    const plain = new Project('/work/sample_project', { createdAt });
    expect(plain.submissionName).toBe('sample_project 2026-Nov-29 03:04:05 PM');
    expect(plain.outputFolderName).toMatch(/^2026-11-29_15-04-05_123000_[0-9a-f]{8}$/);
    const named = new Project('/work/sample_project', { createdAt, submissionName: 'submission: 1' });
    expect(named.outputFolderName).toBe('submission_ 1');
    const explicit = new Project('/work/sample_project', {
      submissionName: 's',
      outputFolderName: 'my_results',
    });
    expect(explicit.remoteOutputFolder).toBe('/sample_project/render_results/my_results');
  });
});

describe('Project.addFiles on disk', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'gm-core-'));
    root = path.join(base, 'sample_project');
    await mkdir(path.join(root, 'assets', 'deep'), { recursive: true });
    await writeFile(path.join(root, 'sample.c4d'), 'scene');
    await writeFile(path.join(root, 'another_file.ext'), 'x');
    await writeFile(path.join(root, 'assets', 'tex.png'), 'png');
    await writeFile(path.join(root, 'assets', 'deep', 'b.exr'), 'exr');
    await writeFile(path.join(base, 'secret.txt'), 'outside');
    await symlink(path.join(base, 'secret.txt'), path.join(root, 'assets', 'leak.txt'));
    await mkdir(path.join(root, 'linked'));
    await writeFile(path.join(root, 'linked', 'ok.txt'), 'ok');
    await symlink(path.join(root, 'sample.c4d'), path.join(root, 'linked', 'inside.c4d'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  test('named files, sorted, no duplicates', async () => {
    const project = new Project(root);
    await project.addFiles(project.localRoot, project.remoteRoot, ['sample.c4d', 'another_file.ext']);
    await project.addFiles(project.localRoot, project.remoteRoot, ['sample.c4d']);
    expect(project.files).toEqual(['another_file.ext', 'sample.c4d']);
  });

  test('a whole folder; a symlink inside the project is kept', async () => {
    const project = new Project(root);
    await project.addFiles(path.join(root, 'linked'), `${project.remoteRoot}/linked`);
    expect(project.files).toEqual(['linked/inside.c4d', 'linked/ok.txt']);
  });

  test('a folder holding a symlink that leads out is refused, naming it, and nothing is added', async () => {
    const project = new Project(root);
    const error = await project
      .addFiles(path.join(root, 'assets'), `${project.remoteRoot}/assets`)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toContain('assets/leak.txt');
    expect(error.message).toMatch(/symbolic link leading out/);
    expect(project.files).toEqual([]);
  });

  test('.., absolute paths elsewhere and missing files are refused, all at once', async () => {
    const project = new Project(root);
    const error = await project
      .addFiles(root, project.remoteRoot, [
        '../secret.txt',
        path.join(base, 'secret.txt'),
        'nope.c4d',
        'sample.c4d',
      ])
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.fieldErrors).toHaveLength(3);
    expect(error.message).toContain('"../secret.txt" is outside the project folder');
    expect(error.message).toContain('"nope.c4d" does not exist');
    expect(project.files).toEqual([]);
  });

  test('the remote folder must be at the same position below the remote root', async () => {
    const project = new Project(root);
    await expect(project.addFiles(path.join(root, 'assets'), '/elsewhere')).rejects.toThrow(
      /must be the project's remote root \/sample_project/,
    );
    await expect(project.addFiles(path.join(root, 'assets'), '/sample_project/textures')).rejects.toThrow(
      /land in \/sample_project\/assets/,
    );
  });

  test('many files: every file once, in sorted order', async () => {
    const many = path.join(base, 'many');
    const dirs = 20;
    const perDir = 250;
    for (let d = 0; d < dirs; d++) {
      const dir = path.join(many, `d${d}`);
      await mkdir(dir, { recursive: true });
      await Promise.all(Array.from({ length: perDir }, (_, f) => writeFile(path.join(dir, `f${f}.bin`), '')));
    }
    const project = new Project(many);
    await project.addFiles(many, project.remoteRoot);
    expect(project.files).toHaveLength(dirs * perDir);
    expect([...project.files]).toEqual([...project.files].sort());
    expect(new Set(project.files).size).toBe(dirs * perDir);
    expect(project.files).toContain('d7/f123.bin');
  });
});

describe('remoteRelative: a file of the project in the remote store', () => {
  test('below the remote root, in the absolute or the documented relative form; never beside or above it', () => {
    expect(remoteRelative('/shot', '/shot/scenes/a.blend')).toBe('scenes/a.blend');
    expect(remoteRelative('/shot', 'shot/a.blend')).toBe('a.blend');
    expect(remoteRelative('/shot', '/shot/./sub//a.blend')).toBe('sub/a.blend');
    expect(remoteRelative('/shot', '/shot')).toBe('');
    for (const outside of ['/shot_2/a.blend', '/other/a.blend', '/shot/../other/a.blend', '/a.blend']) {
      expect(remoteRelative('/shot', outside), outside).toBeUndefined();
    }
  });
});
