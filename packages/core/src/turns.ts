/**
 * Turns between processes: Envoy holds one login for every program on the machine, so the operations of clients
 * for different accounts must not interleave, whichever process they run in. Each process that runs an operation
 * says so with a file in a folder only this user can make (see {@link turnsFolder}), named after the Envoy: a `hold`
 * file while it runs, a `wait` file while it waits. Operations of one account run together; another account's wait until they
 * end, and the oldest waiter goes first.
 *
 * A file holds who wrote it (process id, host and start time, see `ProcessIdentity`), and is removed when met once
 * that process no longer runs: killed, or its id since given to another program (another start). A process that
 * runs holds its turn however long it is quiet: stopped with Ctrl-Z or `kill -STOP`, or asleep. Only where whether
 * it runs cannot be known (a file of another host, or without a start to compare: Windows, or a file of an older
 * client) does age decide: a file left unrefreshed for {@link STALE_MS} (its time is refreshed while its operation
 * runs or waits) is taken for a killed process's. A wait left unrefreshed that long is passed over even when its
 * process runs (stopped while it waited): a waiter uses nothing, and must not hold back the others.
 *
 * The folder must be the user's own and writable by no one else: one another local user made (or can write to)
 * could hold files that block this user's operations, or switch the turns off. Such a folder is refused with an
 * {@link InvalidRequestError} naming it and the fix, before anything is sent. On Windows, ownership and modes are
 * not checked. A folder that cannot be made or written (a read-only home) is refused the same way: an operation
 * never runs without its turn unless the user says so with the environment variable `GM_TURNS=off` (a process
 * alone on its Envoy, such as a container's).
 *
 * Node only (reached through `#platform`): a runtime without processes and a disk has nothing to share.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { homedir, hostname, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { abortableSleep } from '@gm/transport';
import { InvalidRequestError } from './errors.js';
import {
  identityOf,
  type ProcessIdentity,
  privacyProblem,
  processAlive,
  processRuns,
  thisProcess,
} from './private.js';

/** Where a turn is taken: the folder of this user's turns, and the poll delays while waiting. */
export interface TurnOptions {
  /** The folder of the turn files (default {@link turnsFolder}). */
  folder?: string;
  /** First and longest pause between two looks while waiting, in ms (default 10 and 200). */
  pollMs?: readonly [number, number];
  /**
   * How long a file whose process cannot be judged (another host, no start time) may go unrefreshed before it is
   * taken for a killed process's, in ms (default {@link STALE_MS}).
   */
  staleMs?: number;
  /** The environment read for `GM_TURNS=off` (default `process.env`; `{}` to keep the turns whatever it says). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Said once when this operation has to wait, with the operations it waits for: those of another account that run,
   * else those that wait ahead of it.
   */
  onWait?: (ahead: TurnHolder[]) => void;
}

/** An operation of another process that goes before this one (see {@link TurnOptions.onWait}). */
export interface TurnHolder extends ProcessIdentity {
  /** When it took (or started waiting for) its turn. */
  since: Date;
}

/** How often a running or waiting operation refreshes its file's time, in ms. */
export const REFRESH_MS = 5_000;

/**
 * How long a file may go unrefreshed before it is taken for a killed process's, in ms, where whether its process
 * runs cannot be known (another host, no start time to compare).
 */
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

/** The refusal of a turns folder that cannot be made or written: named, with the fix and the way out. */
function unusable(dir: string, error: unknown): InvalidRequestError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return InvalidRequestError.fromProblems(
    [
      {
        field: 'turns folder',
        message: `${dir} cannot be made or written (${code}): gm keeps there the turns between processes that keep each from reading or spending as another account on the one login of Envoy, and runs nothing without them; fix: make it a folder of yours (mkdir -p ${dir} && chmod 700 ${dir}), or, for a process alone on its Envoy, set GM_TURNS=off`,
      },
    ],
    'The turns folder between gm processes',
  );
}

