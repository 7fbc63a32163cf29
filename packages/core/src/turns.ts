/**
 * Turns between processes: Envoy holds one login for every program on the machine, so the operations of clients
 * for different accounts must not interleave, whichever process they run in. Each process that runs an operation
 * says so with a file in a folder of this user's (`<tmp>/gm-envoy-turns-<user>/`, named after the Envoy): a `hold`
 * file while it runs, a `wait` file while it waits. Operations of one account run together; another account's wait until they
 * end, and the oldest waiter goes first. A file's time is refreshed while its operation runs or waits: a file of
 * a process that no longer runs (killed), or left unrefreshed for {@link STALE_MS} (its process id since reused),
 * is removed when met.
 *
 * Node only (reached through `#platform`): a runtime without processes and a disk has nothing to share.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { abortableSleep } from '@gm/transport';

/** Where a turn is taken: the folder of this user's turns, and the poll delays while waiting. */
export interface TurnOptions {
  /** The folder of the turn files (default `<tmp>/gm-envoy-turns-<user>`). */
  folder?: string;
  /** First and longest pause between two looks while waiting, in ms (default 10 and 200). */
  pollMs?: readonly [number, number];
}

/** How often a running or waiting operation refreshes its file's time, in ms. */
export const REFRESH_MS = 5_000;

/** How long a file may go unrefreshed before it is taken for a killed process's, in ms. */
export const STALE_MS = 60_000;

/** A file of the turns folder: `<Envoy>.<account hash>.<pid>.<time, base 36>.<random>.<hold|wait>`. */
interface Entry {
  name: string;
  envoy: string;
  account: string;
  pid: number;
  time: number;
  kind: 'hold' | 'wait';
}

const ENTRY = /^([\w-]+)\.([0-9a-f]{16})\.(\d+)\.([0-9a-z]+)\.([0-9a-f]{8})\.(hold|wait)$/;

function parse(name: string): Entry | undefined {
  const m = ENTRY.exec(name);
  if (!m) return undefined;
  return {
    name,
    envoy: m[1] as string,
    account: m[2] as string,
    pid: Number(m[3]),
    time: Number.parseInt(m[4] as string, 36),
    kind: m[6] as 'hold' | 'wait',
  };
}

/** Whether a process with this id runs (one of another user's counts as running). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether waiter `a` came before waiter `b`. */
function before(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.name < b.name);
}

function defaultFolder(): string {
  let user: string;
  try {
    user = String(process.getuid?.() ?? userInfo().username);
  } catch {
    user = 'user';
  }
  return join(tmpdir(), `gm-envoy-turns-${user.replace(/[^\w-]/g, '_')}`);
}

/**
 * Waits until no process runs an operation of another account on the Envoy `envoy` (a key such as its port), then
 * marks this one as running. Resolves to the function that ends it. Accounts are stored hashed; nothing else is
 * written. When the folder cannot be used (a read-only temp folder), operations go on without turns between
 * processes.
 *
 * @param signal - aborts the wait with the signal's reason
 */
export async function takeTurn(
  envoy: string,
  account: string,
  signal?: AbortSignal,
  options: TurnOptions = {},
): Promise<() => void> {
  const [first, longest] = options.pollMs ?? [10, 200];
  const dir = options.folder ?? defaultFolder();
  const here = envoy.replace(/[^\w-]/g, '_');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The temp folder is shared: a folder someone else made (or can write to) could hold files that block this
    // user's operations, or be a link elsewhere. Then there are no turns between processes rather than theirs.
    const info = lstatSync(dir);
    const mine = process.getuid === undefined || info.uid === process.getuid();
    if (!info.isDirectory() || !mine || (process.platform !== 'win32' && (info.mode & 0o022) !== 0)) {
      return () => {};
    }
  } catch {
    return () => {};
  }
  const me = createHash('sha256').update(account).digest('hex').slice(0, 16);
  const make = (kind: 'hold' | 'wait'): string => {
    const name = `${here}.${me}.${process.pid}.${Date.now().toString(36)}.${randomBytes(4).toString('hex')}.${kind}`;
    writeFileSync(join(dir, name), '', { flag: 'wx', mode: 0o600 });
    return name;
  };
  const remove = (name: string) => rmSync(join(dir, name), { force: true });
  const touch = (name: string) => {
    const now = new Date();
    try {
      utimesSync(join(dir, name), now, now);
    } catch {
      // Removed meanwhile: the next look makes do without it.
    }
  };
  /** Whether another process's file was left behind: its process ended, or it has not been refreshed. */
  const stale = (entry: Entry): boolean => {
    if (entry.pid === process.pid) return false;
    if (!alive(entry.pid)) return true;
    try {
      return Date.now() - statSync(join(dir, entry.name)).mtimeMs > STALE_MS;
    } catch {
      return true;
    }
  };
  /** The entries of this Envoy's running operations; those of processes that ended are removed. */
  const look = (): Entry[] => {
    const live: Entry[] = [];
    for (const name of readdirSync(dir)) {
      const entry = parse(name);
      if (!entry || entry.envoy !== here) continue;
      if (stale(entry)) remove(name);
      else live.push(entry);
    }
    return live;
  };
  let waiting: Entry | undefined;
  let touched = 0;
  let pause = first;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const live = look();
      const busy = live.some((e) => e.kind === 'hold' && e.account !== me);
      const queued = live.some(
        (e) => e.kind === 'wait' && e.account !== me && (!waiting || before(e, waiting)),
      );
      if (!busy && !queued) {
        const hold = make('hold');
        // Another account may have marked itself at the same moment: whoever sees the other backs off.
        if (!look().some((e) => e.kind === 'hold' && e.account !== me)) {
          if (waiting) remove(waiting.name);
          const refresh = setInterval(() => touch(hold), REFRESH_MS);
          refresh.unref?.();
          return () => {
            clearInterval(refresh);
            remove(hold);
          };
        }
        remove(hold);
      }
      if (!waiting) {
        waiting = parse(make('wait'));
        touched = Date.now();
      } else if (Date.now() - touched > REFRESH_MS) {
        touch(waiting.name);
        touched = Date.now();
      }
      await abortableSleep(pause + Math.random() * pause, signal);
      pause = Math.min(pause * 2, longest);
    }
  } catch (error) {
    if (waiting) remove(waiting.name);
    if (signal?.aborted) throw signal.reason;
    // The folder went away or cannot be written: go on without turns between processes.
    if ((error as NodeJS.ErrnoException).code !== undefined) return () => {};
    throw error;
  }
}
