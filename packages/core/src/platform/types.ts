import type { FieldError } from '../errors.js';
import type { Project } from '../models/project.js';
import type { PathFlavours } from '../paths.js';
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
   * The folder walk (`walkFolder`). Reached through the disk, so that a runtime without one never loads it: a
   * browser bundle holds no walk.
   */
  walk(folder: string, options: WalkOptions): WalkResult;
}

/** What `#platform` gives (one module for Node, Deno and Bun; one for every other runtime). */
export interface Platform {
  /** The path flavours. */
  readonly flavours: PathFlavours;
  /** The disk, or `undefined` where the runtime has none (browsers, plugin panels, workers). */
  readonly disk: Disk | undefined;
  /**
   * Envoy's URL from the environment (`GM_ENVOY_URL`, as the command line reads it) where the runtime has one;
   * `undefined` when it is unset or empty, and always where there is no environment (browsers, plugin panels).
   */
  envoyUrlFromEnvironment(): string | undefined;
  /**
   * RE2's own verdict on a watch pattern (the engine's message, or `undefined` when it compiles), given at once
   * where the runtime loads the engine with the package (Node, Deno, Bun); `undefined` where the engine is loaded
   * only when a pattern must be checked before sending (browsers, plugin panels), to keep pages small.
   */
  readonly re2Problem: ((pattern: string) => string | undefined) | undefined;
  /** Every detail of an error's cause as text, to look for secrets in it. */
  describeCause(cause: unknown): string;
  /**
   * Waits until no other process of this user runs an operation of another account on the Envoy `envoy`, and
   * resolves to the function that ends this one; `undefined` where the runtime has no processes to share with.
   */
  readonly takeTurn:
    | ((envoy: string, account: string, signal?: AbortSignal) => Promise<() => void>)
    | undefined;
}
