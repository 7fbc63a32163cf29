/**
 * Compact sets and sequences of integers, so that a job of 100,000 frames costs a few numbers in memory and in
 * the state file instead of 100,000.
 */

/** A range `[first, last]` of consecutive integers, both included. */
export type Range = [first: number, last: number];

/**
 * A set of integers kept as sorted, disjoint, non-adjacent ranges (`{1, 2, 3, 7}` is `[[1, 3], [7, 7]]`).
 * Adding, testing and finding the next integer not in the set cost O(log ranges) plus the splice.
 */
export class RangeSet {
  /** Flat `[first0, last0, first1, last1, ...]`, sorted, disjoint, with gaps of at least one between ranges. */
  private readonly r: number[] = [];
  private count = 0;

  /** A set of the integers of `ranges` (in any order; overlapping or touching ranges are merged). */
  static of(ranges: Iterable<readonly [number, number]>): RangeSet {
    const set = new RangeSet();
    for (const [a, b] of ranges) set.addRange(a, b);
    return set;
  }

  /** A set of the given integers. */
  static fromValues(values: Iterable<number>): RangeSet {
    const set = new RangeSet();
    for (const v of values) set.add(v);
    return set;
  }

  /** How many integers the set holds. */
  get size(): number {
    return this.count;
  }

  /** How many ranges hold them. */
  get rangeCount(): number {
    return this.r.length / 2;
  }

  /** Index (in pairs) of the last range whose first value is ≤ `v`, or -1. */
  private floor(v: number): number {
    let lo = 0;
    let hi = this.r.length / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.r[mid * 2] as number) <= v) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Whether `v` is in the set. */
  has(v: number): boolean {
    const k = this.floor(v);
    return k >= 0 && v <= (this.r[k * 2 + 1] as number);
  }

  /** Adds one integer; resolves to whether it was new. */
  add(v: number): boolean {
    if (this.has(v)) return false;
    this.addRange(v, v);
    return true;
  }

  /** Adds every integer from `a` to `b` (both included; nothing when `b < a`). */
  addRange(a: number, b: number): void {
    if (b < a) return;
    const r = this.r;
    // Ranges that overlap or touch [a, b] are k0..k1 (pair indexes); merged into one.
    let k0 = this.floor(a - 1);
    if (k0 < 0 || (r[k0 * 2 + 1] as number) < a - 1) k0++;
    const k1 = this.floor(b + 1);
    if (k1 < k0) {
      r.splice(k0 * 2, 0, a, b);
      this.count += b - a + 1;
      return;
    }
    const first = Math.min(a, r[k0 * 2] as number);
    const last = Math.max(b, r[k1 * 2 + 1] as number);
    let removed = 0;
    for (let k = k0; k <= k1; k++) removed += (r[k * 2 + 1] as number) - (r[k * 2] as number) + 1;
    r.splice(k0 * 2, (k1 - k0 + 1) * 2, first, last);
    this.count += last - first + 1 - removed;
  }

  /** The smallest integer ≥ `v` that is not in the set. */
  nextAbsent(v: number): number {
    const k = this.floor(v);
    return k >= 0 && v <= (this.r[k * 2 + 1] as number) ? (this.r[k * 2 + 1] as number) + 1 : v;
  }

  /** The smallest integer ≥ `v` that is in the set, or `Infinity`. */
  nextPresent(v: number): number {
    const k = this.floor(v);
    if (k >= 0 && v <= (this.r[k * 2 + 1] as number)) return v;
    const next = this.r[(k + 1) * 2];
    return next === undefined ? Number.POSITIVE_INFINITY : next;
  }

  /** The ranges, in order. */
  ranges(): Range[] {
    const out: Range[] = [];
    for (let k = 0; k < this.r.length; k += 2) out.push([this.r[k] as number, this.r[k + 1] as number]);
    return out;
  }

  /** Every integer of the set, in increasing order. */
  *values(): IterableIterator<number> {
    for (let k = 0; k < this.r.length; k += 2) {
      for (let v = this.r[k] as number; v <= (this.r[k + 1] as number); v++) yield v;
    }
  }

  /** The ranges, as the state file stores them. */
  toJSON(): Range[] {
    return this.ranges();
  }
}

/** A run of frames `first, first + step, …` (`count` of them), as the state file stores it. */
export type FrameRun = [first: number, step: number, count: number];

/**
 * The distinct frames of a job in render order, kept as arithmetic runs (`1 100000 2` is one run). Frames
 * are addressed by their index in this order; a job's done and cancelled frames are {@link RangeSet}s of
 * indexes, which stay a range or two while frames finish in order.
 */
export class FrameList {
  private readonly runs: FrameRun[];
  /** Index of the first frame of each run. */
  private readonly starts: number[];
  /** How many frames the list holds. */
  readonly length: number;

  /** A list of these runs (each with `count ≥ 1`, `step ≥ 1`; the runs' frames must be distinct). */
  constructor(runs: readonly FrameRun[]) {
    this.runs = runs.map(([f, s, c]) => [f, s, c]);
    this.starts = [];
    let n = 0;
    for (const [, , c] of this.runs) {
      this.starts.push(n);
      n += c;
    }
    this.length = n;
  }

  /** The list of distinct `frames` in this order, runs found greedily. */
  static of(frames: readonly number[]): FrameList {
    const runs: FrameRun[] = [];
    let i = 0;
    while (i < frames.length) {
      const first = frames[i] as number;
      const next = frames[i + 1];
      const step = next !== undefined && next > first ? next - first : 1;
      let count = 1;
      while (i + count < frames.length && frames[i + count] === first + count * step) count++;
      runs.push([first, step, count]);
      i += count;
    }
    return new FrameList(runs);
  }

  /** The frame at `index` (0 ≤ index < length). */
  at(index: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    const [first, step] = this.runs[lo] as FrameRun;
    return first + (index - (this.starts[lo] as number)) * step;
  }

  /** The index of `frame`, or -1 when the list does not hold it. */
  indexOf(frame: number): number {
    for (let k = 0; k < this.runs.length; k++) {
      const [first, step, count] = this.runs[k] as FrameRun;
      const d = frame - first;
      if (d >= 0 && d % step === 0 && d / step < count) return (this.starts[k] as number) + d / step;
    }
    return -1;
  }

  /** Every frame, in order. */
  toArray(): number[] {
    const out: number[] = [];
    for (const [first, step, count] of this.runs) for (let k = 0; k < count; k++) out.push(first + k * step);
    return out;
  }

  /** The runs, as the state file stores them. */
  toJSON(): FrameRun[] {
    return this.runs.map(([f, s, c]) => [f, s, c]);
  }
}
