import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { dict } from './names.js';

/** A file of a project in the remote store. */
export interface FileRecord {
  /** Path below the project folder, forward slashes. */
  rel: string;
  /** `upload` for project files, `result` for render outputs. */
  origin: 'upload' | 'result';
  /** Absolute local source path (uploads only). */
  source?: string;
  /** `Queued`, `Uploading`, `Completed` or `Failed`. */
  state: 'Queued' | 'Uploading' | 'Completed' | 'Failed';
  size: number;
  bytesDone: number;
  sha256?: string;
  lastModified?: string;
  error?: string;
}

/** A credit budget alert. */
export interface AlertRecord {
  At: string;
  Message: string;
}

/** Job states, as `/project-status` reports them. */
export type JobState =
  | 'Waiting'
  | 'Queued'
  | 'Running'
  | 'Completed'
  | 'Failed'
  | 'Stopped'
  | 'Suspended'
  | 'Cancelled';

/** A submitted job. */
export interface JobRecord {
  id: string;
  name: string;
  app: string;
  appVersion: string;
  operation: string;
  path: string;
  machine: string;
  creditRate: number;
  instances: number;
  frames: number[];
  done: number[];
  cancelled: number[];
  outputDir: string;
  outputPrefix: string;
  ext: string;
  budget?: { value: number; action: 'stop' | 'suspend' | 'alert' };
  budgetHit: boolean;
  dependencies: string[];
  state: JobState;
  creditsConsumed: number;
  alerts: AlertRecord[];
  message?: string;
}

/** A result file waiting for (or done with) its auto-download. */
export interface DownloadRecord {
  remote: string;
  target: string;
  folder: string;
  done: boolean;
  error?: string;
}

/** A project: its files, jobs, watch rules and downloads. */
export interface ProjectRecord {
  name: string;
  owner: string;
  createdAt: string;
  submissionName?: string;
  params?: Record<string, unknown>;
  files: Record<string, FileRecord>;
  watch: Record<string, string>;
  jobs: JobRecord[];
  downloads: DownloadRecord[];
}

/** Per-user balances that change at run time. */
export interface UserBalance {
  credits_available: number;
  credits_consumed: number;
}

/** Everything the emulator persists. */
export interface State {
  version: 1;
  currentUser: string | null;
  balances: Record<string, UserBalance>;
  projects: Record<string, ProjectRecord>;
}

/** Temp files of {@link writeAtomic}: `<name>.<pid>.<8 hex>.tmp`. */
const TEMP = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Writes `data` to `file` atomically: a temp file in the same folder (`<name>.<pid>.<hex>.tmp`), then a
 * rename. `mode` applies to a new file (default 0o644 less the umask).
 */
export async function writeAtomic(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, mode === undefined ? {} : { mode });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Whether a process with this id is running. */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files that processes killed in the middle of {@link writeAtomic} left in a data directory
 * (those of processes still running are kept). Resolves to the paths removed.
 */
export async function removeDeadTempFiles(dataDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dataDir, { recursive: true });
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const file = join(dataDir, name);
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}

/** A state as loaded from disk, its maps keyed by user-chosen names made prototype-free. */
function normalize(raw: State): State {
  const projects = dict(raw.projects ?? {});
  for (const p of Object.values(projects)) {
    p.files = dict(p.files ?? {});
    p.watch = dict(p.watch ?? {});
  }
  return { version: 1, currentUser: raw.currentUser ?? null, balances: dict(raw.balances ?? {}), projects };
}

/** The state file of a data directory (mode 0600), written atomically on every change (lightly coalesced). */
export class StateStore {
  readonly file: string;
  state: State;
  private dirty = false;
  private writing: Promise<void> | null = null;

  private constructor(file: string, state: State) {
    this.file = file;
    this.state = state;
  }

  /** Loads `<dataDir>/state.json`, or starts empty. */
  static async open(dataDir: string): Promise<StateStore> {
    const file = join(dataDir, 'state.json');
    let state: State = { version: 1, currentUser: null, balances: dict(), projects: dict() };
    try {
      state = normalize(JSON.parse(await readFile(file, 'utf8')) as State);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return new StateStore(file, state);
  }

  /** Records that the state changed; the snapshot taken at write time holds every change made so far. */
  save(): void {
    this.dirty = true;
    if (!this.writing) this.writing = this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const snapshot = JSON.stringify(this.state);
        // Owner-only: the state names the account, its projects and the local folders they came from.
        await writeAtomic(this.file, snapshot, 0o600);
      }
    } finally {
      this.writing = null;
    }
  }

  /** Resolves when every pending change is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }
}
