/**
 * The platform module for runtimes with Node's built-ins (Node, Deno, Bun; the `node` export condition of
 * `#platform`): `node:path`, the disk through `node:fs` (and the folder walk), causes shown by `node:util`'s `inspect`.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import nodePath from 'node:path';
import { inspect } from 'node:util';
import { RE2JS } from 're2js';
import type { PathFlavours } from '../paths.js';
import { takeTurn as turnOnDisk } from '../turns.js';
import { walkFolder } from '../walk.js';
import type { Disk, Platform } from './types.js';

/** `node:path`'s flavours. */
export const flavours: PathFlavours = { posix: nodePath.posix, win32: nodePath.win32, native: nodePath };

/** The disk through `node:fs`. */
export const disk: Disk | undefined = {
  walkFs: { readdirSync, realpathSync: realpathSync.native, statSync },
  realpath,
  isDirectory: async (path) => (await stat(path)).isDirectory(),
  downloadFolderProblems: async (project) => {
    const own = project.watchFiles.length > 0;
    const rules = own ? project.watchFiles : [project.defaultWatchFile];
    const problems = [];
    for (const [i, rule] of rules.entries()) {
      const folder = rule.downloadPath;
      const fine = await stat(folder).then(
        (info) => info.isDirectory(),
        (error) => error?.code !== 'ENOTDIR',
      );
      if (fine) continue;
      problems.push({
        field: own ? `watchFiles[${i}].downloadPath` : 'defaultWatchFile.downloadPath',
        message: `${folder} is a file, or lies below one: results are downloaded into a folder; give a folder (made when absent) or move the file away`,
      });
    }
    return problems;
  },
  // Read at call time: walk.ts imports `#platform` too, and a CommonJS require cycle would see it unset here.
  walk: (folder, options) => walkFolder(folder, options),
};

/** `GM_ENVOY_URL`, read when a client is made (so a change to it is seen by the next client); unset or empty: none. */
export function envoyUrlFromEnvironment(): string | undefined {
  const value = process.env.GM_ENVOY_URL;
  return value === undefined || value === '' ? undefined : value;
}

/** RE2's verdict on a pattern, from re2js loaded with the package. */
export function re2Problem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `inspect(cause)`, ten levels deep. */
export function describeCause(cause: unknown): string {
  return inspect(cause, { depth: 10 });
}

/** The turn between this user's processes on one Envoy (see `turns.ts`). */
export const takeTurn: Platform['takeTurn'] = turnOnDisk;
