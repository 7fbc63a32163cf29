/**
 * The platform module for runtimes with Node's built-ins (Node, Deno, Bun; the `node` export condition of
 * `#platform`): `node:path`, RE2 loaded with the package, causes shown by `node:util`'s `inspect`. A leaf: it
 * imports nothing of the package but types (the disk and the turns between processes are `#disk`'s).
 */
import nodePath from 'node:path';
import { inspect } from 'node:util';
import { RE2JS } from 're2js';
import type { PathFlavours } from '../paths.js';

/** `node:path`'s flavours. */
export const flavours: PathFlavours = { posix: nodePath.posix, win32: nodePath.win32, native: nodePath };

/** `GM_ENVOY_URL`, read when a client is made (so a change to it is seen by the next client); unset or empty: none. */
export function envoyUrlFromEnvironment(): string | undefined {
  const value = process.env.GM_ENVOY_URL;
  return value === undefined || value === '' ? undefined : value;
}

/** RE2's verdict on a pattern, from re2js loaded with the package. */
export function re2Problem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `inspect(cause)`, ten levels deep. */
export function describeCause(cause: unknown): string {
  return inspect(cause, { depth: 10 });
}
