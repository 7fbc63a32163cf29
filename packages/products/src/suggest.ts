import { compareVersions, versionTokens } from '@gm/core';

/** Closest-match helpers shared by validation, {@link checkJob} and the `gm` command line. */

/** The Levenshtein edit distance between two strings, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[t.length]!;
}

/** The candidate with the smallest edit distance to `value` (first on ties); `undefined` when there is none. */
export function closest(value: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(value, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The candidate nearest to `value` (case-insensitive edit distance, first on ties) when it is plausibly what was
 * meant: at most a third of the value's length away (at least 1); else `undefined`. For "did you mean" hints.
 *
 * @example didYouMean('blendr', ['blender', 'c4d']) // 'blender'
 */
export function didYouMean(value: string, candidates: Iterable<string>): string | undefined {
  const best = closest(value, candidates);
  return best !== undefined && editDistance(value, best) <= Math.max(1, Math.floor(value.length / 3))
    ? best
    : undefined;
}

/**
 * The offered version nearest to `wanted`: the one sharing the longest leading run of parts, then the
 * smallest numeric gap at the first differing part, then the newer one.
 *
 * @example nearestVersion('17.5.300', ['17.0.459', '17.5.173', '17.5.229', '18.0.1']) // '17.5.229'
 */
export function nearestVersion(wanted: string, offered: readonly string[]): string | undefined {
  const w = versionTokens(wanted);
  let best: { version: string; shared: number; gap: number } | undefined;
  for (const version of offered) {
    const parts = versionTokens(version);
    let shared = 0;
    while (shared < w.length && shared < parts.length && w[shared] === parts[shared]) shared++;
    const x = w[shared];
    const y = parts[shared];
    const gap = typeof x === 'number' && typeof y === 'number' ? Math.abs(x - y) : Number.POSITIVE_INFINITY;
    const better =
      best === undefined ||
      shared > best.shared ||
      (shared === best.shared &&
        (gap < best.gap || (gap === best.gap && compareVersions(version, best.version) > 0)));
    if (better) best = { version, shared, gap };
  }
  return best?.version;
}