/**
 * Waits until no process runs an operation of another account on the Envoy `envoy` (a key such as its port), then
 * marks this one as running. Resolves to the function that ends it. Accounts are stored hashed; beside them, only
 * the identity of this process (id, host, start time) is written. With `GM_TURNS=off` in the environment, resolves
 * at once and marks nothing.
 *
 * @throws `InvalidRequestError` (from the main entry; field `turns folder`) when the folder is there but not the
 * user's own: owned by another user, writable by others, a link or not a folder (on POSIX); or when it cannot be
 * made or written (nothing is sent)
 * @param signal - aborts the wait with the signal's reason
 */
export async function takeTurn(
  envoy: string,
  account: string,
  signal?: AbortSignal,
  options: TurnOptions = {},
): Promise<() => void> {
  if ((options.env ?? process.env).GM_TURNS === 'off') return () => {};
  const [first, longest] = options.pollMs ?? [10, 200];
  const staleMs = options.staleMs ?? STALE_MS;
  const dir = options.folder ?? turnsFolder();
  const here = envoy.replace(/[^\w-]/g, '_');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // Not made: anything that is there is judged below; nothing there (a read-only or missing home) is refused.
    try {
      lstatSync(dir);
    } catch {
      throw unusable(dir, error);
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
  const identity = JSON.stringify(thisProcess());
  const make = (kind: 'hold' | 'wait'): string => {
    const name = `${here}.${me}.${process.pid}.${Date.now().toString(36)}.${randomBytes(4).toString('hex')}.${kind}`;
    writeFileSync(join(dir, name), identity, { flag: 'wx', mode: 0o600 });
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
  const host = hostname();
  /** Who wrote a file: as it says (when it agrees with the name), else a process of this host with the name's id. */
  const writer = (entry: Entry): ProcessIdentity => {
    let said: ProcessIdentity | undefined;
    try {
      said = identityOf(JSON.parse(readFileSync(join(dir, entry.name), 'utf8')));
    } catch {
      // Empty (an older client's, or being written this instant) or unreadable: the name says enough.
    }
    return said?.pid === entry.pid ? said : { pid: entry.pid, host };
  };
  /**
   * Whether another process's file was left behind: its process no longer runs (or its id is another's now); where
   * that cannot be known, when it has not been refreshed for `staleMs`. A wait unrefreshed that long is passed over
   * even when its process runs (stopped while it waited): a waiter uses nothing, and must not hold back the others.
   */
  const stale = (entry: Entry): boolean => {
    let quiet: boolean;
    try {
      quiet = Date.now() - statSync(join(dir, entry.name)).mtimeMs > staleMs;
    } catch {
      return true; // removed meanwhile
    }
    if (quiet && entry.kind === 'wait' && entry.pid !== process.pid) return true;
    const who = writer(entry);
    if (who.host === host && !processAlive(who.pid)) return true;
    // Refreshed lately: its process runs. (On Linux the whole judgement is cheap: an ended process not yet reaped
    // by its parent is seen at once.) Elsewhere the start time is read only for a quiet file, once in a while.
    if (!quiet && process.platform !== 'linux') return false;
    const runs = processRuns(who);
    return runs === undefined ? quiet : !runs;
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
        if (options.onWait) {
          const holds = live.filter((e) => e.kind === 'hold' && e.account !== me);
          const ahead = holds.length > 0 ? holds : live.filter((e) => e.kind === 'wait' && e.account !== me);
          options.onWait(ahead.map((e) => ({ ...writer(e), since: new Date(e.time) })));
        }
      } else if (Date.now() - touched > REFRESH_MS) {
        touch(waiting.name);
        touched = Date.now();
      }
      await abortableSleep(pause + Math.random() * pause, signal);
      pause = Math.min(pause * 2, longest);
    }
  } catch (error) {
    if (waiting) {
      try {
        remove(waiting.name);
      } catch {
        // The folder itself is the trouble: said below.
      }
    }
    if (signal?.aborted) throw signal.reason;
    // The folder went away or cannot be written: nothing runs without its turn.
    if ((error as NodeJS.ErrnoException).code !== undefined) throw unusable(dir, error);
    throw error;
  }
}
