/**
 * Exit codes of `gm`, and the errors the command line raises itself.
 *
 * @module
 */

/** The process exit codes `gm` uses; each one names a kind of outcome a script can branch on. */
export const ExitCode = {
  /** Everything went as asked. */
  OK: 0,
  /** An unexpected failure (a bug, or something the command line did not foresee). */
  UNEXPECTED: 1,
  /** Bad input: unknown flags, a bad job file, or a request the service rejected as invalid. */
  USAGE: 2,
  /** The credentials were refused, or there are none. */
  AUTH: 3,
  /** The account has no credits left for the submission. */
  CREDITS: 4,
  /** The Envoy service could not be reached. */
  UNREACHABLE: 5,
  /** Any other error the service answered with. */
  SERVICE: 6,
  /** A watched project ended `Stopped` or `Failed`. */
  PROJECT_FAILED: 7,
  /** Interrupted by Ctrl-C (SIGINT); a watched project goes on in Envoy. */
  INTERRUPTED: 130,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes as a help text block, used by `gm --help` and the README. */
export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  unexpected error
  2  bad input or usage (bad flags, bad job file, request rejected as invalid)
  3  authentication failed or no credentials
  4  insufficient credits
  5  Envoy not reachable
  6  other service error
  7  a watched project ended Stopped or Failed
  130  interrupted (Ctrl-C); the project goes on in Envoy`;

/** An error the command line raises itself, carrying the exit code and an optional hint on what to do next. */
export class CliError extends Error {
  /** The exit code the process ends with. */
  readonly exitCode: ExitCodeValue;
  /** What the user can do next, printed under the message. */
  readonly hint: string | undefined;
  /** Extra details (for example one line per problem in a job file). */
  readonly details: string[];

  /**
   * @param message - what went wrong
   * @param exitCode - the exit code to end with
   * @param options - a hint on what to do next, details, and the cause
   */
  constructor(
    message: string,
    exitCode: ExitCodeValue,
    options: { hint?: string; details?: string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** Bad input or usage: exit code 2. */
export class UsageError extends CliError {
  /**
   * @param message - what is wrong with the input
   * @param options - a hint, details and the cause
   */
  constructor(message: string, options: { hint?: string; details?: string[]; cause?: unknown } = {}) {
    super(message, ExitCode.USAGE, options);
    this.name = 'UsageError';
  }
}
