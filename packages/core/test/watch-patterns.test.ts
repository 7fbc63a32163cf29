// Watch patterns where the RE2 engine is not loaded with the package (browsers): a scan refuses what RE2 never
// takes, and never refuses what RE2 takes; the engine's full verdict follows before sending (the browser test runs
// that path in Chromium).
import { fc, test } from '@fast-check/vitest';
import { RE2JS } from 're2js';
import { describe, expect } from 'vitest';
import { perlOnlyProblem } from '../src/models/watch-file.js';

const re2Refuses = (pattern: string) => {
  try {
    RE2JS.compile(pattern);
    return false;
  } catch {
    return true;
  }
};

describe('the scan of patterns without the engine', () => {
  test.each([
    '/p/(?=x).+',
    '/p/(?!x).+',
    '/p/(?<=x).+',
    '/p/(?<!x).+',
    '/p/(a)\\1',
    '/p/(?P<n>a)(?P=n)',
    '/p/(?<n>a)\\k<n>',
    '/p/\\8',
    '/p/[\\1]',
  ])('refuses %s, as RE2 does, in its words', (pattern) => {
    expect(perlOnlyProblem(pattern)).toMatch(/^invalid (escape sequence|or unsupported Perl syntax)/);
    expect(re2Refuses(pattern)).toBe(true);
  });

  test.each([
    '/p/render_results/.+',
    '/p/(?i)shot_\\d{4}\\.exr',
    '/p/(?P<frame>\\d+)\\.png',
    '/p/[(?=]x',
    '/p/[]a]',
    '/p/\\Q(?=x)\\E',
    '/p/\\\\1',
    '/p/\\12',
    '/p/\\0',
  ])('takes %s, as RE2 does', (pattern) => {
    expect(perlOnlyProblem(pattern)).toBeUndefined();
    expect(re2Refuses(pattern)).toBe(false);
  });

  // Patterns made of the pieces that matter: escapes, groups, classes, look-around heads, digits.
  const piece = fc.constantFrom(
    '\\',
    '(',
    ')',
    '?',
    '=',
    '!',
    '<',
    '>',
    'P',
    'k',
    '[',
    ']',
    '^',
    'Q',
    'E',
    '1',
    '2',
    '8',
    '0',
    '7',
    'a',
    '.',
    '+',
    '/',
    'n',
  );
  test.prop([fc.array(piece, { maxLength: 14 }).map((p) => p.join(''))], { numRuns: 5000 })(
    'never refuses a pattern RE2 takes',
    (pattern) => {
      if (perlOnlyProblem(pattern) !== undefined) expect(re2Refuses(pattern), pattern).toBe(true);
    },
  );
});
