/**
 * Version ordering for product and plugin versions: `17.5.99` < `17.5.229`, Nuke `12.2v3` < `12.2v4`
 * (`v` after a digit is a separator), `R19` < `R20` < `S24`.
 */

/** One part of a version: a number, or a run of letters. */
export type VersionToken = number | string;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * Splits a version into numeric and alphabetic parts: runs of digits as numbers, runs of ASCII letters lowercased,
 * anything else a separator, and a lone `v` or `V` between two digits a separator too (`12.2v4` is 12, 2, 4). One
 * pass over the characters, without regular expressions: the resolver splits every version of a catalogue.
 */
export function versionTokens(version: string): VersionToken[] {
  const tokens: VersionToken[] = [];
  const length = version.length;
  let i = 0;
  while (i < length) {
    const code = version.charCodeAt(i);
    if (isDigit(code)) {
      let end = i + 1;
      while (end < length && isDigit(version.charCodeAt(end))) end++;
      tokens.push(Number(version.slice(i, end)));
      i = end;
    } else if (isLetter(code)) {
      let end = i + 1;
      while (end < length && isLetter(version.charCodeAt(end))) end++;
      const lone = end === i + 1 && (code === 118 || code === 86);
      if (
        !(
          lone &&
          i > 0 &&
          isDigit(version.charCodeAt(i - 1)) &&
          end < length &&
          isDigit(version.charCodeAt(end))
        )
      ) {
        tokens.push(version.slice(i, end).toLowerCase());
      }
      i = end;
    } else {
      i++;
    }
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
