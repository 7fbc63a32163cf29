/**
 * The parts of `@gm/core` for runtimes without Node's built-ins (the `default` condition of `#platform`): pure path
 * flavours that answer as `node:path` does, `Project.addFileList` (no disk), and what `addFiles` says without a disk.
 */
import path from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it, vi } from 'vitest';
import * as none from '../src/disk/none.js';
import { InvalidRequestError, Project } from '../src/index.js';
import { purePosix, pureWin32 } from '../src/platform/pure-path.js';
import * as web from '../src/platform/web.js';

const segment = fc.constantFrom('a', 'B', 'shot 10', '.', '..', 'tex', 'x.png', 'É');
const posixPath = fc
  .tuple(
    fc.boolean(),
    fc.array(segment, { maxLength: 5 }),
    fc.constantFrom('/', '//'),
    fc.constantFrom('', '/', '//'),
  )
  .map(
    ([absolute, parts, sep, tail]) => `${absolute ? '/' : ''}${parts.join(sep)}${parts.length ? tail : ''}`,
  );
const winRoot = fc.constantFrom('C:\\', 'c:/', 'D:\\', '\\\\server\\share\\', '//server/share/', '\\');
const winPath = fc
  .tuple(
    fc.option(winRoot, { nil: '' }),
    fc.array(segment, { maxLength: 5 }),
    fc.constantFrom('\\', '/'),
    fc.boolean(),
  )
  .map(([root, parts, sep, trailing]) => `${root}${parts.join(sep)}${trailing && parts.length ? sep : ''}`);
const absolutePosix = posixPath.map((p) => (p.startsWith('/') ? p : `/${p}`));
// A root without a drive (`\\x`) is left out: node:path takes its drive from the working directory.
const absoluteWin = fc
  .tuple(
    winRoot.filter((root) => root !== '\\'),
    winPath,
  )
  .map(([root, p]) => (pureWin32.isAbsolute(p) && /^([a-zA-Z]:|[\\/]{2})/.test(p) ? p : `${root}${p}`));

describe('pure path flavours answer as node:path', () => {
  test.prop([absolutePosix, fc.array(posixPath, { maxLength: 3 })])('posix resolve', (first, rest) => {
    expect(purePosix.resolve(first, ...rest)).toBe(path.posix.resolve(first, ...rest));
  });
  test.prop([absolutePosix, absolutePosix])('posix relative', (from, to) => {
    expect(purePosix.relative(from, to)).toBe(path.posix.relative(from, to));
  });
  test.prop([fc.array(posixPath, { minLength: 1, maxLength: 3 })])(
    'posix join, basename, isAbsolute',
    (parts) => {
      expect(purePosix.join(...parts)).toBe(path.posix.join(...parts));
      for (const p of parts) {
        expect(purePosix.basename(p)).toBe(path.posix.basename(p));
        expect(purePosix.isAbsolute(p)).toBe(path.posix.isAbsolute(p));
      }
    },
  );
  test.prop([absoluteWin, fc.array(winPath, { maxLength: 3 })])('win32 resolve', (first, rest) => {
    expect(pureWin32.resolve(first, ...rest)).toBe(path.win32.resolve(first, ...rest));
  });
  test.prop([absoluteWin, absoluteWin])(
    'win32 relative (another drive gives an absolute path)',
    (from, to) => {
      expect(pureWin32.relative(from, to)).toBe(path.win32.relative(from, to));
    },
  );
  test.prop([absoluteWin, fc.array(winPath, { maxLength: 3 })])(
    'win32 join, basename, isAbsolute',
    (first, rest) => {
      expect(pureWin32.join(first, ...rest)).toBe(path.win32.join(first, ...rest));
      for (const p of [first, ...rest]) {
        expect(pureWin32.basename(p)).toBe(path.win32.basename(p));
        expect(pureWin32.isAbsolute(p)).toBe(path.win32.isAbsolute(p));
      }
    },
  );
  it('has no disk and describes causes without node:util', () => {
    expect(none.disk).toBeUndefined();
    expect(none.takeTurn).toBeUndefined();
    const cause = new Error('outer', { cause: { token: 'deep secret' } });
    expect(web.describeCause(cause)).toContain('deep secret');
  });
});

describe('Project.addFileList', () => {
  it('lists files without reading the disk, Windows and posix alike', () => {
    const win = new Project('C:\\projects\\shot_010');
    win.addFileList('C:\\projects\\shot_010', '/shot_010', ['shot_010.blend', 'tex\\wood.png']);
    win.addFileList('C:\\projects\\shot_010\\tex', '/shot_010/tex', ['stone.png']);
    expect(win.files).toEqual(['shot_010.blend', 'tex/stone.png', 'tex/wood.png']);
    const posix = new Project('/no/such/folder/anywhere').addFileList(
      '/no/such/folder/anywhere',
      '/anywhere',
      ['a.blend'],
    );
    expect(posix.files).toEqual(['a.blend']);
  });

  it('refuses paths outside the project, results, the folder itself and a remote folder that does not match', () => {
    const project = new Project('/p/shot');
    const problems = (local: string, remote: string, files: unknown) => {
      try {
        project.addFileList(local, remote, files as string[]);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidRequestError);
        return (error as InvalidRequestError).fieldErrors.map((e) => e.field);
      }
      return [];
    };
    expect(problems('/p/shot', '/shot', ['../other.blend', 'gm_results/x.png', '.', 'ok.blend'])).toEqual([
      'files[0]',
      'files[1]',
      'files[2]',
    ]);
    expect(problems('/p/shot/tex', '/shot', ['a.png'])).toEqual(['remoteFolder']);
    expect(problems('/p/shot', '/shot', undefined)).toEqual(['files']);
    expect(project.files).toEqual([]); // nothing added by a call that threw
  });

  it('tells addFiles callers in a runtime without a disk to list the files', async () => {
    vi.resetModules();
    vi.doMock('#platform', () => web);
    vi.doMock('#disk', () => none);
    const { Project: WebProject } = await import('../src/index.js');
    const project = new WebProject('/p/shot');
    await expect(project.addFiles('/p/shot', '/shot')).rejects.toThrow(/no disk.*addFileList/);
    vi.doUnmock('#platform');
    vi.doUnmock('#disk');
  });
});
