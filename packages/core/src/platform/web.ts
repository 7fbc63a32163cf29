/**
 * The platform module for runtimes without Node's built-ins (browsers, plugin panels, workers; the `default`
 * export condition of `#platform`): pure path flavours.
 */
import type { PathFlavours } from '../paths.js';
import { purePosix, pureWin32 } from './pure-path.js';
import type { Platform } from './types.js';

/** Pure posix and win32 flavours; posix is the native one. */
export const flavours: PathFlavours = { posix: purePosix, win32: pureWin32, native: purePosix };

/** No environment here: a client is given its URL, or uses the default. */
export function envoyUrlFromEnvironment(): string | undefined {
  return undefined;
}

/** The RE2 engine is not loaded with the page: patterns are checked by it before sending (`re2PatternProblems`). */
export const re2Problem: Platform['re2Problem'] = undefined;

/** A cause as text: an error's name, message, stack, own fields and causes; other values as JSON, else `String`. */
export function describeCause(cause: unknown, depth = 10): string {
  if (depth < 0) return '[...]';
  if (cause instanceof Error) {
    const own: Record<string, unknown> = { ...cause };
    const nested = cause.cause === undefined ? '' : `\n[cause]: ${describeCause(cause.cause, depth - 1)}`;
    return `${cause.stack ?? `${cause.name}: ${cause.message}`}${Object.keys(own).length > 0 ? ` ${json(own)}` : ''}${nested}`;
  }
  return typeof cause === 'string' ? cause : json(cause);
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
