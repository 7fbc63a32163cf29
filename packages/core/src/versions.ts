/**
 * Version ordering for product and plugin versions: `17.5.99` < `17.5.229`, Nuke `12.2v3` < `12.2v4`
 * (`v` after a digit is a separator), `R19` < `R20` < `S24`.
 */

/** One part of a version: a number, or a run of letters. */
export type VersionToken = number | string;

/**
 * Splits a version into numeric and alphabetic parts: runs of digits as numbers, runs of ASCII letters lowercased,
 * anything else a separator, and a lone `v` or `V` between two digits a separator too (`12.2v4` is 12, 2, 4).
 */
export function versionTokens(version: string): VersionToken[] {
  const tokens: VersionToken[] = [];
  scanVersion(version, tokens);
  return tokens;
}

/**
 * The one scanner of versions, behind {@link versionTokens} and every comparison: appends the parts of `version`
 * to `out`. One pass over the characters, without regular expressions or a string per number: the resolver splits
 * every version of a catalogue. Internal to `@gm/core`.
 */
export function scanVersion(version: string, out: VersionToken[]): void {
  // Digits and letters are tested in place, not by helper functions: before V8 optimizes this code, each call
  // costs more than the test.
  const length = version.length;
  let i = 0;
  while (i < length) {
    const code = version.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      // Up to 15 digits the number is exact as it is read; a longer run is left to Number, which rounds it.
      let value = code - 48;
      let end = i + 1;
      for (; end < length; end++) {
        const digit = version.charCodeAt(end) - 48;
        if (digit < 0 || digit > 9) break;
        value = value * 10 + digit;
      }
      out.push(end - i <= 15 ? value : Number(version.slice(i, end)));
      i = end;
    } else if ((code | 32) >= 97 && (code | 32) <= 122) {
      // An ASCII letter: `| 32` lowercases A–Z and changes no other code into a–z.
      let end = i + 1;
      for (; end < length; end++) {
        const next = version.charCodeAt(end) | 32;
        if (next < 97 || next > 122) break;
      }
      // A lone v between two digits is a separator.
      const before = i > 0 ? version.charCodeAt(i - 1) : 0;
      const after = end < length ? version.charCodeAt(end) : 0;
      if (
        !(end === i + 1 && (code | 32) === 118 && before >= 48 && before <= 57 && after >= 48 && after <= 57)
      ) {
        out.push(version.slice(i, end).toLowerCase());
      }
      i = end;
    } else {
      i++;
    }
  }
}

/** Compares two versions part by part: numbers numerically, words alphabetically, numbers before words. */
export function compareVersions(a: string, b: string): number {
  const parts: VersionToken[] = [];
  scanVersion(a, parts);
  const middle = parts.length;
  scanVersion(b, parts);
  return compareVersionParts(parts, 0, middle, middle, parts.length, a, b);
}

/**
 * {@link compareVersions} on versions already split by {@link scanVersion} into one array: version `a` is
 * `parts[aStart .. aEnd)` and `b` is `parts[bStart .. bEnd)`; `a` and `b` themselves break ties. Internal to
 * `@gm/core`.
 */
export function compareVersionParts(
  parts: readonly VersionToken[],
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
  a: string,
  b: string,
): number {
  const length = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < length; i++) {
    const x = parts[aStart + i] as VersionToken;
    const y = parts[bStart + i] as VersionToken;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  if (aEnd - aStart !== bEnd - bStart) return aEnd - aStart - (bEnd - bStart);
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
