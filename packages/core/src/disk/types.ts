import type { FieldError } from '../errors.js';
import type { Project } from '../models/project.js';
import type { PathFlavour } from '../paths.js';
import type { WalkFs, WalkOptions, WalkResult } from '../walk.js';

/** What `Project.addFiles` asks the disk for: its entries, already placed inside the project folder by their paths. */
export interface CollectRequest {
  /** The project folder (absolute, native). */
  localRoot: string;
  /** Its path flavour. */
  flavour: PathFlavour;
  /**
   * Each file or folder to add: its absolute path, its path below the project folder (forward slashes; `''` for
   * the folder itself; undefined when it lies outside, a problem found already), the field that named it, and the
   * path as the caller wrote it.
   */
  entries: readonly { abs: string; rel: string | undefined; field: string; shown: string }[];
  /** The problems found before reading the disk, thrown with those found on it. */
  problems: FieldError[];
  /** Why a file named on its own (not found by a walk) is never uploaded, or undefined. */
  excluded(rel: string): string | undefined;
  /** Files whose names end with this are left out of the walks as they are read (temporary downloads). */
  skipSuffix: string;
}

/** The disk, where the runtime has one: what `Project.addFiles` and the folder walk read. */
export interface Disk {
  /** The synchronous calls of the folder walk. */
  readonly walkFs: WalkFs;
  /**
   * The files of `Project.addFiles`'s entries, read from the disk: the files each folder's walk found (a list
   * each, sorted without duplicates) and the files named on their own. Throws an `InvalidRequestError` naming, with
   * the request's earlier problems, every entry that does not exist, leads out of the project folder by a symbolic
   * link, or is excluded; and one naming the project folder when it cannot be read.
   */
  collect(request: CollectRequest): Promise<{ walks: string[][]; single: string[] }>;
  /** The download folders of `project` that are a file or lie below one (see `downloadFolderProblems`). */
  downloadFolderProblems(project: Project): Promise<FieldError[]>;
  /**
   * The folder walk (`walkFolder`) over {@link Disk.walkFs}. Reached through the disk, so that a runtime without
   * one never loads it: a browser bundle holds no walk.
   */
  walk(folder: string, options: WalkOptions): WalkResult;
}

/**
 * What `#disk` gives: the parts that need a disk and processes (one module for Node, Deno and Bun; one for every
 * other runtime). Unlike `#platform`, whose modules are leaves that import nothing of the package, these are
 * built from the package's own modules (the folder walk, the turns between processes).
 */
export interface DiskPlatform {
  /** The disk, or `undefined` where the runtime has none (browsers, plugin panels, workers). */
  readonly disk: Disk | undefined;
  /**
   * Waits until no other process of this user runs an operation of another account on the Envoy `envoy`, and
   * resolves to the function that ends this one; `undefined` where the runtime has no processes to share with.
   */
  readonly takeTurn:
    | ((envoy: string, account: string, signal?: AbortSignal) => Promise<() => void>)
    | undefined;
}
