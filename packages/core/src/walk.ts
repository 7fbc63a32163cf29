/**
 * The disk walk behind `Project.addFiles`: a folder in, its files out, as paths relative to the folder with
 * forward slashes. One `readdir` per folder (the entry types come with the names, so no `stat` per file), one
 * pass, no second walk to tell links apart.
 */
import { InvalidRequestError } from './errors.js';
import { flavourOf, type PathFlavour, relativeInside } from './paths.js';
import { compareCodeUnits } from './text.js';

/** One directory entry as {@link WalkFs.readdirSync} gives it (a `node:fs` `Dirent`). */
export interface WalkEntry {
  /** The entry's name (no separator). */
  readonly name: string;
  /** Whether it is a regular file. */
  isFile(): boolean;
  /** Whether it is a folder. */
  isDirectory(): boolean;
  /** Whether it is a symbolic link (or, on Windows, a junction). */
  isSymbolicLink(): boolean;
}

/** The few `node:fs` functions the walk uses; tests pass their own to walk a Windows-shaped tree anywhere. */
export interface WalkFs {
  /** `fs.readdirSync(path, { withFileTypes: true })`. */
  readdirSync(path: string, options: { withFileTypes: true }): readonly WalkEntry[];
  /** `fs.realpathSync.native`: the target of a link, every link on the way resolved. */
  realpathSync(path: string): string;
  /** `fs.statSync` (follows links): only `isDirectory()` and `size` are read. */
  statSync(path: string): { isDirectory(): boolean; size: number };
}

/** Options of {@link walkFolder}. */
export interface WalkOptions {
  /**
   * The real (links resolved) folder every symbolic link must lead into, such as the project folder (which may
   * be above the walked folder). Default: the real path of the walked folder.
   */
  within?: string;
  /** The path flavour of `folder` and `within` (`node:path` posix or win32); default: the one `folder` is in. */
  flavour?: PathFlavour;
  /** Also read each file's size (one `stat` per file, several times slower than the walk itself). Default false. */
  sizes?: boolean;
  /** Put before every path of the answer, such as `assets/` for a folder `assets` of a project. Default `''`. */
  prefix?: string;
  /**
   * Leave out the files whose name ends with this (such as `.gm-download.tmp`, the temporary files of downloads),
   * tested on each name as the folder's listing gives it. Default: none left out.
   */
  skipSuffix?: string;
  /** The file system; default `node:fs` (required where the runtime has no disk, such as a browser). */
  fs?: WalkFs;
}

/** A symbolic link the walk did not follow. */
export interface WalkProblem {
  /** The link's path relative to the walked folder, with forward slashes ({@link WalkOptions.prefix} first). */
  path: string;
  /** `broken`: its target does not exist; `outside`: it leads out of {@link WalkOptions.within}. */
  kind: 'broken' | 'outside';
  /** For `outside`: where it leads (a real, native path). */
  target?: string;
}

/** The answer of {@link walkFolder}. */
export interface WalkResult {
  /**
   * Every file below the folder, relative to it with forward slashes ({@link WalkOptions.prefix} first), sorted by
   * UTF-16 code units (the order of `Project.files`). A link to a file inside {@link WalkOptions.within} is listed
   * under the link's own path; a link to a folder inside it is walked (once per chain of links: a link back into a
   * folder being walked is skipped). Sockets, pipes and devices are left out.
   */
  files: string[];
  /** With {@link WalkOptions.sizes}: each file's size in bytes, at the same index as in `files`. */
  sizes?: number[];
  /** Links that were not followed: broken, or leading out of {@link WalkOptions.within}. Sorted by path. */
  problems: WalkProblem[];
  /**
   * Folders that could not be read (permissions, removed during the walk), relative with forward slashes
   * ({@link WalkOptions.prefix} first, without a trailing slash); their files are not listed.
   */
  unreadable: string[];
}

/**
 * Adds the paths of `entries` to `files` when every entry is a file and their names come sorted (entries whose
 * name ends with `skipSuffix` left out); otherwise adds nothing and answers false.
 */
function listFiles(
  entries: readonly WalkEntry[],
  prefix: string,
  skipSuffix: string,
  files: string[],
): boolean {
  const start = files.length;
  let last = '';
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as WalkEntry;
    const name = entry.name;
    if (!entry.isFile() || name < last) {
      files.length = start;
      return false;
    }
    if (skipSuffix !== '' && name.endsWith(skipSuffix)) continue;
    last = name;
    files.push(prefix + name);
  }
  return true;
}

