/**
 * File sequences: `####` and `%04d` (Nuke, Blender), `$F4` / `${F4}` (Houdini), `<UDIM>` and `<UVTILE>` (tiles).
 * A pattern is matched against its folder's listing once; frames are counted within a frame range when given.
 */
import { readdir } from 'node:fs/promises';
import { expandFrames, type FrameRange } from '@gm/products';
import type { PathFlavour } from './paths.js';
import type { SequenceMatch } from './types.js';

const TOKEN = /(#+)|%0?(\d*)d|\$\{?F(\d*)\}?(?![A-Za-z_])|(<UDIM>)|(<UVTILE>)/i;

/** Most frames counted one by one within a frame range; past it the range is counted up to here. */
export const MAX_FRAMES_CHECKED = 1_000_000;

/** The sequence token in the file-name part of `p`, if any. */
export function sequenceToken(p: string): string | undefined {
  const name = p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
  return TOKEN.exec(name)?.[0];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regular expression for the file names of the sequence whose file name is `name`, and what it captures. */
export function sequenceRegex(name: string): { regex: RegExp; tiles: boolean; token: string } | undefined {
  const m = TOKEN.exec(name);
  if (!m) return undefined;
  const before = escapeRegex(name.slice(0, m.index));
  const after = escapeRegex(name.slice(m.index + m[0].length));
  let middle: string;
  let tiles = false;
  if (m[1] !== undefined) middle = `(-?\\d{${m[1].length},})`;
  else if (m[2] !== undefined) middle = m[2] ? `(-?\\d{${Number(m[2])},})` : '(-?\\d+)';
  else if (m[3] !== undefined) middle = m[3] ? `(-?\\d{${Number(m[3])},})` : '(-?\\d+)';
  else if (m[4] !== undefined) {
    middle = '(1\\d{3})';
    tiles = true;
  } else {
    middle = '(u\\d+_v\\d+)';
    tiles = true;
  }
  return { regex: new RegExp(`^${before}${middle}${after}$`, 'i'), tiles, token: m[0] };
}

/** A folder's listing once read: its names (`undefined`: it cannot be read), and a set of them for look-ups. */
export interface Listing {
  readonly names: string[] | undefined;
  /** Whether `name` is one of the names (a set made on the first look-up, not a scan of the list per name). */
  has(name: string): boolean;
}

/** Caches folder listings for one scan: each folder read once, and known without waiting once it has been read. */
export class FolderCache {
  readonly #listings = new Map<string, Promise<string[] | undefined>>();
  readonly #settled = new Map<string, Listing>();

  /** The names in `folder`: none when it does not exist; `undefined` when it cannot be read (permissions). */
  list(folder: string): Promise<string[] | undefined> {
    let listing = this.#listings.get(folder);
    if (!listing) {
      listing = readdir(folder)
        .catch((error: { code?: string }) =>
          error.code === 'ENOENT' || error.code === 'ENOTDIR' ? [] : undefined,
        )
        .then((names) => {
          this.#settled.set(folder, listingOf(names));
          return names;
        });
      this.#listings.set(folder, listing);
    }
    return listing;
  }

  /** The listing of `folder` when {@link FolderCache.list} has read it already; `undefined` before. */
  settled(folder: string): Listing | undefined {
    return this.#settled.get(folder);
  }
}

function listingOf(names: string[] | undefined): Listing {
  let set: Set<string> | undefined;
  return {
    names,
    has: (name) => {
      set ??= new Set(names);
      return set.has(name);
    },
  };
}

/** Frame numbers as ascending `[first, last]` runs of consecutive frames, at most `max` runs. */
export function frameRanges(frames: readonly number[], max: number): [number, number][] {
  const sorted = [...frames].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (last && f <= last[1] + 1) last[1] = Math.max(last[1], f);
    else if (out.length < max) out.push([f, f]);
    else break;
  }
  return out;
}

/** Matches the sequence pattern `pattern` (an absolute path) against the names of its folder, read already. */
export function matchListed(
  pattern: string,
  names: readonly string[],
  flavour: PathFlavour,
  frames: readonly FrameRange[] | undefined,
  within?: readonly [first: number, last: number],
  declaredTiles?: readonly number[],
): SequenceMatch | undefined {
  const dir = flavour.dirname(pattern);
  const spec = sequenceRegex(flavour.basename(pattern));
  if (!spec) return undefined;
  const present = new Map<number, string>();
  const tiles: string[] = [];
  for (const name of names) {
    const m = spec.regex.exec(name);
    if (!m) continue;
    if (spec.tiles) tiles.push(name);
    else present.set(Number(m[1]), name);
  }
  if (spec.tiles && declaredTiles && spec.token.toUpperCase() === '<UDIM>') {
    // The scene says which tiles it has: each one is expected on disk.
    const byTile = new Map(tiles.map((n) => [Number(spec.regex.exec(n)![1]), n]));
    const files: string[] = [];
    const missingFrames: number[] = [];
    let missing = 0;
    for (const tile of [...new Set(declaredTiles)].sort((a, b) => a - b)) {
      const name = byTile.get(tile);
      if (name !== undefined) files.push(flavour.join(dir, name));
      else if (missing++ < 20) missingFrames.push(tile);
    }
    return { token: spec.token, found: files.length, missing, missingFrames, foundFrames: [], files };
  }
  if (spec.tiles) {
    const files = tiles.sort().map((n) => flavour.join(dir, n));
    return { token: spec.token, found: tiles.length, missing: 0, missingFrames: [], foundFrames: [], files };
  }
  let found = 0;
  let missing = 0;
  const missingFrames: number[] = [];
  const files: string[] = [];
  const foundList: number[] = [];
  const consider = (frame: number) => {
    const name = present.get(frame);
    if (name !== undefined) {
      found++;
      foundList.push(frame);
      files.push(flavour.join(dir, name));
    } else {
      missing++;
      if (missingFrames.length < 20) missingFrames.push(frame);
    }
  };
  // The scene's own range for this file (a Nuke Read's first/last) bounds the job's range, or stands for it.
  // When the job's range does not reach the scene's range at all, the scene's range is what it reads.
  const overlaps = !within || !frames || frames.some((r) => r.start <= within[1] && r.end >= within[0]);
  const ranges: readonly FrameRange[] | undefined =
    frames && frames.length > 0 && overlaps
      ? frames
      : within
        ? [{ start: within[0], end: within[1], step: 1 }]
        : undefined;
  if (ranges) {
    const seen = new Set<number>();
    let checked = 0;
    for (const frame of expandFrames(ranges)) {
      if (within && (frame < within[0] || frame > within[1])) continue;
      if (seen.has(frame)) continue;
      seen.add(frame);
      consider(frame);
      if (++checked >= MAX_FRAMES_CHECKED) break;
    }
    missingFrames.sort((a, b) => a - b);
  } else if (present.size > 0) {
    const numbers = [...present.keys()].sort((a, b) => a - b);
    const first = numbers[0]!;
    const last = numbers[numbers.length - 1]!;
    if (last - first < MAX_FRAMES_CHECKED) for (let f = first; f <= last; f++) consider(f);
    else for (const f of numbers) consider(f);
  }
  return { token: spec.token, found, missing, missingFrames, foundFrames: frameRanges(foundList, 20), files };
}
