/**
 * Progress bars written to stderr: redrawn in place on a terminal, plain lines otherwise.
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
  /** Colours. */
  colours?: Colours;
  /** On a non-terminal, print a line each time the percentage crosses a multiple of this step (default 25). */
  lineStepPercent?: number;
}

/** Renders a bar of `width` cells for a fraction between 0 and 1. */
export function renderBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** A single progress bar. Call {@link ProgressBar.update} as work advances and {@link ProgressBar.done} at the end. */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly options: ProgressOptions;
  private total: number;
  private done_ = 0;
  private extra = '';
  private lastLineStep = -1;
  private finished = false;
  private drawn = false;

  /**
   * @param stream - where to write (stderr)
   * @param options - label, total and format
   */
  constructor(stream: ProgressStream, options: ProgressOptions) {
    this.stream = stream;
    this.options = options;
    this.total = options.total;
  }

  /** Sets the amount done (and optionally a new total and a short status text after the bar). */
  update(done: number, total?: number, extra?: string): void {
    if (this.finished) return;
    if (total !== undefined) this.total = total;
    if (extra !== undefined) this.extra = extra;
    this.done_ = done;
    this.draw();
  }

  /** Draws the final state and ends the line. */
  done(extra?: string): void {
    if (this.finished) return;
    if (extra !== undefined) this.extra = extra;
    if (this.stream.isTTY) {
      this.draw(true);
      this.stream.write('\n');
    } else if (this.lastLineStep < 100 || extra !== undefined) {
      this.stream.write(`${this.line()}\n`);
    }
    this.finished = true;
  }

  private fraction(): number {
    return this.total > 0 ? this.done_ / this.total : 0;
  }

  private line(): string {
    const { label, format, colours } = this.options;
    const pct = `${Math.floor(this.fraction() * 100)}%`.padStart(4);
    const amount = format ? format(this.done_, this.total) : `${this.done_}/${this.total}`;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - label.length - amount.length - 30));
    const bar = colours ? colours.cyan(renderBar(this.fraction(), width)) : renderBar(this.fraction(), width);
    return `${label} ${bar} ${pct} ${amount}${this.extra ? `  ${this.extra}` : ''}`;
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
      this.stream.write(`${this.line()}\n`);
    }
  }

  /** Whether something has been drawn on a terminal line that is not finished yet. */
  get active(): boolean {
    return this.drawn && !this.finished;
  }
}
