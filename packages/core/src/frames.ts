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
 * - groups keep their order and are not merged when formatted or expanded;
 *   {@link countFrames} counts each distinct frame once (`"1 4,3 6"` is 6
 *   frames), as Envoy charges them.
 *
 * Every bad input is a {@link FrameRangeError}, an `InvalidRequestError` of
 * `@gm/core` naming the field `frames`.
 *
 * @module
 */
import { InvalidRequestError } from './errors.js';

/** One group of a frame range: every `step`-th frame from `start` up to and including `end`. */
export interface FrameRange {
  /** The first frame. */
  readonly start: number;
  /** The last frame the range may reach (inclusive, at least `start`). */
  readonly end: number;
  /** The distance between frames, at least 1. */
  readonly step: number;
}

/**
 * A frame-range string that does not parse; the message names the group, its text and the column. An
 * `InvalidRequestError` (from `@gm/core`) whose one field error is `frames`.
 */
export class FrameRangeError extends InvalidRequestError {
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
    // The message already names the field; the field error carries the same text for tools.
    (this as { fieldErrors: { field: string; message: string }[] }).fieldErrors = [
      { field: 'frames', message: `${where}${reason}` },
    ];
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

/** A number as text; anything else by its type, so no value can make the message itself throw. */
const shown = (value: unknown): string => (typeof value === 'number' ? String(value) : typeof value);

/** Checks ranges given as values (not text): safe integers, `end` not before `start`, `step` at least 1. */
function checkRanges(ranges: unknown): readonly FrameRange[] {
  if (!Array.isArray(ranges)) {
    throw new FrameRangeError(
      `must be a frame-range string or a list of {start, end, step} (got ${ranges === null ? 'null' : typeof ranges})`,
      0,
      '',
      1,
    );
  }
  if (ranges.length === 0) throw new FrameRangeError('is an empty list; give at least one range', 0, '', 1);
  ranges.forEach((r: unknown, i) => {
    const { start, end, step } = (typeof r === 'object' && r !== null ? r : {}) as Partial<FrameRange>;
    const text = `{start: ${shown(start)}, end: ${shown(end)}, step: ${shown(step)}}`;
    if (![start, end, step].every((n) => typeof n === 'number' && Number.isSafeInteger(n))) {
      throw new FrameRangeError('must hold safe integers start, end and step', i + 1, text, 1);
    }
    if ((end as number) < (start as number)) {
      throw new FrameRangeError(`has end ${end} before start ${start}`, i + 1, text, 1);
    }
    if ((step as number) < 1) {
      throw new FrameRangeError(`has step ${step}; the step must be at least 1`, i + 1, text, 1);
    }
  });
  return ranges as readonly FrameRange[];
}

const toRanges = (frames: string | readonly FrameRange[]): readonly FrameRange[] =>
  typeof frames === 'string' ? parseFrames(frames) : checkRanges(frames);

/** The number of frames of one group. */
const rangeCount = (r: FrameRange): number => Math.floor((r.end - r.start) / r.step) + 1;

/**
 * The number of distinct frames a range string (or parsed ranges) renders: a frame in two overlapping groups
 * counts once (`"1 4,3 6"` is 6 frames), as Envoy charges it.
 *
 * @example countFrames('1 10 2, 20') // 6
 * @example countFrames('1 4, 3 6') // 6
 */
export function countFrames(frames: string | readonly FrameRange[]): number {
  return countDistinct(toRanges(frames));
}

/**
 * Distinct frames of `ranges`, exactly, without expanding them: the number line is cut at every group's ends
 * into pieces where the same groups are active; a piece with a step-1 group counts whole, else its groups'
 * union is counted by inclusion and exclusion over their intersections (empty ones pruned).
 */
function countDistinct(ranges: readonly FrameRange[]): number {
  // Sweep over the cuts: each group is active from its start up to its last frame.
  const events = new Map<number, { open: FrameRange[]; close: FrameRange[] }>();
  const at = (x: number) => {
    const known = events.get(x);
    if (known !== undefined) return known;
    const fresh = { open: [] as FrameRange[], close: [] as FrameRange[] };
    events.set(x, fresh);
    return fresh;
  };
  for (const r of ranges) {
    const last = r.start + (rangeCount(r) - 1) * r.step;
    const trimmed = { start: r.start, end: last, step: r.step };
    at(r.start).open.push(trimmed);
    at(last + 1).close.push(trimmed);
  }
  const cuts = [...events.keys()].sort((a, b) => a - b);
  const active = new Set<FrameRange>();
  let whole = 0; // active groups of step 1
  let total = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const { open, close } = events.get(cuts[i]!)!;
    for (const r of close) {
      active.delete(r);
      if (r.step === 1) whole--;
    }
    for (const r of open) {
      active.add(r);
      if (r.step === 1) whole++;
    }
    const lo = cuts[i]!;
    const hi = cuts[i + 1]! - 1;
    if (whole > 0) total += hi - lo + 1;
    else if (active.size === 1) total += membersOf([...active][0]!, lo, hi);
    else if (active.size > 1) total += unionCount([...active], lo, hi);
  }
  return total;
}