/**
 * Walks `folder` and lists its files (see {@link WalkResult}). Synchronous: one `readdir` per folder, each folder's
 * names put in order (a check when they come sorted), sub-folders walked in their place, so the list comes out
 * sorted without sorting it whole. (Reading folders concurrently was tried: no faster on a loaded machine, and
 * 1.4 times the memory.)
 *
 * @param folder - an absolute folder (or relative to the working directory), in native form.
 */
export function walkFolder(folder: string, options: WalkOptions = {}): WalkResult {
  const flavour = options.flavour ?? flavourOf(folder);
  const fs = options.fs;
  if (fs === undefined) {
    throw InvalidRequestError.fromProblems(
      [
        {
          field: 'fs',
          message: 'this runtime has no disk to walk: pass options.fs (the calls of node:fs it needs)',
        },
      ],
      'Walking a folder',
    );
  }
  const withSizes = options.sizes === true;
  const skipSuffix = options.skipSuffix ?? '';
  const root = flavour.resolve(folder);
  const base = options.prefix ?? '';
  const files: string[] = [];
  const sizes: number[] | undefined = withSizes ? [] : undefined;
  const problems: WalkProblem[] = [];
  const unreadable: string[] = [];
  let start: string;
  try {
    start = fs.realpathSync(root);
  } catch {
    return { files, ...(sizes ? { sizes } : {}), problems, unreadable: [base.replace(/\/$/, '')] };
  }
  const inside = options.within ?? start;

  const visit = (dir: string, prefix: string, seen: ReadonlySet<string>): void => {
    let entries: readonly WalkEntry[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      unreadable.push(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
      return;
    }
    // A folder of files only, listed sorted (the usual leaf folder): its paths go straight into the list.
    if (!withSizes && listFiles(entries, prefix, skipSuffix, files)) return;
    // Names sorted as the full paths will be: a folder `a` sorts as `a/` (after `a.txt`, before `a0`). The
    // listing mostly comes sorted already (libuv sorts it on Unix), so it is only checked.
    const names: string[] = [];
    let folders: Map<string, { abs: string; seen: ReadonlySet<string> }> | undefined;
    let sorted = true;
    let last = '';
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as WalkEntry;
      let key = entry.name;
      if (entry.isFile()) {
        if (skipSuffix !== '' && key.endsWith(skipSuffix)) continue;
      } else if (entry.isDirectory()) {
        key = `${key}/`;
        folders ??= new Map();
        folders.set(key, { abs: flavour.join(dir, entry.name), seen });
      } else if (entry.isSymbolicLink()) {
        const abs = flavour.join(dir, key);
        const shown = prefix + key;
        let real: string;
        let info: { isDirectory(): boolean; size: number };
        try {
          real = fs.realpathSync(abs);
        } catch {
          problems.push({ path: shown, kind: 'broken' });
          continue;
        }
        if (relativeInside(inside, real, flavour) === undefined) {
          problems.push({ path: shown, kind: 'outside', target: real });
          continue;
        }
        try {
          info = fs.statSync(real);
        } catch {
          problems.push({ path: shown, kind: 'broken' });
          continue;
        }
        if (info.isDirectory()) {
          if (seen.has(real)) continue;
          key = `${key}/`;
          folders ??= new Map();
          folders.set(key, { abs, seen: new Set([...seen, real]) });
        } else if (skipSuffix !== '' && key.endsWith(skipSuffix)) {
          continue;
        }
      } else {
        continue; // sockets, pipes, devices
      }
      if (key < last) sorted = false;
      last = key;
      names.push(key);
    }
    if (!sorted) names.sort();
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const sub = folders?.get(name);
      if (sub) {
        visit(sub.abs, prefix + name, sub.seen);
      } else if (sizes) {
        try {
          sizes.push(fs.statSync(flavour.join(dir, name)).size);
          files.push(prefix + name);
        } catch {
          // Removed since the folder was read: not there to send.
        }
      } else {
        files.push(prefix + name);
      }
    }
  };

  visit(root, base, new Set([start]));
  problems.sort((a, b) => compareCodeUnits(a.path, b.path));
  return { files, ...(sizes ? { sizes } : {}), problems, unreadable };
}
