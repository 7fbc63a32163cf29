/**
 * How long each phase of a command took, for `--verbose`: a phase ends when the next one is marked.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';

/** One phase that ended: its name, milliseconds, and an optional note (e.g. how many files). */
export interface Phase {
  /** What the phase did. */
  name: string;
  /** Its wall-clock duration in milliseconds. */
  ms: number;
  /** What it handled, e.g. `10,000 files`. */
  note?: string;
}

/**
 * The phases of one command run. The first phase, `start`, is the time from the process's start (Node itself and
 * loading `gm`) to the creation of the timer; each {@link Phases.end} ends the phase under way.
 */
export class Phases {
  /** The phases that ended, in order. */
  readonly done: Phase[];
  #last: number;

  constructor() {
    this.#last = performance.now();
    this.done = [{ name: 'start', ms: this.#last }];
  }

  /** Ends the phase under way as `name` (with an optional note). */
  end(name: string, note?: string): void {
    const t = performance.now();
    this.done.push(note === undefined ? { name, ms: t - this.#last } : { name, ms: t - this.#last, note });
    this.#last = t;
  }

  /** The phases as lines: a heading, one aligned line per phase, and the total since the process started. */
  lines(): string[] {
    const total = this.done.reduce((sum, p) => sum + p.ms, 0);
    const rows = [...this.done, { name: 'total', ms: total }] as Phase[];
    const width = Math.max(...rows.map((p) => p.name.length));
    const msText = rows.map((p) => `${p.ms.toFixed(p.ms >= 100 ? 0 : 1)} ms`);
    const msWidth = Math.max(...msText.map((t) => t.length));
    return [
      'Phases:',
      ...rows.map(
        (p, i) =>
          `  ${p.name.padEnd(width)}  ${(msText[i] as string).padStart(msWidth)}${p.note ? `  ${p.note}` : ''}`,
      ),
    ];
  }
}
