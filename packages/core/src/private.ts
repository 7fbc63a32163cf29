/**
 * Whether a folder or file on disk is this user's own, the way ssh judges `~/.ssh`: owned by the user (or by
 * root) and writable by no one else. Files others can write to or own could hold settings, credentials or turn
 * files planted by another local user. POSIX only: on Windows, ownership and modes are not checked.
 *
 * Node only (`@gm/core/node`).
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, type Stats, statSync } from 'node:fs';
import { hostname } from 'node:os';
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

/**
 * Who a process is: its id, the host it runs on, and when it started (see {@link processStart}), which tells it
 * apart from a later process given the same id. Written into lock and turn files so that a holder is judged by
 * whether it runs, not by how long it was quiet.
 */
export interface ProcessIdentity {
  /** The process id. */
  pid: number;
  /** The host name it runs on. */
  host: string;
  /** Its start, as {@link processStart} gives it; absent where that cannot be read (Windows). */
  start?: string;
}

let bootId: string | undefined;

/** The state and start of a Linux process from `/proc/<pid>/stat`, or `undefined` without one. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (name) state ppid …`: the name may hold spaces and parentheses, so fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const boot = bootId;
    // Field 22, the start in clock ticks since boot (the 20th after the name), with the boot it counts from.
    return { state: fields[0] as string, start: `${boot}:${fields[19]}` };
  } catch {
    return undefined;
  }
}

/**
 * When the process `pid` of this machine started, as an opaque string equal for the same process and different
 * for a later one given the same id: the boot and start tick from `/proc` on Linux, `ps -o lstart=` elsewhere on
 * POSIX (to the second). `undefined` when no such process runs, on Windows, or when it cannot be read.
 */
export function processStart(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') return procStat(pid)?.start;
  if (process.platform === 'win32') return undefined;
  try {
    const start = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
    return start || undefined;
  } catch {
    return undefined;
  }
}

let self: ProcessIdentity | undefined;

/** This process's {@link ProcessIdentity} (read once). */
export function thisProcess(): ProcessIdentity {
  if (!self) {
    const start = processStart(process.pid);
    self = { pid: process.pid, host: hostname(), ...(start === undefined ? {} : { start }) };
  }
  return self;
}

/**
 * Whether the process `who` still runs: `false` when its id runs no process on this host (or a zombie, or a later
 * process given the same id: another start), `true` when it runs with the same start, `undefined` when that cannot
 * be known (another host, or no start to compare: Windows, or a file written without one). A process that is
 * stopped (Ctrl-Z, `kill -STOP`) or asleep runs.
 */
export function processRuns(who: ProcessIdentity): boolean | undefined {
  if (who.host !== hostname()) return undefined;
  const me = thisProcess();
  if (who.pid === me.pid) return who.start === undefined || me.start === undefined || who.start === me.start;
  if (!processAlive(who.pid)) return false;
  const now = process.platform === 'linux' ? procStat(who.pid) : undefined;
  if (now && (now.state === 'Z' || now.state === 'X')) return false; // ended, not yet reaped by its parent
  if (who.start === undefined) return undefined;
  const start = now ? now.start : processStart(who.pid);
  return start === undefined ? undefined : start === who.start;
}

/** A {@link ProcessIdentity} read from untrusted JSON, or `undefined` when it is not one. */
export function identityOf(value: unknown): ProcessIdentity | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, host, start } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof host !== 'string')
    return undefined;
  return { pid, host, ...(typeof start === 'string' ? { start } : {}) };
}
