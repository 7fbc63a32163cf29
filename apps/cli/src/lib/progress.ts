/**
 * Progress on stderr: a bar redrawn in place on a terminal; plain lines (no bar characters) otherwise. Both show
 * the rate and the time left once they can be measured.
 *
 * @module
 */
import type { Colours } from './colour.js';

/** The stream a progress bar writes to. */
export interface ProgressStream {
  /** Writes text. */
  write(text: string): unknown;
  /** Whether the stream is a terminal (redraw in place) or not (plain lines). */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/** Options of {@link ProgressBar}. */
export interface ProgressOptions {
  /** The label in front of the bar. */
  label: string;
  /** The total (bytes, frames...). */
  total: number;
  /** Formats `done/total` for display; default `done/total`. */
  format?: (done: number, total: number) => string;
  /** Formats a rate per second for display (`1.5 MiB/s`); default `n/s`. */
  rate?: (perSecond: number) => string;
  /** Colours. */
  colours?: Colours;
  /** On a non-terminal, print a line each time the percentage crosses a multiple of this step (default 25). */
  lineStepPercent?: number;
  /** The clock, in milliseconds (tests give their own). */
  now?: () => number;
}

/** How far back the rate looks, in milliseconds. */
const RATE_WINDOW_MS = 10_000;

/** Renders a bar of `width` cells for a fraction between 0 and 1. */
export function renderBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** Formats seconds as `42s`, `3m 05s` or `1h 02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A single progress bar. Call {@link ProgressBar.update} as work advances and {@link ProgressBar.done} at the end. */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly options: ProgressOptions;
  private readonly now: () => number;
  private total: number;
  private done_ = 0;
  private extra = '';
  private lastLineStep = -1;
  private lastLineDone = -1;
  private ending = false;
  private finished = false;
  private drawn = false;
  private samples: { t: number; done: number }[] = [];

  /**
   * @param stream - where to write (stderr)
   * @param options - label, total and format
   */
  constructor(stream: ProgressStream, options: ProgressOptions) {
    this.stream = stream;
    this.options = options;
    this.total = options.total;
    this.now = options.now ?? Date.now;
  }

  /** Sets the amount done (and optionally a new total and a short status text after the bar). */
  update(done: number, total?: number, extra?: string): void {
    if (this.finished) return;
    if (total !== undefined) this.total = total;
    if (extra !== undefined) this.extra = extra;
    this.done_ = done;
    this.sample();
    this.draw();
  }

  /**
   * Draws the final state and ends the line. Work that ends short of its total (a job stopped by its budget)
   * shows no time left; on a non-terminal, the final line is printed only when the amount moved since the last line (or `extra` is given).
   */
  done(extra?: string): void {
    if (this.finished) return;
    if (extra !== undefined) this.extra = extra;
    this.ending = true;
    if (this.stream.isTTY) {
      this.draw(true);
      this.stream.write('\n');
    } else {
      if (this.done_ !== this.lastLineDone || extra !== undefined) this.stream.write(`${this.line()}\n`);
    }
    this.finished = true;
  }

  /** Units per second over the last few seconds; undefined until two samples apart in time show progress. */
  get rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.t - first.t < 200 || last.done <= first.done) return undefined;
    return ((last.done - first.done) * 1000) / (last.t - first.t);
  }

  /** Seconds left at the current rate; undefined while the rate is unknown. */
  get secondsLeft(): number | undefined {
    const rate = this.rate;
    if (rate === undefined || rate <= 0) return undefined;
    return Math.max(0, this.total - this.done_) / rate;
  }

  private sample(): void {
    const t = this.now();
    const last = this.samples.at(-1);
    if (last && this.done_ < last.done) this.samples = [];
    this.samples.push({ t, done: this.done_ });
    while (this.samples.length > 2 && t - this.samples[0]!.t > RATE_WINDOW_MS) this.samples.shift();
  }

  private fraction(): number {
    return this.total > 0 ? this.done_ / this.total : 0;
  }

  private speed(): string {
    const rate = this.rate;
    if (rate === undefined) return '';
    const shown = this.options.rate
      ? this.options.rate(rate)
      : `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s`;
    const left = this.done_ < this.total && !this.ending ? this.secondsLeft : undefined;
    return left === undefined ? shown : `${shown}, ${formatDuration(left)} left`;
  }

  private line(): string {
    const { label, format, colours } = this.options;
    const pct = `${Math.floor(this.fraction() * 100)}%`.padStart(4);
    const amount = format ? format(this.done_, this.total) : `${this.done_}/${this.total}`;
    const speed = this.speed();
    const tail = `${speed ? `  ${speed}` : ''}${this.extra ? `  ${this.extra}` : ''}`;
    if (!this.stream.isTTY) return `${label.trim()} ${pct.trim()} ${amount}${tail}`;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - label.length - amount.length - 50));
    const bar = colours ? colours.cyan(renderBar(this.fraction(), width)) : renderBar(this.fraction(), width);
    return `${label} ${bar} ${pct} ${amount}${tail}`;
  }

  private draw(force = false): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${this.line()}`);
      this.drawn = true;
      return;
    }
    if (force) return;
    const step = this.options.lineStepPercent ?? 25;
    const pct = Math.floor(this.fraction() * 100);
    const current = Math.floor(pct / step) * step;
    if (current > this.lastLineStep) {
      this.lastLineStep = current;
      this.lastLineDone = this.done_;
      this.stream.write(`${this.line()}\n`);
    }
  }

  /** Whether something has been drawn on a terminal line that is not finished yet. */
  get active(): boolean {
    return this.drawn && !this.finished;
  }
}
