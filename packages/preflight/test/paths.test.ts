import nodePath from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sequencePattern } from '../src/formats/blend.js';
import { applyPathMap, isInside, mapEntries, resolvePath } from '../src/paths.js';
import { sequenceRegex, sequenceToken } from '../src/sequences.js';

const win = nodePath.win32;
const posix = nodePath.posix;

describe('path resolution on Windows (node:path win32)', () => {
  const options = { pathMap: mapEntries({ '/mnt/proj/': 'D:\\work\\proj' }) };
  it('keeps drive and UNC paths, maps POSIX paths of another machine, resolves relative paths', () => {
    expect(resolvePath('C:/tex/wood.png', 'D:\\work\\proj', options, win).candidates).toEqual([
      'C:\\tex\\wood.png',
    ]);
    expect(resolvePath('\\\\server\\share\\a.png', 'D:\\p', options, win).candidates).toEqual([
      '\\\\server\\share\\a.png',
    ]);
    expect(resolvePath('/mnt/proj/tex/wood.png', 'D:\\x', options, win)).toEqual({
      candidates: ['D:\\work\\proj\\tex\\wood.png'],
      mappedFrom: '/mnt/proj/',
    });
    const foreign = resolvePath('/home/me/tex.png', 'D:\\x', options, win);
    expect(foreign.candidates).toEqual([]);
    expect(foreign.unresolved).toMatch(/"\/home\/me\/"/);
    expect(resolvePath('tex/wood.png', 'D:\\work\\proj\\scenes', options, win).candidates).toEqual([
      'D:\\work\\proj\\scenes\\tex\\wood.png',
    ]);
  });

  it('maps drive paths case-insensitively and whatever the slashes', () => {
    const entries = mapEntries({ 'C:\\Proj\\': '/home/me/proj' });
    expect(applyPathMap('c:/proj/tex/a.png', entries, posix)).toEqual({
      path: '/home/me/proj/tex/a.png',
      from: 'C:\\Proj\\',
    });
    expect(applyPathMap('C:\\ProjX\\a.png', entries, posix)).toBeUndefined();
    // POSIX prefixes are case-sensitive.
    expect(applyPathMap('/MNT/proj/a', mapEntries({ '/mnt/proj': '/x' }), posix)).toBeUndefined();
  });

  it('the longest matching prefix wins', () => {
    const entries = mapEntries([
      ['/mnt', '/a'],
      ['/mnt/proj', '/b'],
    ]);
    expect(applyPathMap('/mnt/proj/x', entries, posix)?.path).toBe('/b/x');
    expect(applyPathMap('/mnt/other/x', entries, posix)?.path).toBe('/a/other/x');
  });

  it('tells inside from outside on both flavours', () => {
    expect(isInside('D:\\proj', 'D:\\proj\\tex\\a.png', win)).toBe(true);
    expect(isInside('D:\\proj', 'd:\\PROJ\\tex\\a.png', win)).toBe(true);
    expect(isInside('D:\\proj', 'D:\\project\\a.png', win)).toBe(false);
    expect(isInside('D:\\proj', 'E:\\proj\\a.png', win)).toBe(false);
    expect(isInside('/p', '/p/..foo', posix)).toBe(true);
    expect(isInside('/p', '/q/a', posix)).toBe(false);
  });

  it('a mapped path never escapes the folder it is mapped onto', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '..', '.', 'b', '', 'c.png'), { maxLength: 8 }), (parts) => {
        const mapped = applyPathMap(
          `/mnt/proj/${parts.join('/')}`,
          mapEntries({ '/mnt/proj/': '/home/p' }),
          posix,
        );
        return mapped !== undefined && (isInside('/home/p', mapped.path, posix) || parts.includes('..'));
      }),
    );
  });
});

describe('sequence tokens', () => {
  it('recognises ####, %04d, $F4, $F with braces, <UDIM>, <UVTILE> in the file name only', () => {
    expect(
      [
        'a.####.exr',
        'a.%04d.exr',
        'a.%d.exr',
        'a.$F4.bgeo',
        `a.\${F4}.bgeo`,
        'a.$F.bgeo',
        'a.<UDIM>.tx',
        'a.<UVTILE>.tx',
      ].map(sequenceToken),
    ).toEqual(['####', '%04d', '%d', '$F4', `\${F4}`, '$F', '<UDIM>', '<UVTILE>']);
    expect(sequenceToken('/shots/####/a.exr')).toBeUndefined();
    expect(sequenceToken('a.$FPS.exr')).toBeUndefined();
    expect(sequenceRegex('a.<UVTILE>.tx')!.regex.test('a.u1_v2.tx')).toBe(true);
    expect(sequenceRegex('a.%04d.exr')!.regex.test('a.0012.exr')).toBe(true);
    expect(sequenceRegex('a.%04d.exr')!.regex.test('a.12.exr')).toBe(false);
  });

  it('makes a Blender sequence pattern from the frame in the file name', () => {
    expect(sequencePattern('//seq/frame_0001.png')).toBe('//seq/frame_####.png');
    expect(sequencePattern('C:\\r\\v2\\shot12.exr')).toBe('C:\\r\\v2\\shot##.exr');
    expect(sequencePattern('//seq/noframe.png')).toBe('//seq/noframe.png');
  });
});
