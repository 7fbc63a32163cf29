import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { dict, own } from './names.js';
import { FrameList, type FrameRun, type Range, RangeSet } from './ranges.js';

/**
 * A file of a project in the remote store. The state keeps uploads only; render results are derived from each
 * job's done frames (see `results.ts`).
 */
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
  /**
   * The rendered frames (job id, frame index) this upload replaced in the store: an upload completed at the path
   * of a render result is listed instead of that result, not of the results rendered there after it.
   */
  over?: [string, number][];
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
  /** The job's distinct frames, in render order. */
  frames: FrameList;
  /** Indexes (in {@link JobRecord.frames}) of the frames rendered and charged. */
  done: RangeSet;
  /** Indexes of the frames cancelled (by a stop, a suspend, a failure or a lack of credits). */
  cancelled: RangeSet;
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
  /** Who renders the job's frames: a real Blender, or the simulation (absent: simulated). */
  renderer?: 'blender' | 'simulated';
  /** Size and SHA-256 of each frame a real renderer wrote, by frame number (simulated outputs are derived). */
  outputs?: Record<string, [number, string]>;
  /** What the renderer complained about, by frame number (real renders only). */
  warnings?: Record<string, string[]>;
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
  version: 2;
  currentUser: string | null;
  balances: Record<string, UserBalance>;
  projects: Record<string, ProjectRecord>;
}

/**
 * What finishing (or cancelling) frames changed in one job, in absolute values, so that applying it twice
 * changes nothing more: `d` the indexes of frames now done (ranges); `job` the job's new small fields; `bal`
 * the owner's new balance; `dl` download records set at their index. A journal line is one entry, or a batch
 * (`{ "b": [...] }`) of the entries of every frame finished in one turn of the event loop, applied together.
 */
export interface JournalEntry {
  p: string;
  j?: string;
  d?: Range[];
  job?: {
    state: JobState;
    message?: string;
    budgetHit: boolean;
    creditsConsumed: number;
    alerts: AlertRecord[];
    cancelled: Range[];
  };
  bal?: { u: string; a: number; c: number };
  dl?: [number, DownloadRecord][];
}

/** Temp files of {@link writeAtomic}: `<name>.<pid>.<8 hex>.tmp`. */
const TEMP = /\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** The most bytes a file name may have (Linux, macOS and Windows all stop at 255). */
const MAX_FILE_NAME_BYTES = 255;

/**
 * The temp file beside `file`: its name followed by `suffix`, or, when the two together would be longer than a
 * file name may be, `.` and a hash of its name followed by `suffix` (a name as long as the checks allow must not
 * make its temp file impossible).
 */
export function tempBeside(file: string, suffix: string): string {
  const name = basename(file);
  if (Buffer.byteLength(name) + Buffer.byteLength(suffix) <= MAX_FILE_NAME_BYTES) return `${file}${suffix}`;
  return join(dirname(file), `.${createHash('sha256').update(name).digest('hex').slice(0, 16)}${suffix}`);
}

/**
 * Writes `data` to `file` atomically: a temp file in the same folder (`<name>.<pid>.<hex>.tmp`, see
 * {@link tempBeside}), then a rename. `mode` applies to a new file (default 0o644 less the umask).
 */
