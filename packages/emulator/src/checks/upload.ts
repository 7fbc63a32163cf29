import { lstat, realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { FieldError } from '../contract.js';
import { inside } from '../downloads.js';
import type { UploadSet } from '../generated/envoy.js';
import { nameProblem } from '../names.js';

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
  for (const [k, name] of set.files.entries()) {
    const f = `${field}.files[${k}]`;
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\') || isAbsolute(name)) {
      errors.push({ field: f, message: `${name} must be relative to localRoot, with forward slashes` });
      continue;
    }
    if (parts.length === 0 || parts.includes('..')) {
      errors.push({ field: f, message: `${name} leaves localRoot (..)` });
      continue;
    }
    const rel = [...(root?.sub ?? []), ...parts].join('/');
    if (!options.needLocal || !realRoot) {
      files.push({ rel, source: '', size: 0 });
      continue;
    }
    const local = resolve(set.localRoot, ...parts);
    if (!inside(resolve(set.localRoot), local)) {
      errors.push({ field: f, message: `${name} leaves localRoot` });
      continue;
    }
    try {
      await lstat(local);
    } catch {
      errors.push({ field: f, message: `${name} does not exist in ${set.localRoot}` });
      continue;
    }
    let real: string;
    try {
      real = await realpath(local);
    } catch {
      errors.push({ field: f, message: `${name} is a broken link` });
      continue;
    }
    if (!inside(realRoot, real)) {
      errors.push({ field: f, message: `${name} is a link that leads out of localRoot` });
      continue;
    }
    const info = await stat(real);
    if (!info.isFile()) {
      errors.push({ field: f, message: `${name} is not a regular file` });
      continue;
    }
    files.push({ rel, source: real, size: info.size });
  }
  return root ? { project: root.project, files } : null;
}