/** Members of one group in `[lo, hi]`. */
function membersOf(r: FrameRange, lo: number, hi: number): number {
  const first = lo + mod(r.start - lo, r.step);
  return first > hi ? 0 : Math.floor((hi - first) / r.step) + 1;
}

/** The largest piece counted frame by frame; longer ones are counted by inclusion and exclusion. */
const MARK_LIMIT = 1 << 22;
/** The most distinct stepped groups overlapping one long piece that inclusion and exclusion will take. */
const MAX_OVERLAPPING = 24;

/** Distinct members of stepped groups in `[lo, hi]`. */
function unionCount(groups: readonly FrameRange[], lo: number, hi: number): number {
  if (hi - lo + 1 <= MARK_LIMIT) {
    const marks = new Uint8Array(hi - lo + 1);
    let count = 0;
    for (const r of groups) {
      for (let f = lo + mod(r.start - lo, r.step); f <= hi; f += r.step) {
        if (marks[f - lo] === 0) {
          marks[f - lo] = 1;
          count++;
        }
      }
    }
    return count;
  }
  // Distinct progressions, without those inside another.
  const all = groups.map((r) => ({ residue: BigInt(mod(r.start, r.step)), step: BigInt(r.step) }));
  const kept = all.filter(
    (p, i) =>
      !all.some(
        (q, j) =>
          j !== i &&
          p.step % q.step === 0n &&
          p.residue % q.step === q.residue &&
          (p.step !== q.step || j < i),
      ),
  );
  if (kept.length > MAX_OVERLAPPING) {
    throw new FrameRangeError(
      `has more than ${MAX_OVERLAPPING} stepped groups overlapping over ${hi - lo + 1} frames; merge them`,
      0,
      '',
      1,
    );
  }
  return progressionUnion(kept, BigInt(lo), BigInt(hi));
}

interface Progression {
  readonly residue: bigint;
  readonly step: bigint;
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;
const bmod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

/** Members of the progression in `[lo, hi]`. */
function membersIn(p: Progression, lo: bigint, hi: bigint): bigint {
  const first = lo + bmod(p.residue - lo, p.step);
  return first > hi ? 0n : (hi - first) / p.step + 1n;
}

/** The intersection of two progressions (Chinese remainder theorem), or `undefined` when it is empty. */
function intersect(a: Progression, b: Progression): Progression | undefined {
  let [oldR, r] = [a.step, b.step];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  const g = oldR; // gcd; a.step * oldS ≡ g (mod b.step)
  const diff = b.residue - a.residue;
  if (diff % g !== 0n) return undefined;
  const step = (a.step / g) * b.step;
  const residue = bmod(a.residue + a.step * bmod((diff / g) * oldS, b.step / g), step);
  return { residue, step };
}

/** Members of the union of `progressions` in `[lo, hi]`, by inclusion and exclusion. */
function progressionUnion(progressions: readonly Progression[], lo: bigint, hi: bigint): number {
  let total = 0n;
  const visit = (from: number, current: Progression | undefined, size: number): void => {
    for (let i = from; i < progressions.length; i++) {
      const next = current === undefined ? progressions[i] : intersect(current, progressions[i]!);
      if (next === undefined) continue;
      const count = membersIn(next, lo, hi);
      if (count === 0n) continue; // every superset is empty too
      total += size % 2 === 0 ? count : -count;
      visit(i + 1, next, size + 1);
    }
  };
  visit(0, undefined, 0);
  return Number(total);
}

/**
 * Whether the ranges hold more than `limit` distinct frames. Cheaper than {@link countFrames} and small: the sum of
 * the groups' counts decides unless overlapping groups hold more than `limit` in all; then each distinct frame is
 * counted once, stopping past `limit`.
 */
export function moreFramesThan(ranges: readonly FrameRange[], limit: number): boolean {
  let sum = 0;
  for (const r of ranges) sum += rangeCount(r);
  if (sum <= limit) return false;
  const seen = new Set<number>();
  for (const r of ranges) {
    for (let f = r.start; f <= r.end; f += r.step) {
      seen.add(f);
      if (seen.size > limit) return true;
    }
  }
  return false;
}

/**
 * Formats ranges canonically: groups joined by `,`, a single frame as `start`, step 1 as
 * `start end`, else `start end step`, with `end` lowered to the last frame the step reaches.
 */
export function formatFrames(ranges: readonly FrameRange[]): string {
  return formatRanges(checkRanges(ranges));
}

/** {@link formatFrames} of ranges known to be valid (as {@link parseFrames} makes them): no second check. */
function formatRanges(ranges: readonly FrameRange[]): string {
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
  return formatRanges(parseFrames(text));
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
