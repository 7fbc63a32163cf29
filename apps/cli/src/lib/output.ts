/**
 * Where `gm` writes: results to stdout (text or JSON), messages and progress to stderr.
 *
 * @module
 */
import { type Colours, createColours, shouldColour } from './colour.js';
import { ProgressBar, type ProgressOptions, type ProgressStream } from './progress.js';

/** A writable stream as `gm` uses it. */
export interface OutStream extends ProgressStream {
  /** Writes text. */
  write(text: string): unknown;
}

/** The input, output and environment a command runs with (the real process, or fakes in tests). */
export interface Io {
  /** Results. */
  stdout: OutStream;
  /** Messages, warnings and progress. */
  stderr: OutStream;
  /** The input stream (prompts). */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Environment variables. */
  env: NodeJS.ProcessEnv;
  /** The working folder. */
  cwd: string;
}

/** The output helpers one command uses. */
export interface Output {
  /** Whether `--json` was given. */
  json: boolean;
  /** Colours for stdout. */
  c: Colours;
  /** Colours for stderr. */
  ce: Colours;
  /** The streams and environment. */
  io: Io;
  /** Prints a line of result text to stdout (ignored with `--json`). */
  print(text?: string): void;
  /** Prints one JSON document to stdout. */
  printJson(value: unknown): void;
  /** Prints one JSON line (an event of a stream) to stdout: `event` first, then the ISO 8601 `time` it is printed at. */
  event(value: { event: string } & Record<string, unknown>): void;
  /** Prints a message to stderr (suppressed with `--quiet`). */
  info(text: string): void;
  /** Prints a warning to stderr. */
  warn(text: string): void;
  /** Starts a progress bar on stderr (a no-op bar with `--quiet` or `--json`). */
  progress(options: Omit<ProgressOptions, 'colours'>): ProgressBar;
}

/** Options of {@link createOutput}. */
export interface OutputOptions {
  /** Machine readable output. */
  json?: boolean;
  /** `false` when `--no-color` was given. */
  color?: boolean;
  /** Fewer messages on stderr. */
  quiet?: boolean;
}

const nullStream: ProgressStream = { write: () => true, isTTY: false };

/** Builds the output helpers for one run. */
export function createOutput(io: Io, options: OutputOptions = {}): Output {
  const json = options.json === true;
  const c = createColours(!json && shouldColour(io.stdout, io.env, options.color));
  const ce = createColours(shouldColour(io.stderr, io.env, options.color));
  return {
    json,
    c,
    ce,
    io,
    print(text = '') {
      if (!json) io.stdout.write(`${text}\n`);
    },
    printJson(value) {
      io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    event({ event, ...rest }) {
      io.stdout.write(`${JSON.stringify({ event, time: new Date().toISOString(), ...rest })}\n`);
    },
    info(text) {
      if (!options.quiet) io.stderr.write(`${text}\n`);
    },
    warn(text) {
      io.stderr.write(`${ce.yellow('warning:')} ${text}\n`);
    },
    progress(opts) {
      const stream = options.quiet || json ? nullStream : io.stderr;
      return new ProgressBar(stream, { ...opts, colours: ce });
    },
  };
}
