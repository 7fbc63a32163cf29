/**
 * One submission of a project at a time, across processes: `gm submit` holds a lock file in gm's config folder
 * (`<config>/locks/submit-<hash of the project name>.lock`) from its rerun check until Envoy has taken the submit,
 * so two `gm submit job.yaml` started at the same moment cannot both see "not submitted yet" and charge twice. The
 * second waits for the first, then makes its rerun check (and refuses, unless `--again`).
 *
 * The lock is a file made with exclusive create (`wx`), holding the holder's process id, host name and start time.
 * It is stale, and removed by the next submit, when its process no longer runs on this host (killed with `kill -9`)
 * or when it was not refreshed for {@link LOCK_STALE_MS} (its holder refreshes it every few seconds).
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from '@gm/core/node';
import { checkPrivate } from './config.js';
import { UsageError } from './exit-codes.js';

/** How long a lock may go unrefreshed before it is taken for a killed process's, in ms. */
export const LOCK_STALE_MS = 60_000;

/** How often the holder refreshes its lock's time, in ms. */
const REFRESH_MS = 5_000;

/** What a lock file holds. */
export interface LockHolder {
  /** The holder's process id. */
  pid: number;
  /** The host it runs on. */
  host: string;
  /** When it took the lock (ISO time). */
  started: string;
  /** The project it submits. */
  project: string;
}

/** The lock file of project `name` in the folder `locks`. */
export function lockPath(locks: string, name: string): string {
  return join(locks, `submit-${createHash('sha256').update(name).digest('hex').slice(0, 16)}.lock`);
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock at `path` (read as `holder`) was left by a process that ended. */
function isStale(path: string, holder: LockHolder | undefined): boolean {
  let age: number;
  try {
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return false; // gone already: the next try takes it
  }
  // Unreadable: being written this instant, or a torn write of a killed process (stale once old).
  if (!holder) return age > REFRESH_MS;
  if (holder.host === hostname() && holder.pid !== process.pid && !processAlive(holder.pid)) return true;
  return age > LOCK_STALE_MS;
}

/**
 * Removes a stale lock, unless another process took it meanwhile: the file is first renamed away (only one
 * process can), then, if it is not the one judged stale, put back.
 */
function removeStale(path: string, judged: LockHolder | undefined): void {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else removed it
  }
  const found = readHolder(aside);
  const same =
    judged === undefined
      ? found === undefined
      : found?.pid === judged.pid && found.started === judged.started && found.host === judged.host;
  if (!same) {
    try {
      linkSync(aside, path); // fails when yet another lock was taken: that one stands
    } catch {}
  }
  rmSync(aside, { force: true, recursive: true }); // a folder put there by hand goes too (a link, not its target)
}

/** Options of {@link lockSubmission}. */
export interface LockOptions {
  /** Said once when another process holds the lock and this one waits. */
  onWait?: (holder: LockHolder | undefined) => void;
  /** Ends the wait with its reason (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Takes the submission lock of project `name` in the folder `locks` (made with mode 0700 when absent, and checked
 * like the config folder), waiting while another live process holds it. Resolves to the function that releases it.
 */
export async function lockSubmission(
  locks: string,
  name: string,
  options: LockOptions = {},
): Promise<() => void> {
  try {
    mkdirSync(locks, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new UsageError(
      `gm cannot make its lock folder ${locks} (${(cause as NodeJS.ErrnoException).code}).`,
      {
        hint: 'gm submit keeps its lock in the config folder: make it writable, or point GM_CONFIG_DIR at a folder of yours.',
        cause,
      },
    );
  }
  checkPrivate(locks, 'folder');
  const path = lockPath(locks, name);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    project: name,
  };
  let said = false;
  let pause = 25;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (isStale(path, holder)) {
      removeStale(path, holder);
      continue;
    }
    if (!said) {
      said = true;
      options.onWait?.(holder);
    }
    try {
      await sleep(pause, undefined, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      throw options.signal?.aborted ? options.signal.reason : error;
    }
    pause = Math.min(pause * 2, 250);
  }
  const refresh = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {}
  }, REFRESH_MS);
  refresh.unref();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    clearInterval(refresh);
    // Only this process's own lock is removed (never one a later process took after judging this one stale).
    const holder = readHolder(path);
    if (holder?.pid === me.pid && holder.started === me.started && holder.host === me.host) {
      rmSync(path, { force: true });
    }
  };
}
