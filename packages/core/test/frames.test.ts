import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../src/errors.js';
import {
  countFrames,
  expandFrames,
  type FrameRange,
  FrameRangeError,
  formatFrames,
  normalizeFrames,
  parseFrames,
  validateFrames,
} from '../src/frames.js';

describe('parseFrames', () => {
  it('parses groups of one, two and three numbers', () => {
    expect(parseFrames('1 10 2, 20')).toEqual([
      { start: 1, end: 10, step: 2 },
      { start: 20, end: 20, step: 1 },
    ]);
    expect(parseFrames('  5\t8 ,-3 -1')).toEqual([
      { start: 5, end: 8, step: 1 },
      { start: -3, end: -1, step: 1 },
    ]);
  });

  it('names the group, its text and the column of an end before its start', () => {
    const error = validateFrames('1 3, 10 5');
    expect(error).toBeInstanceOf(FrameRangeError);
    expect(error?.message).toBe('frames: group 2 "10 5" (column 9) has end 5 before start 10');
    expect(error).toMatchObject({ field: 'frames', group: 2, text: '10 5', column: 9 });
  });

  it.each([
    ['', 'frames: is empty; give e.g. "1 100" or "1 100 2, 120"'],
    ['   ', 'frames: is empty; give e.g. "1 100" or "1 100 2, 120"'],
    ['1,,2', 'frames: group 2 "" (column 3) is empty; remove the extra comma'],
    ['1 10,', 'frames: group 2 "" (column 6) is empty; remove the extra comma'],
    ['1 x', 'frames: group 1 "1 x" (column 3) has "x", which is not an integer'],
    ['1.5', 'frames: group 1 "1.5" (column 1) has "1.5", which is not an integer'],
    ['+1', 'frames: group 1 "+1" (column 1) has "+1", which is not an integer'],
    ['1 10 0', 'frames: group 1 "1 10 0" (column 6) has step 0; the step must be at least 1'],
    ['1 10 -2', 'frames: group 1 "1 10 -2" (column 6) has step -2; the step must be at least 1'],
    ['1 2 3 4', 'frames: group 1 "1 2 3 4" (column 7) has 4 numbers; a group is "start [end] [step]"'],
    ['1-5', 'frames: group 1 "1-5" (column 1) has "1-5", which is not an integer'],
    [
      '99999999999999999999',
      'frames: group 1 "99999999999999999999" (column 1) has 99999999999999999999, beyond ±2^53',
    ],
  ])('rejects %j', (text, message) => {
    expect(() => parseFrames(text)).toThrow(FrameRangeError);
    expect(validateFrames(text)?.message).toBe(message);
  });

  it('rejects a value that is not a string', () => {
    expect(validateFrames(12 as unknown as string)?.message).toBe('frames: must be a string, got number');
  });
});

