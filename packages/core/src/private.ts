/**
 * Whether a folder or file on disk is this user's own, the way ssh judges `~/.ssh`: owned by the user (or by
 * root) and writable by no one else. Files others can write to or own could hold settings, credentials or turn
 * files planted by another local user. POSIX only: on Windows, ownership and modes are not checked.
 *
 * Node only (`@gm/core/node`).
 *
 * @module
 */
import { lstatSync, type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why a path is not private to this user, and the command that fixes it. */
export interface PrivacyProblem {
  /** The path checked. */
  path: string;
  /** What is wrong, a sentence part after the path (e.g. `is writable by others (mode 0777)`). */
  problem: string;
  /** A shell command (or step) that fixes it. */
  fix: string;
}

/** Options of {@link privacyProblem}. */
export interface PrivacyOptions {
  /** What the path must be (default `folder`). */
  kind?: 'folder' | 'file';
  /** Follow a symbolic link at the path (default false: a link is a problem). */
  follow?: boolean;
  /** The platform (default `process.platform`); on `win32` nothing is checked. */
  platform?: NodeJS.Platform;
  /** The user's id (default `process.getuid()`). */
  uid?: number;
}

/**
 * Checks that `path` (which must exist) is a folder (or file) owned by this user or root and not writable by group
 * or others, and that so is every folder above it (a sticky folder such as `/tmp` may be writable by others). Resolves to `undefined` when it is, or on Windows; else to what is wrong with the fix.
 *
 * @throws the `node:fs` error when the path cannot be read (`ENOENT` when absent)
 */
export function privacyProblem(path: string, options: PrivacyOptions = {}): PrivacyProblem | undefined {
  const platform = options.platform ?? process.platform;
  const kind = options.kind ?? 'folder';
  const info: Stats = options.follow ? statSync(path) : lstatSync(path);
  if (info.isSymbolicLink()) {
    return { path, problem: 'is a symbolic link', fix: `remove the link (rm ${quote(path)})` };
  }
  if (kind === 'folder' ? !info.isDirectory() : !info.isFile()) {
    return { path, problem: `is not a ${kind}`, fix: `move it away (rm ${quote(path)})` };
  }
  if (platform === 'win32') return undefined;
  const uid = options.uid ?? process.getuid?.();
  const own = ownershipProblem(path, info, uid, false);
  if (own) return own;
  // Every folder above must be as safe, or another user could move the path away and put their own in its place
  // (a sticky folder such as /tmp is fine: there only an entry's owner can rename it).
  for (let dir = dirname(resolve(path)), up = dirname(dir); ; dir = up, up = dirname(dir)) {
    const problem = ownershipProblem(dir, statSync(dir), uid, true);
    if (problem) return { ...problem, problem: `${problem.problem}, and it holds ${path}` };
    if (up === dir) return undefined;
  }
}

/** Why a path owned by another user, or writable by others, is not private (`above`: a sticky folder is fine). */
function ownershipProblem(
  path: string,
  info: Stats,
  uid: number | undefined,
  above: boolean,
): PrivacyProblem | undefined {
  if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
    return {
      path,
      problem: `is owned by another user (uid ${info.uid}; you are uid ${uid})`,
      fix: `chown ${uid} ${quote(path)} (as root), or ${above ? 'keep the folder elsewhere' : 'remove it'}`,
    };
  }
  if ((info.mode & 0o022) !== 0 && !(above && (info.mode & 0o1000) !== 0)) {
    return {
      path,
      problem: `is writable by ${(info.mode & 0o002) !== 0 ? 'others' : 'its group'} (mode ${(info.mode & 0o777).toString(8).padStart(4, '0')})`,
      fix: `chmod go-w ${quote(path)}`,
    };
  }
  return undefined;
}

/** A path as a POSIX shell reads it back. */
function quote(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * Whether a process with this id runs on this machine (one of another user's counts as running: signalling it is
 * refused, not absent).
 */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
