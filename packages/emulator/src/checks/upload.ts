import { lstatSync, realpathSync, type Stats, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { FieldError } from '../contract.js';
import { inside } from '../downloads.js';
import type { UploadSet } from '../generated/envoy.js';
import { nameProblem } from '../names.js';

/** The checks of an upload set's files run at most this long in a row before the event loop has a turn. */
const CHECK_SLICE_MS = 8;

/** An upload set as the wire carries it (the contract's `UploadSet`). */
export type UploadSetBody = UploadSet;

/** A local file checked to lie inside its local folder, with where it lands in the project. */
export interface CheckedFile {
  rel: string;
  source: string;
  size: number;
}

/** The project name of a remote root (`/<project>/...`) and the folders below it, or why it is not one. */
export function splitRemoteRoot(
  remoteRoot: string,
): { project: string; sub: string[] } | { problem: string } {
  const parts = remoteRoot.split('/').filter(Boolean);
  const [project, ...sub] = parts;
  if (!project || !remoteRoot.startsWith('/')) {
    return { problem: 'must be /<project name>, forward slashes' };
  }
  // The project's folder is made on the user's machine too (Windows included): the strict rule, as for results.
  const projectIssue = nameProblem(project, true);
  if (projectIssue) return { problem: `project name ${JSON.stringify(project)}: ${projectIssue}` };
  for (const part of sub) {
    const problem = nameProblem(part);
    if (problem) return { problem: `folder ${JSON.stringify(part)}: ${problem}` };
  }
  return { project, sub };
}

/**
 * Checks an upload set: an absolute local folder, a `/<project>` remote root, and every file a regular file
 * inside the local folder (no `..`, no absolute paths, no symlink leading out). Adds problems to `errors`.
 */
export async function checkUploadSet(
  set: UploadSetBody,
  field: string,
  errors: FieldError[],
  options: { needLocal: boolean } = { needLocal: true },
): Promise<{ project: string; files: CheckedFile[] } | null> {
  const split = splitRemoteRoot(set.remoteRoot);
  const root = 'project' in split ? split : null;
  if ('problem' in split) errors.push({ field: `${field}.remoteRoot`, message: split.problem });
  if (!isAbsolute(set.localRoot)) {
    errors.push({ field: `${field}.localRoot`, message: `must be an absolute folder, got ${set.localRoot}` });
    return null;
  }
  const files: CheckedFile[] = [];
  let realRoot: string | null = null;
  if (options.needLocal) {
    try {
      realRoot = await realpath(set.localRoot);
      if (!(await stat(realRoot)).isDirectory()) throw new Error('not a folder');
    } catch {
      errors.push({ field: `${field}.localRoot`, message: `${set.localRoot} is not an existing folder` });
      return null;
    }
  }
  // Each file is looked at once (`lstat`); the real path of its folder is asked once per folder, and a file's
  // own only when it is a link. The calls are synchronous (a project of 100,000 files costs a fraction of the
  // CPU of the thread pool's round trips), for at most CHECK_SLICE_MS in a row: then requests are answered.
  const realFolders = new Map<string, string>();
  const realFolder = (dir: string): string => {
    let real = realFolders.get(dir);
    if (real === undefined) {
      real = realpathSync(dir);
      realFolders.set(dir, real);
    }
    return real;
  };
  const checkOne = (name: string, f: string): CheckedFile | FieldError => {
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\') || isAbsolute(name)) {
      return { field: f, message: `${name} must be relative to localRoot, with forward slashes` };
    }
    if (parts.length === 0 || parts.includes('..')) {
      return { field: f, message: `${name} leaves localRoot (..)` };
    }
    const rel = [...(root?.sub ?? []), ...parts].join('/');
    if (!options.needLocal || !realRoot) return { rel, source: '', size: 0 };
    const local = resolve(set.localRoot, ...parts);
    if (!inside(resolve(set.localRoot), local)) return { field: f, message: `${name} leaves localRoot` };
    let info: Stats;
    try {
      info = lstatSync(local);
    } catch {
      return { field: f, message: `${name} does not exist in ${set.localRoot}` };
    }
    let real: string;
    try {
      real = info.isSymbolicLink() ? realpathSync(local) : join(realFolder(dirname(local)), basename(local));
    } catch {
      return { field: f, message: `${name} is a broken link` };
    }
    if (!inside(realRoot, real))
      return { field: f, message: `${name} is a link that leads out of localRoot` };
    if (info.isSymbolicLink()) info = statSync(real);
    if (!info.isFile()) return { field: f, message: `${name} is not a regular file` };
    return { rel, source: real, size: info.size };
  };
  let slice = performance.now();
  for (const [k, name] of set.files.entries()) {
    if (performance.now() - slice > CHECK_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    const c = checkOne(name, `${field}.files[${k}]`);
    if ('field' in c) errors.push(c);
    else files.push(c);
  }
  return root ? { project: root.project, files } : null;
}
