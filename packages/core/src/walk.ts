/**
 * The disk walk behind `Project.addFiles`: a folder in, its files out, as paths relative to the folder with
 * forward slashes. One `readdir` per folder (the entry types come with the names, so no `stat` per file), every
 * folder of a level read at once (the reads run on libuv's threads while this one lists what came back), one
 * pass, no second walk to tell links apart.
 */
import { readdir, realpathSync, statSync } from 'node:fs';
import { flavourOf, type PathFlavour, relativeInside } from './paths.js';

/** One directory entry as {@link WalkFs.readdir} gives it (a `node:fs` `Dirent`). */
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
  /** `fs.readdir(path, { withFileTypes: true }, callback)`. */
  readdir(
    path: string,
    options: { withFileTypes: true },
    callback: (error: NodeJS.ErrnoException | null, entries: readonly WalkEntry[]) => void,
  ): void;
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
  /** The path flavour of `folder` and `within` (`node:path` posix or win32); default the one `folder` is written in. */
  flavour?: PathFlavour;
  /**
   * Also read each file's size: one `stat` per file, several times slower than the walk itself (the sizes are not
   * in the folder listing). Default false.
   */
  sizes?: boolean;
  /** Put before every path of the answer, such as `assets/` for a folder `assets` of a project. Default `''`. */
  prefix?: string;
  /** The file system; default `node:fs`. */
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
   * UTF-16 code units (the order of `Project.files`). A link to a file inside {@link WalkOptions.within} is listed under the link's own path; a
   * link to a folder inside it is walked (once per chain of links: a link back into a folder being walked is
   * skipped). Sockets, pipes and devices are left out.
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

const nodeFs: WalkFs = { readdir, realpathSync: realpathSync.native, statSync };

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A folder being read: where it is, how its paths start, the real folders of the links that led to it. */
interface Folder {
  abs: string;
  prefix: string;
  seen: ReadonlySet<string>;
  /** Its entries' names sorted as full paths sort: a folder `a` as `a/` (after `a.txt`, before `a0`). */
  names: string[];
  /** The sub-folders, by `name/`. */
  folders: Map<string, Folder>;
}

/**
 * Walks `folder` and lists its files (see {@link WalkResult}). Every folder is read once; the folders found are
 * read concurrently, and the list is put together in order at the end, so it comes out sorted without sorting it
 * whole. Links are resolved with `realpath` as they are met (links are few).
 *
 * @param folder - an absolute folder (or relative to the working directory), in native form.
 */
export function walkFolder(folder: string, options: WalkOptions = {}): Promise<WalkResult> {
  const flavour = options.flavour ?? flavourOf(folder);
  const fs = options.fs ?? nodeFs;
  const root = flavour.resolve(folder);
  const base = options.prefix ?? '';
  const problems: WalkProblem[] = [];
  const unreadable: string[] = [];
  let start: string;
  try {
    start = fs.realpathSync(root);
  } catch {
    return Promise.resolve({
      files: [],
      ...(options.sizes ? { sizes: [] } : {}),
      problems,
      unreadable: [base.replace(/\/$/, '')],
    });
  }
  const inside = options.within ?? start;

  return new Promise((resolve) => {
    let pending = 0;
    const read = (node: Folder): void => {
      pending++;
      fs.readdir(node.abs, { withFileTypes: true }, (error, entries) => {
        if (error) {
          unreadable.push(node.prefix.endsWith('/') ? node.prefix.slice(0, -1) : node.prefix);
        } else {
          list(node, entries);
        }
        if (--pending === 0) resolve(finish(top));
      });
    };
    const list = (node: Folder, entries: readonly WalkEntry[]): void => {
      const { names, folders, abs: dir, prefix, seen } = node;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as WalkEntry;
        const name = entry.name;
        if (entry.isFile()) {
          names.push(name);
        } else if (entry.isDirectory()) {
          const key = `${name}/`;
          const sub = newFolder(flavour.join(dir, name), prefix + key, seen);
          names.push(key);
          folders.set(key, sub);
          read(sub);
        } else if (entry.isSymbolicLink()) {
          const abs = flavour.join(dir, name);
          const shown = prefix + name;
          let real: string;
          let info: { isDirectory(): boolean };
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
          if (!info.isDirectory()) {
            names.push(name);
          } else if (!seen.has(real)) {
            const key = `${name}/`;
            const sub = newFolder(abs, prefix + key, new Set([...seen, real]));
            names.push(key);
            folders.set(key, sub);
            read(sub);
          }
        }
      }
      names.sort();
    };
    const top = newFolder(root, base, new Set([start]));
    read(top);
  });

  function newFolder(abs: string, prefix: string, seen: ReadonlySet<string>): Folder {
    return { abs, prefix, seen, names: [], folders: new Map() };
  }

  function finish(top: Folder): WalkResult {
    const files: string[] = [];
    const sizes: number[] | undefined = options.sizes ? [] : undefined;
    const put = (node: Folder): void => {
      const { names, folders, prefix } = node;
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        const sub = folders.size > 0 ? folders.get(name) : undefined;
        if (sub) {
          put(sub);
        } else if (sizes) {
          try {
            sizes.push(fs.statSync(flavour.join(node.abs, name)).size);
            files.push(prefix + name);
          } catch {
            // Removed since the folder was read: not there to send.
          }
        } else {
          files.push(prefix + name);
        }
      }
    };
    put(top);
    problems.sort((a, b) => compareCodeUnits(a.path, b.path));
    unreadable.sort(compareCodeUnits);
    return { files, ...(sizes ? { sizes } : {}), problems, unreadable };
  }
}
