/**
 * Frame ranges in the Envoy format `start [end] [step],[start [end] [step]],...`.
 *
 * Rules (decided here, the documentation gives only the format):
 * - groups are separated by commas; the numbers of a group by spaces or tabs;
 *   blanks around commas and at both ends are ignored;
 * - every number is a decimal integer, optionally negative (scenes may start
 *   before frame 0); no `+`, no fraction, no exponent, within ±2^53;
 * - `end` defaults to `start`, `step` to 1; `end` must not be before `start`;
 *   `step` must be at least 1;
 * - groups keep their order and are not merged: overlapping groups count and
 *   expand their shared frames twice.
 *
 * @module
 */

/** One group of a frame range: every `step`-th frame from `start` up to and including `end`. */
export interface FrameRange {
  /** The first frame. */
  readonly start: number;
  /** The last frame the range may reach (inclusive, at least `start`). */
  readonly end: number;
  /** The distance between frames, at least 1. */
  readonly step: number;
}

/** A frame-range string that does not parse; the message names the group, its text and the column. */
export class FrameRangeError extends Error {
  /** The job option at fault: always `'frames'`. */
  readonly field = 'frames' as const;
  /** The 1-based index of the offending group (0 when the whole string is at fault). */
  readonly group: number;
  /** The offending group's text, trimmed. */
  readonly text: string;
  /** The 1-based column in the whole string where the problem starts. */
  readonly column: number;
  /** What is wrong, without the location, e.g. `has end 5 before start 10`. */
  readonly reason: string;

  /** Builds the error; the message reads `frames: group 2 "10 5" (column 4) has end 5 before start 10`. */
  constructor(reason: string, group: number, text: string, column: number) {
    const where = group > 0 ? `group ${group} "${text}" (column ${column}) ` : '';
    super(`frames: ${where}${reason}`);
    this.name = 'FrameRangeError';
    this.group = group;
    this.text = text;
    this.column = column;
    this.reason = reason;
  }
}

const INTEGER = /^-?\d+$/;

/**
 * Parses a frame-range string into its groups, throwing a {@link FrameRangeError} on the first problem.
 *
 * @example parseFrames('1 10 2, 20') // [{start: 1, end: 10, step: 2}, {start: 20, end: 20, step: 1}]
 */
export function parseFrames(text: string): FrameRange[] {
  if (typeof text !== 'string') throw new FrameRangeError(`must be a string, got ${typeof text}`, 0, '', 1);
  if (text.trim() === '')
    throw new FrameRangeError('is empty; give e.g. "1 100" or "1 100 2, 120"', 0, '', 1);
  const ranges: FrameRange[] = [];
  let offset = 0;
  const groups = text.split(',');
  groups.forEach((raw, index) => {
    const group = index + 1;
    const base = offset;
    offset += raw.length + 1;
    const trimmed = raw.trim();
    const lead = raw.length - raw.trimStart().length;
    if (trimmed === '') {
      throw new FrameRangeError('is empty; remove the extra comma', group, trimmed, base + lead + 1);
    }
    const tokens = [...raw.matchAll(/\S+/g)].map((m) => ({ value: m[0], column: base + (m.index ?? 0) + 1 }));
    if (tokens.length > 3) {
      const extra = tokens[3]!;
      throw new FrameRangeError(
        `has ${tokens.length} numbers; a group is "start [end] [step]"`,
        group,
        trimmed,
        extra.column,
      );
    }
    const numbers: number[] = [];
    for (const token of tokens) {
      if (!INTEGER.test(token.value)) {
        throw new FrameRangeError(
          `has "${token.value}", which is not an integer`,
          group,
          trimmed,
          token.column,
        );
      }
      const n = Number(token.value);
      if (!Number.isSafeInteger(n)) {
        throw new FrameRangeError(`has ${token.value}, beyond ±2^53`, group, trimmed, token.column);
      }
      numbers.push(n === 0 ? 0 : n); // no -0
    }
    const start = numbers[0]!;
    const end = numbers[1] ?? start;
    const step = numbers[2] ?? 1;
    if (end < start) {
      throw new FrameRangeError(`has end ${end} before start ${start}`, group, trimmed, tokens[1]!.column);
    }
    if (step < 1) {
      throw new FrameRangeError(
        `has step ${step}; the step must be at least 1`,
        group,
        trimmed,
        tokens[2]!.column,
      );
    }
    ranges.push({ start, end, step });
  });
  return ranges;
}

/** Checks a frame-range string: `undefined` when it parses, else the {@link FrameRangeError}. */
export function validateFrames(text: string): FrameRangeError | undefined {
  try {
    parseFrames(text);
    return undefined;
  } catch (error) {
    if (error instanceof FrameRangeError) return error;
    throw error;
  }
}

const toRanges = (frames: string | readonly FrameRange[]): readonly FrameRange[] =>
  typeof frames === 'string' ? parseFrames(frames) : frames;

/** The number of frames of one group. */
const rangeCount = (r: FrameRange): number => Math.floor((r.end - r.start) / r.step) + 1;

/**
 * The number of frames a range string (or parsed ranges) renders, counting overlaps once per group.
 *
 * @example countFrames('1 10 2, 20') // 6
 */
export function countFrames(frames: string | readonly FrameRange[]): number {
  return toRanges(frames).reduce((sum, r) => sum + rangeCount(r), 0);
}

/**
 * Formats ranges canonically: groups joined by `,`, a single frame as `start`, step 1 as
 * `start end`, else `start end step`, with `end` lowered to the last frame the step reaches.
 */
export function formatFrames(ranges: readonly FrameRange[]): string {
  return ranges
    .map((r) => {
      const last = r.start + (rangeCount(r) - 1) * r.step;
      if (last === r.start) return String(r.start);
      return r.step === 1 ? `${r.start} ${last}` : `${r.start} ${last} ${r.step}`;
    })
    .join(',');
}

/**
 * Parses and re-formats a frame-range string canonically (see {@link formatFrames}).
 *
 * @example normalizeFrames(' 1 10 2 ,20 20 5') // '1 9 2,20'
 */
export function normalizeFrames(text: string): string {
  return formatFrames(parseFrames(text));
}

/**
 * Yields every frame of a range string (or parsed ranges) in order, lazily: `1 100000000` allocates nothing.
 *
 * @example [...expandFrames('1 5 2, 10')] // [1, 3, 5, 10]
 */
export function* expandFrames(frames: string | readonly FrameRange[]): Generator<number, void, undefined> {
  for (const r of toRanges(frames)) {
    for (let f = r.start; f <= r.end; f += r.step) yield f;
  }
}
