/**
 * The one place errors become exit codes and messages.
 *
 * @module
 */
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  GridMarketsError,
  InsufficientCreditsError,
  InvalidRequestError,
} from '@gm/core';
import { CommanderError } from 'commander';
import { CliError, ExitCode, type ExitCodeValue } from './exit-codes.js';
import { safe } from './safe.js';

/** How an error is reported: exit code, message, hint and details. */
export interface ErrorReport {
  /** The exit code. */
  exitCode: ExitCodeValue;
  /** The kind of error (the class name). */
  kind: string;
  /** One-line message. */
  message: string;
  /** What to do next. */
  hint?: string;
  /** Further lines (field errors, job file problems). */
  details: string[];
}

/** Whether an error means the service could not be reached at all (no HTTP answer). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ConnectionError || (error instanceof APIError && error.status === 0);
}

/** Whether Envoy answered 404 (Not Found): for a project, an unknown project. */
export function isNotFound(error: unknown): boolean {
  return error instanceof GridMarketsError && error.status === 404;
}

/** What {@link reportError} knows of the run. */
export interface ReportContext {
  /** The Envoy URL, for hints. */
  url?: string | undefined;
  /** The command that ran, for hints. */
  command?: string | undefined;
}

/**
 * Maps any thrown value to its exit code, message and hint, every text made terminal-safe ({@link safe}: a message
 * may quote Envoy or a file; its own line breaks stay).
 */
export function reportError(error: unknown, context: ReportContext | string = {}): ErrorReport {
  const report = reportOf(error, context);
  return {
    ...report,
    message: safe(report.message, true),
    details: report.details.map((d) => safe(d, true)),
    ...(report.hint === undefined ? {} : { hint: safe(report.hint, true) }),
  };
}

function reportOf(error: unknown, context: ReportContext | string): ErrorReport {
  const { url, command } = typeof context === 'string' ? { url: context, command: undefined } : context;
  if (error instanceof CliError) {
    return {
      exitCode: error.exitCode,
      kind: error.name,
      message: error.message,
      details: error.details,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  if (error instanceof CommanderError) {
    return {
      exitCode: ExitCode.USAGE,
      kind: 'UsageError',
      message: error.message.replace(/^error: /, ''),
      details: [],
    };
  }
  if (error instanceof InvalidRequestError) {
    const first = error.message.split('\n')[0] ?? error.message;
    // A problem the message already states is not listed again under it.
    const details = error.fieldErrors
      .map((e) => (e.field ? `${e.field}: ${e.message}` : e.message))
      .filter((d) => !first.includes(d));
    const jobFile = command === 'submit' || command === 'validate' || command === undefined;
    return {
      exitCode: ExitCode.USAGE,
      kind: error.name,
      message: first,
      details,
      hint: jobFile
        ? 'Fix the request and try again; `gm validate <job file>` checks a job file without submitting it.'
        : `Fix the request and try again; \`gm ${command} --help\` shows what it takes.`,
    };
  }
  if (error instanceof AuthenticationError) {
    return {
      exitCode: ExitCode.AUTH,
      kind: error.name,
      message: error.message,
      details: [],
      hint: 'Run `gm login`, or pass --email and --access-key (or set GM_EMAIL and GM_ACCESS_KEY).',
    };
  }
  if (error instanceof InsufficientCreditsError) {
    return {
      exitCode: ExitCode.CREDITS,
      kind: error.name,
      message: error.message,
      details: [],
      hint: 'Add credits to your GridMarkets account, then submit again; `gm whoami` shows your balance.',
    };
  }
  if (isUnreachable(error)) {
    const e = error as GridMarketsError;
    // A time-out: something answered, or accepted the connection, but no whole answer came within the limit.
    const slow = error instanceof ConnectionError && error.code === 'ETIMEDOUT';
    return {
      exitCode: ExitCode.UNREACHABLE,
      kind: e.name,
      message: e.message,
      details: [],
      hint: slow
        ? `No whole answer came in time${url ? ` from ${url}` : ''}: check that it is Envoy that listens there, or wait longer with --timeout <seconds> (or GM_TIMEOUT; default 30).`
        : `Is Envoy running${url ? ` at ${url}` : ''}? Open the Envoy app, pass --url (or GM_ENVOY_URL), or run \`gm emulator\` for a local one.`,
    };
  }
  if (error instanceof GridMarketsError) {
    return {
      exitCode: ExitCode.SERVICE,
      kind: error.name,
      message: error.message,
      details: [],
      hint: 'The service answered with an error; try again, or check Envoy.',
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    exitCode: ExitCode.UNEXPECTED,
    kind: e.name,
    message: e.message,
    details: [],
    hint: 'This is unexpected; run again with GM_DEBUG=1 for the stack trace and report it.',
  };
}
