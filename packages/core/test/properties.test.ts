import path from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { folderNameProblem, relativeInside, toFolderName } from '../src/paths.js';
import { compareVersions, sortVersions } from '../src/versions.js';

const version = fc
  .array(fc.oneof(fc.nat({ max: 300 }).map(String), fc.constantFrom('R', 'S', 'v', 'beta')), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => parts.join('.'));

describe('properties', () => {
  test.prop([version, version])('compareVersions is antisymmetric', (a, b) => {
    expect(Math.sign(compareVersions(a, b)) + Math.sign(compareVersions(b, a))).toBe(0);
    expect(compareVersions(a, b) === 0).toBe(a === b);
  });

  test.prop([fc.array(version, { maxLength: 12 })])('sortVersions is ordered and idempotent', (versions) => {
    const sorted = sortVersions(versions);
    for (let i = 1; i < sorted.length; i++)
      expect(compareVersions(sorted[i - 1]!, sorted[i]!)).toBeLessThan(0);
    expect(sortVersions(sorted)).toEqual(sorted);
  });

  test.prop([fc.array(fc.constantFrom('a', 'b', '..', '.', 'c d'), { maxLength: 6 })])(
    'a relative path inside the root never climbs out',
    (segments) => {
      for (const flavour of [path.posix, path.win32]) {
        const root = flavour === path.win32 ? 'c:\\root' : '/root';
        const rel = relativeInside(root, segments.join(flavour.sep), flavour);
        if (rel !== undefined) {
          expect(rel.split('/')).not.toContain('..');
          expect(rel).not.toContain('\\');
        }
      }
    },
  );

  /** Text near the edges of the rule: a Windows device name, padded, dotted, long, or with forbidden characters. */
  const nearlyDevice = fc
    .tuple(
      fc.constantFrom('', ' ', '  '),
      fc.constantFrom('con', 'PRN', 'Aux', 'nul', 'COM1', 'lpt9', 'conx'),
      fc.array(fc.constantFrom(' ', '.', 'x', ':', '\u0000', '\u00e9', '\u{1f600}'), { maxLength: 220 }),
    )
    .map(([before, device, rest]) => before + device + rest.join(''));

  test.prop([fc.oneof(fc.string(), fc.string({ unit: 'binary' }), nearlyDevice)], { numRuns: 2000 })(
    'toFolderName always gives a valid folder name',
    (text) => {
      expect(folderNameProblem(toFolderName(text))).toBeUndefined();
    },
  );
});
