/**
 * The `#disk` module for runtimes with Node's built-ins (Node, Deno, Bun; the `node` export condition): the disk
 * through `node:fs` with the folder walk over it, and the turns between this user's processes.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { InvalidRequestError } from '../errors.js';
import { relativeInside } from '../paths.js';
import { compareCodeUnits } from '../text.js';
import { takeTurn as turnOnDisk } from '../turns.js';
import { type WalkFs, walkFolder } from '../walk.js';
import type { CollectRequest, Disk, DiskPlatform } from './types.js';

/** The calls of `node:fs` the folder walk makes. */
export const walkFs: WalkFs = { readdirSync, realpathSync: realpathSync.native, statSync };

/** The disk through `node:fs`. */
export const disk: Disk | undefined = {
  walkFs,
  collect,
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

/** `Disk.collect`: the files of `Project.addFiles`'s entries, read through `node:fs`. */
async function collect(request: CollectRequest): Promise<{ walks: string[][]; single: string[] }> {
  const { localRoot, flavour, entries, problems } = request;
  let realRoot: string;
  try {
    realRoot = await realpath(localRoot);
  } catch (error) {
    problems.push({ field: 'localRoot', message: `${localRoot} does not exist or cannot be read` });
    throw new InvalidRequestError(`Adding files: the project folder ${localRoot} cannot be read`, {
      cause: error,
      fieldErrors: problems,
    });
  }
  // Each walk's list comes sorted without duplicates; single files are gathered apart and sorted once.
  const walks: string[][] = [];
  const single: string[] = [];
  await Promise.all(
    entries.map(async ({ abs, rel, field, shown }) => {
      if (rel === undefined) return;
      let real: string;
      try {
        real = await realpath(abs);
      } catch {
        problems.push({ field, message: `"${shown}" does not exist (${abs})` });
        return;
      }
      if (relativeInside(realRoot, real, flavour) === undefined) {
        problems.push({
          field,
          message: `"${shown}" is a symbolic link leading out of the project folder (to ${real})`,
        });
        return;
      }
      if ((await stat(abs)).isDirectory()) {
        const walked = walkFolder(abs, {
          within: realRoot,
          flavour,
          prefix: rel === '' ? '' : `${rel}/`,
          skipSuffix: request.skipSuffix,
          fs: walkFs,
        });
        walks.push(walked.files);
        for (const link of walked.problems) {
          problems.push({
            field: 'files',
            message:
              link.kind === 'broken'
                ? `"${link.path}" is a broken symbolic link`
                : `"${link.path}" is a symbolic link leading out of the project folder (to ${link.target})`,
          });
        }
      } else if (rel !== '') {
        const excluded = request.excluded(rel);
        if (excluded) problems.push({ field, message: `"${shown}" ${excluded}` });
        else single.push(rel);
      }
    }),
  );
  if (problems.length > 0) {
    problems.sort((a, b) => compareCodeUnits(a.field + a.message, b.field + b.message));
    throw InvalidRequestError.fromProblems(problems, 'Adding files');
  }
  return { walks, single };
}

/** The turn between this user's processes on one Envoy (see `turns.ts`). */
export const takeTurn: DiskPlatform['takeTurn'] = turnOnDisk;
