import type { FieldError } from '../errors.js';
import type { Project } from '../models/project.js';
import type { WalkFs, WalkOptions, WalkResult } from '../walk.js';

/** The disk, where the runtime has one: what `Project.addFiles` and the folder walk read. */
export interface Disk {
  /** The synchronous calls of the folder walk. */
  readonly walkFs: WalkFs;
  /** `fs.promises.realpath`. */
  realpath(path: string): Promise<string>;
  /** Whether `path` is a folder (links followed); rejects when it does not exist. */
  isDirectory(path: string): Promise<boolean>;
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
