/**
 * Colours (`node:util` `styleText`) that respect `--no-color`, `NO_COLOR`, `FORCE_COLOR` and non-TTY streams.
 *
 * @module
 */
import { styleText } from 'node:util';

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

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

/**
 * `node:util` `styleText`. Whether to colour is decided above (`shouldColour`), so newer Node versions are told not
 * to check a stream of their own (`validateStream: false`); Node 20 takes no options and always styles.
 */
const style = styleText as (format: Style, text: string, options?: { validateStream?: boolean }) => string;

const paint =
  (enabled: boolean, format: Style): Paint =>
  (text) =>
    enabled ? style(format, text, { validateStream: false }) : text;

/** Builds the colour functions; with `enabled` false every function returns its text unchanged. */
export function createColours(enabled: boolean): Colours {
  return {
    enabled,
    bold: paint(enabled, 'bold'),
    dim: paint(enabled, 'dim'),
    red: paint(enabled, 'red'),
    green: paint(enabled, 'green'),
    yellow: paint(enabled, 'yellow'),
    cyan: paint(enabled, 'cyan'),
  };
}

/** Removes ANSI escape sequences, to measure the printed width of text. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}