describe('countFrames, normalizeFrames, expandFrames', () => {
  it('expands each group in order; counts each distinct frame once, as Envoy charges', () => {
    expect(countFrames('1 10 2, 20')).toBe(6);
    expect(countFrames('1 4,3 6')).toBe(6);
    expect(countFrames('1 4,3 6, 1 6')).toBe(6);
    expect(countFrames('1 3, 2 4')).toBe(4);
    expect([...expandFrames('1 10 2, 20')]).toEqual([1, 3, 5, 7, 9, 20]);
    expect([...expandFrames('1 3, 2 4')]).toEqual([1, 2, 3, 2, 3, 4]);
    expect(countFrames([{ start: -2, end: 2, step: 2 }])).toBe(3);
  });

  it('normalises to the canonical form', () => {
    expect(normalizeFrames(' 1 10 2 ,20 20 5')).toBe('1 9 2,20');
    expect(normalizeFrames('1 10 1')).toBe('1 10');
    expect(normalizeFrames('-5 -1 3')).toBe('-5 -2 3');
    expect(normalizeFrames('-0')).toBe('0');
  });

  it('expands lazily: a hundred million frames are not allocated', () => {
    const frames = expandFrames('1 100000000');
    expect(frames.next().value).toBe(1);
    expect(frames.next().value).toBe(2);
    expect(countFrames('1 100000000')).toBe(100_000_000);
  });

  it('counts long overlapping stepped groups exactly without expanding them', () => {
    // Multiples of 2 or 3 in 0..6e9-1: 6e9 * (1/2 + 1/3 - 1/6).
    expect(countFrames('0 5999999999 2, 0 5999999999 3')).toBe(4_000_000_000);
    // Odd frames and every 4th frame from 1: the second lies inside the first.
    expect(countFrames('1 9000000001 2, 1 9000000001 4')).toBe(4_500_000_001);
    // Two progressions that never meet: evens and odds.
    expect(countFrames('0 8000000000 2, 1 8000000001 2')).toBe(8_000_000_002);
  });

  it('refuses ranges given as values that are not ranges, as FrameRangeError (an InvalidRequestError)', () => {
    for (const bad of [
      [{ start: 1, end: 5, step: 0 }],
      [{ start: 5, end: 1, step: 1 }],
      [{ start: 1, end: Number.POSITIVE_INFINITY, step: 1 }],
      [{ start: Number.NaN, end: 1, step: 1 }],
      [],
      'not a list' as unknown as FrameRange[],
      null as unknown as FrameRange[],
    ]) {
      const error = (() => {
        try {
          return countFrames(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error, JSON.stringify(bad)).toBeInstanceOf(InvalidRequestError);
      expect(error, JSON.stringify(bad)).toBeInstanceOf(FrameRangeError);
      expect(() => [...expandFrames(bad)]).toThrow(FrameRangeError);
      expect(() => formatFrames(bad)).toThrow(FrameRangeError);
    }
  });
});

const rangeArb: fc.Arbitrary<FrameRange> = fc
  .tuple(
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer({ min: 0, max: 300 }),
    fc.integer({ min: 1, max: 50 }),
  )
  .map(([start, length, step]) => ({ start, end: start + length, step }));
const rangesArb = fc.array(rangeArb, { minLength: 1, maxLength: 6 });

/** Writes ranges in a loose but valid form: random blanks, optional end and step. */
const looseText = fc
  .tuple(rangesArb, fc.array(fc.constantFrom(' ', '  ', '\t', ''), { minLength: 40, maxLength: 40 }))
  .map(([ranges, blanks]) =>
    ranges
      .map((r, i) => {
        const pad = blanks[i % blanks.length] ?? '';
        const parts =
          r.step !== 1 ? [r.start, r.end, r.step] : r.end !== r.start ? [r.start, r.end] : [r.start];
        return `${pad}${parts.join(` ${pad}`)}${pad}`;
      })
      .join(','),
  );

describe('properties', () => {
  test.prop([looseText])('normalise is idempotent and keeps the frames', (text) => {
    const normal = normalizeFrames(text);
    expect(normalizeFrames(normal)).toBe(normal);
    expect([...expandFrames(normal)]).toEqual([...expandFrames(text)]);
  });

  test.prop([rangesArb])('parse∘format keeps the frames; format∘parse∘format is format', (ranges) => {
    const text = formatFrames(ranges);
    expect([...expandFrames(parseFrames(text))]).toEqual([...expandFrames(ranges)]);
    expect(formatFrames(parseFrames(text))).toBe(text);
  });

  test.prop([fc.oneof(looseText, fc.string({ maxLength: 12 }))])(
    'normalizeFrames is formatFrames of parseFrames, the same text or the same FrameRangeError',
    (text) => {
      const outcome = (f: () => string) => {
        try {
          return f();
        } catch (error) {
          return error instanceof FrameRangeError ? `${error.name}: ${error.message}` : error;
        }
      };
      expect(outcome(() => normalizeFrames(text))).toBe(outcome(() => formatFrames(parseFrames(text))));
    },
  );

  test.prop([looseText])('count equals the number of distinct expanded frames', (text) => {
    expect(countFrames(text)).toBe(new Set(expandFrames(text)).size);
  });

  test.prop(
    [
      fc.array(
        fc
          .tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 2, max: 12 }))
          .map(([start, step]) => ({ start, end: start + 5_000_000, step })),
        { minLength: 2, maxLength: 4 },
      ),
    ],
    { numRuns: 15 },
  )('long stepped ranges: the exact count matches a frame-by-frame count', (ranges) => {
    const lo = Math.min(...ranges.map((r) => r.start));
    const marks = new Uint8Array(Math.max(...ranges.map((r) => r.end)) - lo + 1);
    let expected = 0;
    for (const r of ranges) {
      for (let f = r.start; f <= r.end; f += r.step) {
        if (marks[f - lo] === 0) expected++;
        marks[f - lo] = 1;
      }
    }
    expect(countFrames(ranges)).toBe(expected);
  });

  test.prop([fc.string({ maxLength: 12 })])(
    'any string either parses or throws a FrameRangeError',
    (text) => {
      const error = validateFrames(text);
      if (error === undefined) expect(countFrames(text)).toBeGreaterThan(0);
      else expect(error.message.startsWith('frames: ')).toBe(true);
    },
  );
});
