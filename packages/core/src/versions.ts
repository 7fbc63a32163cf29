/**
 * Version ordering for product and plugin versions: `17.5.99` < `17.5.229`, Nuke `12.2v3` < `12.2v4`
 * (`v` after a digit is a separator), `R19` < `R20` < `S24`.
 */

/** One part of a version: a number, or a run of letters. */
export type VersionToken = number | string;

/** Splits a version into numeric and alphabetic parts; a `v` between digits is a separator. */
export function versionTokens(version: string): VersionToken[] {
  const text = version.replace(/(\d)v(?=\d)/gi, '$1.');
  const tokens: VersionToken[] = [];
  for (const match of text.matchAll(/\d+|[^\d\W_]+/g)) {
    const part = match[0];
    tokens.push(/^\d/.test(part) ? Number(part) : part.toLowerCase());
  }
  return tokens;
}

/** Compares two versions part by part: numbers numerically, words alphabetically, numbers before words. */
export function compareVersions(a: string, b: string): number {
  return compareVersionTokens(versionTokens(a), versionTokens(b), a, b);
}

/**
 * {@link compareVersions} on versions already split into `left` and `right` (by {@link versionTokens} or an
 * equivalent tokenizer); `a` and `b`, the versions themselves, break ties. Internal to `@gm/core`.
 */
export function compareVersionTokens(
  left: readonly (number | string)[],
  right: readonly (number | string)[],
  a: string,
  b: string,
): number {
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const x = left[i] as VersionToken;
    const y = right[i] as VersionToken;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  if (left.length !== right.length) return left.length - right.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The versions sorted oldest first, without duplicates. */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort(compareVersions);
}

/**
 * Whether `version` is `prefix` or starts with it followed by a separator: `17.5` matches `17.5.173` but not
 * `17.50.1`; `12.2` matches `12.2v4`.
 */
export function matchesVersionPrefix(version: string, prefix: string): boolean {
  if (version === prefix) return true;
  if (!version.startsWith(prefix)) return false;
  const rest = version.slice(prefix.length);
  return /^[.\-_ ]/.test(rest) || (/\d$/.test(prefix) && /^v\d/i.test(rest));
}
