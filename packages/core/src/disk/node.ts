/**
 * The `#disk` module for runtimes with Node's built-ins (Node, Deno, Bun; the `node` export condition): the disk
 * through `node:fs` with the folder walk over it, and the turns between this user's processes.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { takeTurn as turnOnDisk } from '../turns.js';
import { type WalkFs, walkFolder } from '../walk.js';
import type { Disk, DiskPlatform } from './types.js';

/** The calls of `node:fs` the folder walk makes. */
export const walkFs: WalkFs = { readdirSync, realpathSync: realpathSync.native, statSync };

/** The disk through `node:fs`. */
export const disk: Disk | undefined = {
  walkFs,
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
  walk: (folder, options) => walkFolder(folder, { ...options, fs: options.fs ?? walkFs }),
};

/** The turn between this user's processes on one Envoy (see `turns.ts`). */
export const takeTurn: DiskPlatform['takeTurn'] = turnOnDisk;
