/**
 * `@gm/core/node`: what only runtimes with a disk can use. The folder walk behind `Project.addFiles`, for tools
 * that list a folder the way a project would without making one.
 *
 * `Project.addFiles` itself needs no import from here: `@gm/core` reads the disk wherever the runtime has Node's
 * built-ins (Node, Deno, Bun: the `node` export condition), and in other runtimes a project is given its file
 * list with `Project.addFileList`.
 *
 * Also the ownership rule for folders and files of this user (`privacyProblem`, as ssh judges `~/.ssh`), whether a
 * process runs (`processAlive`) and where the turns between processes are kept (`turnsFolder`).
 *
 * @packageDocumentation
 */

export { type PrivacyOptions, type PrivacyProblem, privacyProblem, processAlive } from './private.js';
export { turnsFolder } from './turns.js';
export {
  type WalkEntry,
  type WalkFs,
  type WalkOptions,
  type WalkProblem,
  type WalkResult,
  walkFolder,
} from './walk.js';
