/**
 * A small ANSI colour helper that respects `NO_COLOR`, `FORCE_COLOR` and non-TTY streams.
 *
 * @module
 */

/** A function that wraps text in one colour or style (or returns it unchanged when colour is off). */
export type Paint = (text: string) => string;

/** The colours and styles `gm` uses. */
export interface Colours {
  /** Whether colour is on. */
  enabled: boolean;
  /** Bold text. */
  bold: Paint;
  /** Dimmed text. */
  dim: Paint;
  /** Red, for errors. */
  red: Paint;
  /** Green, for success. */
  green: Paint;
  /** Yellow, for warnings. */
  yellow: Paint;
  /** Cyan, for names and values. */
  cyan: Paint;
}

/** The stream facts colour depends on. */
export interface ColourTarget {
  /** Whether the stream is a terminal. */
  isTTY?: boolean;
}

/**
 * Decides whether to colour output written to a stream.
 *
 * `NO_COLOR` (any non-empty value) turns colour off; `FORCE_COLOR` (anything but `0` or `false`) turns it on;
 * otherwise colour is on for terminals only (and never for `TERM=dumb`).
 */
export function shouldColour(stream: ColourTarget, env: NodeJS.ProcessEnv, flag?: boolean): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

const wrap =
  (enabled: boolean, open: number, close: number): Paint =>
  (text) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;

/** Builds the colour functions; with `enabled` false every function returns its text unchanged. */
export function createColours(enabled: boolean): Colours {
  return {
    enabled,
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    cyan: wrap(enabled, 36, 39),
  };
}

/** Removes ANSI escape sequences, to measure the printed width of text. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}