export async function writeAtomic(file: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = tempBeside(file, `.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, mode === undefined ? {} : { mode });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Store folders made (or found) in this process by {@link inFolder} and {@link inFolderSync}. */
const madeFolders = new Set<string>();
let tempCounter = 0;

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Runs `write`, which creates a file in folder `dir`: the folder is made once per process; when `write` fails with
 * ENOENT because it was removed since (a user clearing the store), it is made again and `write` runs once more. A
 * failure forgets the folder, so that the next write makes it again.
 */
export async function inFolder<T>(dir: string, write: () => Promise<T>): Promise<T> {
  try {
    if (!madeFolders.has(dir)) {
      await mkdir(dir, { recursive: true });
      madeFolders.add(dir);
    }
    return await write().catch(async (err: unknown) => {
      if (!isMissing(err)) throw err;
      await mkdir(dir, { recursive: true });
      return write();
    });
  } catch (err) {
    madeFolders.delete(dir);
    throw err;
  }
}

/** {@link inFolder} with synchronous calls. */
export function inFolderSync<T>(dir: string, write: () => T): T {
  try {
    if (!madeFolders.has(dir)) {
      mkdirSync(dir, { recursive: true });
      madeFolders.add(dir);
    }
    try {
      return write();
    } catch (err) {
      if (!isMissing(err)) throw err;
      mkdirSync(dir, { recursive: true });
      return write();
    }
  } catch (err) {
    madeFolders.delete(dir);
    throw err;
  }
}

/**
 * Writes a small file (a frame's output: a few KiB) atomically with synchronous calls, which for a file this size
 * cost less than the round trips of the promise API: a temp file named like {@link writeAtomic}'s, then a
 * rename. Its folder is made once per process ({@link inFolderSync}).
 */
export function writeSmallAtomic(file: string, data: Uint8Array): void {
  tempCounter = (tempCounter + 1) % 0x100000000;
  const tmp = tempBeside(file, `.${process.pid}.${tempCounter.toString(16).padStart(8, '0')}.tmp`);
  try {
    inFolderSync(dirname(file), () => writeFileSync(tmp, data));
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
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
 * (those of processes still running are kept). A file in `keep` (the uploads the state records: a user may name
 * a file like a temp file) is never removed. Resolves to the paths removed.
 */
export async function removeDeadTempFiles(
  dataDir: string,
  keep: ReadonlySet<string> = new Set(),
): Promise<string[]> {
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
    if (keep.has(file)) continue;
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}

/** A job as the state file holds it: frames as runs and done/cancelled as index ranges (version 2), or as
 * plain frame lists (version 1). */
type StoredJob = Omit<JobRecord, 'frames' | 'done' | 'cancelled'> & {
  frames: FrameRun[] | number[];
  done: Range[] | number[];
  cancelled: Range[] | number[];
};

/** A job record from the state file, in either version. */
function loadJob(raw: StoredJob, version: number): JobRecord {
  if (version >= 2) {
    return {
      ...raw,
      frames: new FrameList(raw.frames as FrameRun[]),
      done: RangeSet.of(raw.done as Range[]),
      cancelled: RangeSet.of(raw.cancelled as Range[]),
    };
  }
  // Version 1: every frame listed; done and cancelled name frames, not indexes.
  const frames = raw.frames as number[];
  const index = new Map(frames.map((f, i) => [f, i]));
  const indexes = (list: number[]): RangeSet =>
    RangeSet.fromValues(list.map((f) => index.get(f)).filter((i): i is number => i !== undefined));
  return {
    ...raw,
    frames: FrameList.of(frames),
    done: indexes(raw.done as number[]),
    cancelled: indexes(raw.cancelled as number[]),
  };
}

/** A state as loaded from disk, its maps keyed by user-chosen names made prototype-free. */
function normalize(raw: Omit<State, 'version'> & { version?: number }): State {
  const version = raw.version ?? 1;
  const projects = dict(raw.projects ?? {});
  for (const p of Object.values(projects)) {
    const files = dict(p.files ?? {});
    // Version 1 kept one record per rendered frame; results are now derived from the jobs' done frames.
    for (const [rel, f] of Object.entries(files)) if (f.origin === 'result') delete files[rel];
    p.files = files;
    p.watch = dict(p.watch ?? {});
    p.jobs = (p.jobs ?? []).map((j) => loadJob(j as unknown as StoredJob, version));
    p.downloads ??= [];
  }
  return { version: 2, currentUser: raw.currentUser ?? null, balances: dict(raw.balances ?? {}), projects };
}

/** Applies one journal line to a state (see {@link JournalEntry}); a line naming nothing known is skipped. */
export function applyEntry(state: State, e: JournalEntry): void {
  if (e.bal) state.balances[e.bal.u] = { credits_available: e.bal.a, credits_consumed: e.bal.c };
  const project = own(state.projects, e.p);
  if (!project) return;
  for (const [i, d] of e.dl ?? []) project.downloads[i] = d;
  const job = e.j === undefined ? undefined : project.jobs.find((x) => x.id === e.j);
  if (!job) return;
  for (const [a, b] of e.d ?? []) job.done.addRange(a, b);
  if (e.job) {
    job.state = e.job.state;
    if (e.job.message === undefined) delete job.message;
    else job.message = e.job.message;
    job.budgetHit = e.job.budgetHit;
    job.creditsConsumed = e.job.creditsConsumed;
    job.alerts = e.job.alerts;
    job.cancelled = RangeSet.of(e.job.cancelled);
  }
}

/** Journal file of a generation: `journal.<generation>.log`. */
const JOURNAL = /^journal\.(\d+)\.log$/;

/** A journal grown past this many bytes is folded into a new snapshot. */
const COMPACT_BYTES = 4 * 1024 * 1024;

/**
 * The state of a data directory: a snapshot, `state.json` (mode 0600, written atomically), plus an append-only
 * journal of frame events, `journal.<generation>.log`. A frame that finishes appends one short line (its
 * index, the job's small fields, the balance); any other change, and a journal past 4 MiB, writes a new snapshot
 * that starts a new generation. The snapshot names the generation whose journal follows it; a journal line is
 * written only after the snapshot it follows is on disk, so a process killed at any point leaves a snapshot and
 * a prefix of the changes made after it. Loading replays the journal of the snapshot's generation and later
 * ones, ignoring a torn last line.
 */
export class StateStore {
  readonly file: string;
  state: State;
  /** Bytes written to the state file and the journal since the start (for benchmarks and tests). */
  bytesWritten = 0;
  private dirty = false;
  private lines: string[] = [];
  private journalBytes = 0;
  private writing: Promise<void> | null = null;
  /** Changes asked for so far (each {@link save} and {@link record}), and how many of them are on disk. */
  private asked = 0;
  private stored = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];

  private constructor(
    private readonly dataDir: string,
    state: State,
    private generation: number,
  ) {
    this.file = join(dataDir, 'state.json');
    this.state = state;
  }

  /** Loads `<dataDir>/state.json` and replays its journal, or starts empty. */
  static async open(dataDir: string): Promise<StateStore> {
    const { state, generation } = await loadState(dataDir);
    return new StateStore(dataDir, state, generation);
  }

  private journal(generation: number): string {
    return join(this.dataDir, `journal.${generation}.log`);
  }

  /** Records that the state changed: a new snapshot is written (coalesced with other changes). */
  save(): void {
    this.dirty = true;
    this.asked++;
    this.writing ??= this.loop();
  }

  /** Records a change already made to the state as one journal line (see {@link JournalEntry}). */
  record(entry: JournalEntry | { b: JournalEntry[] }): void {
    this.lines.push(`${JSON.stringify(entry)}\n`);
    this.asked++;
    this.writing ??= this.loop();
  }

  /**
   * Resolves once every change asked for so far is on disk (later ones are not waited for): an answer sent after
   * it is not undone by a kill. Resolves too when a write fails (the failure is the writer's to report).
   */
  durable(): Promise<void> {
    const upTo = this.asked;
    if (this.stored >= upTo || !this.writing) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  private settle(all: boolean): void {
    const ready = all ? this.waiters : this.waiters.filter((w) => w.upTo <= this.stored);
    this.waiters = all ? [] : this.waiters.filter((w) => w.upTo > this.stored);
    for (const w of ready) w.resolve();
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty || this.lines.length > 0) {
        // Each write holds every change asked for until now: the snapshot the whole state, the chunk every line.
        const upTo = this.asked;
        if (this.dirty || this.journalBytes > COMPACT_BYTES) {
          // The snapshot holds every change so far, the buffered lines' too; later lines start a new generation.
          this.dirty = false;
          this.lines = [];
          this.journalBytes = 0;
          const previous = this.generation++;
          const snapshot = JSON.stringify({ ...this.state, journal: this.generation });
          // Owner-only: the state names the account, its projects and the local folders they came from.
          await writeAtomic(this.file, snapshot, 0o600);
          this.bytesWritten += snapshot.length;
          await rm(this.journal(previous), { force: true });
        } else {
          const chunk = this.lines.join('');
          this.lines = [];
          this.journalBytes += chunk.length;
          this.bytesWritten += chunk.length;
          await appendFile(this.journal(this.generation), chunk, { mode: 0o600 });
        }
        this.stored = upTo;
        this.settle(false);
      }
    } finally {
      this.writing = null;
      this.settle(true);
    }
  }

  /** Resolves when every pending change is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }
}

/**
 * The state a data directory holds: its snapshot with the journal lines written after it applied (a torn last
 * line, left by a kill in the middle of an append, is ignored), and the generation that snapshot started.
 * Journals already folded into the snapshot are removed unless `tidy` is false (a reader beside a running
 * emulator).
 */
export async function loadState(
  dataDir: string,
  { tidy = true }: { tidy?: boolean } = {},
): Promise<{ state: State; generation: number }> {
  let state: State = { version: 2, currentUser: null, balances: dict(), projects: dict() };
  let generation = 0;
  let snapshot = true;
  try {
    const raw = JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8')) as State & {
      journal?: number;
    };
    state = normalize(raw);
    generation = raw.journal ?? 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    snapshot = false;
  }
  let names: string[] = [];
  try {
    names = await readdir(dataDir);
  } catch {
    // no folder yet: nothing to replay
  }
  const journals = names
    .map((n) => JOURNAL.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  for (const g of journals) {
    const file = join(dataDir, `journal.${g}.log`);
    if (g < generation || !snapshot) {
      // Folded into the snapshot already, left by a kill before its removal; or the changes of a snapshot removed
      // (by a user starting over), which mean nothing without it.
      if (tidy) await rm(file, { force: true });
      continue;
    }
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      // Folded and removed by a running emulator while a reader (`tidy: false`) was looking.
      if (err.code === 'ENOENT' && !tidy) return '';
      throw err;
    });
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let entry: JournalEntry | { b: JournalEntry[] };
      try {
        entry = JSON.parse(line) as JournalEntry | { b: JournalEntry[] };
      } catch {
        continue; // a torn last line
      }
      for (const e of 'b' in entry ? entry.b : [entry]) applyEntry(state, e);
    }
  }
  return { state, generation: Math.max(generation, (snapshot && journals.at(-1)) || 0) };
}
