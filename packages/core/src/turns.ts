/**
 * Turns between processes: Envoy holds one login for every program on the machine, so the operations of clients
 * for different accounts must not interleave, whichever process they run in. Each process that runs an operation
 * says so with a file in a folder only this user can make (see {@link turnsFolder}), named after the Envoy: a `hold`
 * file while it runs, a `wait` file while it waits. Operations of one account run together; another account's wait until they
 * end, and the oldest waiter goes first. A file's time is refreshed while its operation runs or waits: a file of
 * a process that no longer runs (killed), or left unrefreshed for {@link STALE_MS} (its process id since reused),
 * is removed when met.
 *
 * The folder must be the user's own and writable by no one else: one another local user made (or can write to)
 * could hold files that block this user's operations, or switch the turns off. Such a folder is refused with an
 * {@link InvalidRequestError} naming it and the fix, before anything is sent. On Windows, ownership and modes are
 * not checked. A folder that cannot be made at all (a read-only home) leaves the operations without turns between
 * processes.
 *
 * Node only (reached through `#platform`): a runtime without processes and a disk has nothing to share.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, hostname, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { abortableSleep } from '@gm/transport';
import { InvalidRequestError } from './errors.js';
import { privacyProblem, processAlive } from './private.js';

/** Where a turn is taken: the folder of this user's turns, and the poll delays while waiting. */
export interface TurnOptions {
  /** The folder of the turn files (default {@link turnsFolder}). */
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

/** Whether waiter `a` came before waiter `b`. */
function before(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.name < b.name);
}

/**
 * Where the turn files live by default, a folder only this user can make, the same for every process of the user
 * on this machine whatever its environment: `envoy-turns/<host name>` in gm's cache folder, `%LOCALAPPDATA%\\gm` on
 * Windows, `~/Library/Caches/gm` on macOS, `~/.cache/gm` elsewhere (made with mode 0700). The host name keeps apart
 * the machines of a home folder shared over the network, each with its own Envoy. Never a shared temp folder another
 * user could make first. Session variables such as `XDG_RUNTIME_DIR` and `XDG_CACHE_HOME` are not read: a process
 * started without them (cron, `su`, a `tmux` left running after logout) would keep its turns in another folder and
 * interleave with the others.
 */
export function turnsFolder(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  // `HOME` as Node's homedir() reads it, from the environment given.
  let home = platform !== 'win32' && env.HOME && isAbsolute(env.HOME) ? env.HOME : undefined;
  try {
    home ??= homedir();
  } catch {
    home = tmpdir();
  }
  const cache =
    platform === 'win32'
      ? join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'gm')
      : platform === 'darwin'
        ? join(home, 'Library', 'Caches', 'gm')
        : join(home, '.cache', 'gm');
  const host =
    hostname()
      .replace(/[^\w.-]/g, '_')
      .replace(/^\.+/, '')
      .slice(0, 64) || 'host';
  return join(cache, 'envoy-turns', host);
}

/**
 * Waits until no process runs an operation of another account on the Envoy `envoy` (a key such as its port), then
 * marks this one as running. Resolves to the function that ends it. Accounts are stored hashed; nothing else is
 * written. When the folder cannot be made (a read-only home), operations go on without turns between processes.
 *
 * @throws {@link InvalidRequestError} (field `turns folder`) when the folder is there but not the user's own: owned
 * by another user, writable by others, a link or not a folder (on POSIX; nothing is sent)
 * @param signal - aborts the wait with the signal's reason
 */
export async function takeTurn(
  envoy: string,
  account: string,
  signal?: AbortSignal,
  options: TurnOptions = {},
): Promise<() => void> {
  const [first, longest] = options.pollMs ?? [10, 200];
  const dir = options.folder ?? turnsFolder();
  const here = envoy.replace(/[^\w-]/g, '_');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // Not made, and nothing there (not even a link): a read-only or missing home, nothing anyone planted. The
    // operations go on without turns between processes. Anything that is there is judged below.
    try {
      lstatSync(dir);
    } catch {
      return () => {};
    }
  }
  const problem = privacyProblem(dir);
  if (problem) {
    throw InvalidRequestError.fromProblems(
      [
        {
          field: 'turns folder',
          message: `${problem.path} ${problem.problem}: another local user could block or unblock this user's Envoy operations through it; fix: ${problem.fix}`,
        },
      ],
      'The turns folder between gm processes',
    );
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
    if (!processAlive(entry.pid)) return true;
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
