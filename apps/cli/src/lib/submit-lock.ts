/**
 * One submission of a project at a time, across processes: `gm submit` holds a lock in gm's config folder
 * (`<config>/locks`) from its rerun check until Envoy has taken the submit, so two `gm submit job.yaml` started at
 * the same moment cannot both see "not submitted yet" and charge twice. The second waits for the first, then makes
 * its rerun check (and refuses, unless `--again`).
 *
 * The lock is a turn between processes (`takeTurn` of `@gm/core/node`), each taker its own account: a file of its
 * own per process, `submit-<hash of the project name>.….hold` (`.wait` while it waits, the oldest waiter going
 * first), holding the process id, host name and start time. Nothing is ever renamed or removed by a name another
 * process could take after it: a file left by a process that no longer runs (killed with `kill -9`, or its id since
 * given to another program) is removed by its own unique name, and a process that takes the lock then checks that no
 * other holds it (whoever sees the other backs off). A holder that runs keeps the lock however long it is quiet
 * (stopped with Ctrl-Z); only where whether it runs cannot be known (a process of another host sharing the config
 * folder) is a file unrefreshed for a minute taken for a killed process's.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { type TurnHolder, takeTurn } from '@gm/core/node';
import { checkPrivate } from './config.js';
import { UsageError } from './exit-codes.js';

/** Who holds the lock (or waits ahead), as its file says: process id, host, start, and since when. */
export type LockHolder = TurnHolder;

/** The key of project `name`'s lock among the files of the locks folder: `submit-<16 hex digits>`. */
export function lockKey(name: string): string {
  return `submit-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}

/** Options of {@link lockSubmission}. */
export interface LockOptions {
  /** Said once when another process holds the lock (or waits ahead) and this one waits. */
  onWait?: (holder: LockHolder | undefined) => void;
  /** Ends the wait with its reason (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Takes the submission lock of project `name` in the folder `locks` (made with mode 0700 when absent, and checked
 * like the config folder), waiting while another process that runs holds it. Resolves to the function that releases
 * it.
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
  const { onWait } = options;
  // Each taker is an account of its own: no two hold the lock together. GM_TURNS=off is about accounts on Envoy,
  // not this lock: the environment is not read.
  return takeTurn(lockKey(name), `${process.pid}.${randomUUID()}`, options.signal, {
    folder: locks,
    env: {},
    ...(onWait ? { onWait: (ahead: TurnHolder[]) => onWait(ahead[0]) } : {}),
  });
}
