import { RE2JS } from 're2js';

/** Longest name, in UTF-8 bytes, that becomes a file or folder. */
export const MAX_NAME_BYTES = 200;
/** Longest watch pattern, in characters. */
export const MAX_PATTERN_LENGTH = 1000;
/** Most jobs one project may hold. */
export const MAX_PROJECT_JOBS = 10_000;

const DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
const CONTROL = /[\u0000-\u001f\u007f]/;
const RESERVED = /[<>:"|?*]/;

/**
 * Why `name` cannot become a file or folder name on Windows, macOS and Linux, or null when it can: 1 to 200
 * UTF-8 bytes, no control character, no `/` or `\`, not `.` or `..`, no trailing space or dot, not a Windows
 * device name (`CON`, `nul.txt`, ...). `strict` also refuses `< > : " | ? *` (output prefixes and folders).
 */
export function nameProblem(name: string, strict = false): string | null {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0) return 'must not be empty';
  if (bytes > MAX_NAME_BYTES) return `must be at most ${MAX_NAME_BYTES} UTF-8 bytes, got ${bytes}`;
  if (CONTROL.test(name)) return 'must not hold control characters (U+0000-U+001F, U+007F)';
  if (/[/\\]/.test(name)) return 'must not hold / or \\';
  if (name === '.' || name === '..') return 'must not be . or ..';
  if (/[ .]$/.test(name)) return 'must not end with a space or a dot';
  if (DEVICE.test(name)) return `${name} is a reserved device name on Windows`;
  if (strict && RESERVED.test(name)) return 'must not hold any of < > : " | ? *';
  return null;
}

/**
 * Compiles a watch pattern with RE2 (linear-time matching, so no pattern can stall the service), or returns why
 * it cannot be used. The pattern must match a whole remote path.
 */
export function compileWatchPattern(pattern: string): { re: RE2JS } | { problem: string } {
  if (pattern.length === 0) return { problem: 'must not be empty' };
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { problem: `must be at most ${MAX_PATTERN_LENGTH} characters, got ${pattern.length}` };
  }
  const control = /[\u0000-\u001f\u007f]/.exec(pattern);
  if (control) {
    const code = (control[0].codePointAt(0) ?? 0).toString(16).padStart(2, '0');
    return {
      problem: `holds the control character \\x${code} at ${control.index}: write it as an escape (\\x${code}) if it is meant`,
    };
  }
  try {
    return { re: RE2JS.compile(pattern) };
  } catch (err) {
    return { problem: `is not an RE2 regular expression: ${(err as Error).message}` };
  }
}

/** A compiled watch pattern: `test(path)` holds when the pattern matches the whole remote path. */
export interface WatchMatcher {
  /** Whether the pattern matches all of `path` (linear time). */
  test(path: string): boolean;
}

const cache = new Map<string, WatchMatcher | null>();

/** A compiled watch pattern, or null when it cannot be compiled (cached: patterns repeat across frames). */
export function watchRegex(pattern: string): WatchMatcher | null {
  let hit = cache.get(pattern);
  if (hit === undefined) {
    const c = compileWatchPattern(pattern);
    hit = 're' in c ? { test: (path: string) => c.re.testExact(path) } : null;
    if (cache.size >= 1000) cache.clear();
    cache.set(pattern, hit);
  }
  return hit;
}

/** A fresh object without a prototype, for maps keyed by names users choose (`__proto__` is just a name). */
export function dict<T>(from?: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (from) for (const k of Object.keys(from)) out[k] = from[k] as T;
  return out;
}

/** `obj[key]` when it is the object's own property, else undefined (never an inherited `constructor`). */
export function own<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
