/**
 * `@gm/core/node`: what only runtimes with a disk can use. The folder walk behind `Project.addFiles`, for tools
 * that list a folder the way a project would without making one.
 *
 * `Project.addFiles` itself needs no import from here: `@gm/core` reads the disk wherever the runtime has Node's
 * built-ins (Node, Deno, Bun: the `node` export condition), and in other runtimes a project is given its file
 * list with `Project.addFileList`.
 *
 * Also the ownership rule for folders and files of this user (`privacyProblem`, as ssh judges `~/.ssh`), whether a
 * process runs (`processAlive`; `processRuns` tells a later process given the same id apart by its start,
 * `processStart`), and the turns between processes (`takeTurn`, kept in `turnsFolder`), which also serve as a lock
 * between processes (one account per holder).
 *
 * @packageDocumentation
 */

import { disk } from '#disk';
import { type WalkOptions, type WalkResult, walkFolder as walkWith } from './walk.js';

export {
  type PrivacyOptions,
  type PrivacyProblem,
  type ProcessIdentity,
  privacyProblem,
  processAlive,
  processRuns,
  processStart,
} from './private.js';
export { STALE_MS, type TurnHolder, type TurnOptions, takeTurn, turnsFolder } from './turns.js';
export type { WalkEntry, WalkFs, WalkOptions, WalkProblem, WalkResult } from './walk.js';

/**
 * Walks `folder` and lists its files: every file below it relative to it with forward slashes, sorted, links that
 * were not followed and folders that could not be read (see {@link WalkResult}). Reads the disk through `node:fs`
 * unless `options.fs` is given (required where the runtime has no disk, such as a browser).
 *
 * @param folder - an absolute folder (or relative to the working directory), in native form.
 * @throws `InvalidRequestError` (from the main entry; field `fs`) where the runtime has no disk and no `options.fs` is given.
 */
export function walkFolder(folder: string, options: WalkOptions = {}): WalkResult {
  return disk !== undefined && options.fs === undefined
    ? disk.walk(folder, options)
    : walkWith(folder, options);
}
