/**
 * What every command receives: the streams, the global options and the output helpers.
 *
 * @module
 */
import type { Command } from 'commander';
import { createOutput, type Io, type Output } from './output.js';

/** The options every command accepts (`gm --help` lists them). */
export interface GlobalOptions {
  /** Envoy URL (`--url`, `GM_ENVOY_URL`). */
  url?: string;
  /** Profile name (`--profile`, `GM_PROFILE`). */
  profile?: string;
  /** Account email (`--email`, `GM_EMAIL`). */
  email?: string;
  /** Account access key (`--access-key`, `GM_ACCESS_KEY`). */
  accessKey?: string;
  /** Time limit of one request, in seconds (`--timeout`, `GM_TIMEOUT`). */
  timeout?: string;
  /** Machine readable output (`--json`). */
  json?: boolean;
  /** `false` with `--no-color`. */
  color?: boolean;
  /** Fewer messages (`--quiet`). */
  quiet?: boolean;
}

/** The context of one command run. */
export interface Context {
  /** The streams and environment. */
  io: Io;
  /** The global options. */
  globals: GlobalOptions;
  /** Output helpers configured from the global options. */
  out: Output;
  /** Called on Ctrl-C by long running commands to stop cleanly. */
  signal: AbortSignal;
  /**
   * Where a global option's value came from: `'cli'` (a flag), `'env'` (its variable), `'default'`, or
   * `undefined` when it was not given.
   */
  sourceOf(option: keyof GlobalOptions): string | undefined;
}

/**
 * The context of a command run without the argument parser (a test, another program): the streams, the global
 * options as given, and where each came from (`sourceOf`; by default a given option is a flag).
 */
export function createContext(
  io: Io,
  globals: GlobalOptions = {},
  signal: AbortSignal = new AbortController().signal,
  sourceOf: (option: keyof GlobalOptions) => string | undefined = (option) =>
    globals[option] === undefined ? undefined : 'cli',
): Context {
  return { io, globals, out: createOutput(io, globals), signal, sourceOf };
}

/** Builds the context of a command from its commander object (global options come from the root program). */
export function contextOf(command: Command, io: Io, signal: AbortSignal): Context {
  return createContext(io, command.optsWithGlobals() as GlobalOptions, signal, (option) =>
    command.getOptionValueSourceWithGlobals(option),
  );
}
