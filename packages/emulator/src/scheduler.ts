import { randomBytes } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BlenderOutcome, type BlenderPool, removeWorkDir } from './blender.js';
import type { Downloader } from './downloads.js';
import { planDownloads } from './downloads.js';
import { own } from './names.js';
import { RangeSet } from './ranges.js';
import { frameFileName, frameRel } from './result-names.js';
import { frameOutput } from './results.js';
import { now, type Runtime } from './runtime.js';
import type {
  DownloadRecord,
  JobRecord,
  JobState,
  JournalEntry,
  ProjectRecord,
  UserBalance,
} from './store.js';
import { writeSmallAtomic } from './store.js';

export { frameFileName } from './result-names.js';

/** Longest stretch, in ms, the scheduler writes finished frames before letting requests be answered. */
const DRAIN_MS = 4;

const TERMINAL: ReadonlySet<JobState> = new Set(['Completed', 'Failed', 'Stopped', 'Suspended', 'Cancelled']);

/** A frame rendered for real: how it ended, and the folder it was rendered in (removed once it is recorded). */
interface RealFrame {
  outcome: BlenderOutcome;
  workDir: string;
}

/** A frame running now: a timer (simulated) or a real render, with a way to stop it. */
type FrameRun = NodeJS.Timeout | { cancel(): void };

/** Stops a running frame: clears its timer or kills its render. */
function stopRun(run: FrameRun): void {
  if ('cancel' in run && typeof run.cancel === 'function') run.cancel();
  else clearTimeout(run as NodeJS.Timeout);
}

/** Most warnings a job keeps as alerts. */
const MAX_JOB_WARNINGS = 50;

/** Whether a job has ended. */
export function isTerminal(state: JobState): boolean {
  return TERMINAL.has(state);
}

/** The first frame index ≥ `from` that is neither done nor cancelled, or -1. */
function nextOpen(job: JobRecord, from: number): number {
  let i = from;
  for (;;) {
    const a = job.done.nextAbsent(i);
    const b = job.cancelled.nextAbsent(a);
    if (b === i) break;
    i = b;
  }
  return i < job.frames.length ? i : -1;
}

/** The journal entry of a job's change: its small fields, the owner's balance, downloads set, frames done. */
function jobEntry(
  project: ProjectRecord,
  job: JobRecord,
  balance: UserBalance | undefined,
  d?: RangeSet,
  dl?: Iterable<number>,
): JournalEntry {
  const entry: JournalEntry = {
    p: project.name,
    j: job.id,
    job: {
      state: job.state,
      ...(job.message === undefined ? {} : { message: job.message }),
      budgetHit: job.budgetHit,
      creditsConsumed: job.creditsConsumed,
      alerts: job.alerts,
      cancelled: job.cancelled.ranges(),
    },
  };
  if (d && d.size > 0) entry.d = d.ranges();
  if (balance) entry.bal = { u: project.owner, a: balance.credits_available, c: balance.credits_consumed };
  const downloads = [...(dl ?? [])];
  if (downloads.length > 0) entry.dl = downloads.map((i) => [i, project.downloads[i] as DownloadRecord]);
  return entry;
}

/**
 * Simulates rendering: runs frames `instances` at a time, writes outputs, charges credits, applies budgets.
 * Frames are addressed by their index in the job's frame list; each job keeps a cursor (in memory) past the
 * frames already started, so finding the next frame costs O(log ranges), not a pass over every frame.
 */
export class Scheduler {
  /** Timers of running frames by `project/job` key, then frame index. */
  private readonly running = new Map<string, Map<number, FrameRun>>();
  /** Frame indexes whose timer fired and whose output is being written. */
  private readonly finishing = new Map<string, Set<number>>();
  /** Per job: every frame index below it has been started in this process, or is done or cancelled. */
  private readonly cursor = new Map<string, number>();
  /** Each job's results folder in the store. */
  private readonly folders = new WeakMap<JobRecord, string>();
  /** Each project's jobs by id, made again when jobs are added (a project's jobs are only ever appended). */
  private readonly jobsById = new WeakMap<ProjectRecord, { count: number; byId: Map<string, JobRecord> }>();
  /** Credits spoken for by frames running now, by account. */
  private readonly reserved = new Map<string, number>();

  constructor(
    private readonly runtime: Runtime,
    private readonly frameMs: number,
    private readonly downloader: Downloader,
    /** The Blender that renders Blender jobs for real; none: every frame is simulated. */
    private readonly blender: BlenderPool | null = null,
  ) {}

  /** Whether a job's frames are rendered by a real Blender (else simulated). */
  rendersForReal(job: JobRecord): boolean {
    return this.blender !== null && job.app === 'blender';
  }

  /** Who renders a job: `blender` or `simulated` (what it last started its frames with). */
  rendererOf(job: JobRecord): 'blender' | 'simulated' {
    return job.renderer ?? (this.rendersForReal(job) ? 'blender' : 'simulated');
  }

  /** Frames of a job running now. */
  runningCount(project: string, job: string): number {
    const key = `${project}\u0000${job}`;
    return (this.running.get(key)?.size ?? 0) + (this.finishing.get(key)?.size ?? 0);
  }

  /** Indexes of a job's frames running now (rendering, or being written). */
  *runningIndexes(project: string, job: string): Iterable<number> {
    const key = `${project}\u0000${job}`;
    yield* this.running.get(key)?.keys() ?? [];
    yield* this.finishing.get(key) ?? [];
  }

  /** The Blender that renders Blender jobs, or null. */
  get blenderPool(): BlenderPool | null {
    return this.blender;
  }

  /** Advances every job as far as it can go now. */
  pump(): void {
    if (this.runtime.closing) return;
    let changed = false;
    for (let again = true; again; ) {
      again = false;
      for (const project of Object.values(this.runtime.store.state.projects)) {
        for (const job of project.jobs) {
          if (!isTerminal(job.state) && this.advance(project, job)) again = changed = true;
        }
      }
    }
    if (changed) this.runtime.store.save();
  }

  /** The next frame index of a job to start, or -1. */
  private nextPending(key: string, job: JobRecord): number {
    const i = nextOpen(job, this.cursor.get(key) ?? 0);
    this.cursor.set(key, i < 0 ? job.frames.length : i);
    return i;
  }

  private advance(project: ProjectRecord, job: JobRecord): boolean {
    if (isTerminal(job.state)) return false;
    const before = job.state;
    if (job.state === 'Waiting') {
      let index = this.jobsById.get(project);
      if (index?.count !== project.jobs.length) {
        index = { count: project.jobs.length, byId: new Map(project.jobs.map((j) => [j.id, j])) };
        this.jobsById.set(project, index);
      }
      const byId = index.byId;
      let failed: JobRecord | null | undefined;
      let ready = true;
      for (const id of job.dependencies) {
        const d = byId.get(id);
        if (!d || (isTerminal(d.state) && d.state !== 'Completed')) {
          failed = d ?? null;
          break;
        }
        if (d.state !== 'Completed') ready = false;
      }
      if (failed !== undefined) {
        this.cancelRemaining(project, job, false);
        job.state = 'Cancelled';
        job.message = `a job it depends on (${failed?.name ?? 'unknown'}) did not complete`;
        return true;
      }
      const broken = Object.values(project.files).find((f) => f.origin === 'upload' && f.state === 'Failed');
      if (broken) {
        this.cancelRemaining(project, job, false);
        job.state = 'Failed';
        job.message = `the upload of ${broken.rel} failed: ${broken.error ?? 'unknown error'}`;
        return true;
      }
      const uploaded = Object.values(project.files).every(
        (f) => f.origin !== 'upload' || f.state === 'Completed',
      );
      if (!uploaded || !ready) return false;
      job.state = 'Queued';
    }
    const key = `${project.name}\u0000${job.id}`;
    const balance = this.runtime.store.state.balances[project.owner];
    let next = this.nextPending(key, job);
    while (next >= 0 && this.runningCount(project.name, job.id) < job.instances) {
      // Credits of frames still running are spoken for: a frame starts only when the balance covers it too.
      const free = (balance?.credits_available ?? 0) - (this.reserved.get(project.owner) ?? 0);
      if (!balance || free < job.creditRate) {
        if (this.runningCount(project.name, job.id) === 0) {
          this.cancelRemaining(project, job, false);
          job.state = 'Failed';
          job.message = 'the account ran out of credits';
        }
        // Frames still running finish first (and pump again); until then nothing here can change.
        return job.state !== before;
      }
      this.cursor.set(key, next + 1);
      this.startFrame(project, job, key, next);
      job.state = 'Running';
      next = this.nextPending(key, job);
    }
    if (next < 0 && this.runningCount(project.name, job.id) === 0) {
      job.state = job.done.size === job.frames.length ? 'Completed' : 'Failed';
    }
    return job.state !== before;
  }

  private reserve(owner: string, credits: number): void {
    const left = (this.reserved.get(owner) ?? 0) + credits;
    if (left > 1e-9) this.reserved.set(owner, left);
    else this.reserved.delete(owner);
  }

  private startFrame(project: ProjectRecord, job: JobRecord, key: string, index: number): void {
    this.reserve(project.owner, job.creditRate);
    let timers = this.running.get(key);
    if (!timers) {
      timers = new Map();
      this.running.set(key, timers);
    }
    if (this.rendersForReal(job)) {
      job.renderer = 'blender';
      timers.set(index, this.startReal(project, job, key, index, timers));
      return;
    }
    if (job.renderer === 'blender') job.renderer = 'simulated';
    const timer = setTimeout(() => {
      timers.delete(index);
      let fin = this.finishing.get(key);
      if (!fin) {
        fin = new Set();
        this.finishing.set(key, fin);
      }
      fin.add(index);
      this.ready.push({ project, job, index, fin });
      this.drainSoon();
    }, this.frameMs);
    timers.set(index, timer);
  }

  /**
   * Starts a frame's real render in a fresh folder inside the job's results folder; when it ends, the frame
   * joins the queue of {@link drain} like a simulated one whose time is up. A frame stopped before (a stop, a
   * budget, a close) is dropped with its folder.
   */
  private startReal(
    project: ProjectRecord,
    job: JobRecord,
    key: string,
    index: number,
    timers: Map<number, FrameRun>,
  ): FrameRun {
    const pool = this.blender as BlenderPool;
    const frame = job.frames.at(index);
    const folder = this.folderOf(project, job);
    const workDir = join(folder, `.gm-blender-${frame}-${randomBytes(4).toString('hex')}`);
    const uploads: Record<string, string> = {};
    for (const f of Object.values(project.files)) {
      if (f.origin === 'upload' && f.state === 'Completed' && f.source) {
        uploads[f.source] = this.runtime.storePath(project.name, f.rel);
      }
    }
    const render = pool.render({
      scene: this.runtime.storePath(project.name, job.path.slice(project.name.length + 2)),
      projectRoot: this.runtime.storePath(project.name, ''),
      uploads,
      frame,
      ext: job.ext,
      workDir,
    });
    let stopped = false;
    const run = {
      cancel() {
        stopped = true;
        render.cancel();
      },
    };
    void render.done.then((outcome) => {
      if (stopped || this.runtime.closing || (outcome.ok === false && outcome.cancelled)) {
        // Its credits were freed by whatever stopped it.
        void removeWorkDir(workDir);
        return;
      }
      timers.delete(index);
      let fin = this.finishing.get(key);
      if (!fin) {
        fin = new Set();
        this.finishing.set(key, fin);
      }
      fin.add(index);
      this.ready.push({ project, job, index, fin, real: { outcome, workDir } });
      this.drainSoon();
    });
    return run;
  }

  /** Frames whose time is up, to be written and recorded by {@link drain}. */
  private ready: {
    project: ProjectRecord;
    job: JobRecord;
    index: number;
    fin: Set<number>;
    real?: RealFrame;
  }[] = [];
  private readyHead = 0;
  private drainQueued = false;

  private drainSoon(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    setImmediate(() => this.drain());
  }

  /**
   * Writes and records finished frames for at most {@link DRAIN_MS} per turn of the event loop, then lets the
   * loop answer requests before going on: however many frames finish at once, the API keeps answering.
   */
  private drain(): void {
    this.drainQueued = false;
    if (this.runtime.closing) return;
    const until = performance.now() + DRAIN_MS;
    while (this.readyHead < this.ready.length && performance.now() < until) {
      const { project, job, index, fin, real } = this.ready[this.readyHead++] as (typeof this.ready)[number];
      try {
        this.finishFrame(project, job, index, real);
      } catch (err) {
        // An output that cannot be written fails the job: re-running the frame would fail the same way.
        if (!isTerminal(job.state)) {
          this.cancelRemaining(project, job, true);
          job.state = 'Failed';
          job.message = `frame ${job.frames.at(index)} could not be written: ${(err as Error).message}`;
          this.runtime.store.save();
        }
      } finally {
        this.reserve(project.owner, -job.creditRate);
        fin.delete(index);
      }
    }
    this.recordChanges();
    if (this.readyHead >= this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
    } else {
      if (this.readyHead > 1024) {
        this.ready = this.ready.slice(this.readyHead);
        this.readyHead = 0;
      }
      this.drainSoon();
    }
    this.pump();
  }

  /** Jobs changed by the frames finished in this slice, to be journaled together by {@link recordChanges}. */
  private readonly changes = new Map<
    JobRecord,
    { project: ProjectRecord; done: RangeSet; dl: Set<number> }
  >();

  private changed(project: ProjectRecord, job: JobRecord): { done: RangeSet; dl: Set<number> } {
    let change = this.changes.get(job);
    if (!change) {
      change = { project, done: new RangeSet(), dl: new Set() };
      this.changes.set(job, change);
    }
    return change;
  }

  /**
   * Journals what the slice's frames changed as one line (one entry per job, balances as they are now): a kill
   * leaves all of it or none of it, so outputs, frames and charges stay in step.
   */
  private recordChanges(): void {
    if (this.changes.size === 0) return;
    const { balances } = this.runtime.store.state;
    const b: JournalEntry[] = [];
    for (const [job, { project, done, dl }] of this.changes) {
      b.push(jobEntry(project, job, own(balances, project.owner), done, dl));
    }
    this.changes.clear();
    this.runtime.store.record(b.length === 1 ? (b[0] as JournalEntry) : { b });
  }

  /** A job's results folder in the store. */
  private folderOf(project: ProjectRecord, job: JobRecord): string {
    let folder = this.folders.get(job);
    if (!folder) {
      folder = this.runtime.storePath(project.name, `render_results/${job.outputDir}`);
      this.folders.set(job, folder);
    }
    return folder;
  }

  private finishFrame(project: ProjectRecord, job: JobRecord, index: number, real?: RealFrame): void {
    const frame = job.frames.at(index);
    const folder = this.folderOf(project, job);
    if (job.state === 'Stopped' || job.cancelled.has(index)) {
      if (real) rmSync(real.workDir, { recursive: true, force: true });
      // A stop or a failure cancels everything, frames still being rendered included: nothing is written (the
      // path may hold another job's output), recorded or charged.
      job.cancelled.add(index);
      this.changed(project, job);
      return;
    }
    if (real) {
      let placed: boolean;
      try {
        placed = this.placeReal(project, job, index, real.outcome, join(folder, frameFileName(job, frame)));
      } finally {
        // Blender's own folder goes before the frame is recorded: once a job is Completed only its frames are there.
        rmSync(real.workDir, { recursive: true, force: true });
      }
      if (!placed) return;
    } else {
      writeSmallAtomic(join(folder, frameFileName(job, frame)), frameOutput(job, frame).data);
    }
    const { store } = this.runtime;
    // The output, the frame and the charge are recorded in one journal line; the balance never goes below 0.
    const balance = store.state.balances[project.owner];
    const charge = Math.max(0, Math.min(job.creditRate, balance?.credits_available ?? 0));
    job.done.add(index);
    job.creditsConsumed += charge;
    if (balance) {
      balance.credits_available -= charge;
      balance.credits_consumed += charge;
    }
    let dl: number[] | undefined;
    for (const _ in project.watch) {
      dl = planDownloads(project, `/${project.name}/${frameRel(job, frame)}`);
      break;
    }
    this.applyBudget(project, job, now());
    const change = this.changed(project, job);
    change.done.add(index);
    for (const i of dl ?? []) change.dl.add(i);
    if (dl && dl.length > 0) this.downloader.kick();
  }

  /**
   * Moves a real frame's output into place and keeps its size, checksum and warnings; a frame Blender could not
   * render is cancelled (not charged) with an alert, and the job ends Failed once its other frames are done.
   * Resolves whether the frame was rendered.
   */
  private placeReal(
    project: ProjectRecord,
    job: JobRecord,
    index: number,
    outcome: BlenderOutcome,
    target: string,
  ): boolean {
    const frame = job.frames.at(index);
    const at = now();
    if (outcome.warnings.length > 0) {
      job.warnings ??= {};
      job.warnings[frame] = outcome.warnings;
      for (const w of outcome.warnings) {
        if (job.alerts.length >= MAX_JOB_WARNINGS) break;
        if (job.alerts.some((a) => a.Message.startsWith(`${w} (frame`))) continue;
        job.alerts.push({ At: at, Message: `${w} (frame ${frame})` });
      }
    }
    // The outputs, warnings and alerts are in the snapshot (real frames are few: one per Blender run).
    this.runtime.store.save();
    if (!outcome.ok) {
      job.cancelled.add(index);
      job.message = `frame ${frame} failed: ${outcome.reason}`;
      job.alerts.push({ At: at, Message: `frame ${frame} failed: ${outcome.reason}` });
      this.changed(project, job);
      return false;
    }
    renameSync(outcome.file, target);
    job.outputs ??= {};
    job.outputs[frame] = [outcome.size, outcome.sha256];
    return true;
  }

  private applyBudget(project: ProjectRecord, job: JobRecord, at: string): void {
    const budget = job.budget;
    if (!budget || job.budgetHit || job.creditsConsumed < budget.value) return;
    job.budgetHit = true;
    const message = `credits budget of ${budget.value} reached (${job.creditsConsumed} consumed)`;
    if (budget.action === 'alert') {
      job.alerts.push({ At: at, Message: message });
    } else if (budget.action === 'stop') {
      this.cancelRemaining(project, job, true);
      job.state = 'Stopped';
      job.message = `${message}; job stopped`;
    } else {
      this.cancelRemaining(project, job, false);
      job.state = 'Suspended';
      job.message = `${message}; job suspended`;
    }
  }

  /** Cancels every frame not done (and not running); running ones too when `running` is set. */
  private cancelRemaining(project: ProjectRecord, job: JobRecord, running: boolean): void {
    const key = `${project.name}\u0000${job.id}`;
    if (running) {
      const timers = this.running.get(key);
      for (const [index, timer] of timers ?? []) {
        stopRun(timer);
        job.cancelled.add(index);
      }
      if (timers) this.reserve(project.owner, -job.creditRate * timers.size);
      this.running.delete(key);
      // Frames whose time is up but that wait in the queue to be written are cancelled now too, so an answer
      // given before the queue drains already counts them (the queue skips them; their credits free there).
      for (const index of this.finishing.get(key) ?? []) if (!job.done.has(index)) job.cancelled.add(index);
    }
    // Frames from the cursor on have not started: cancel each stretch between done or cancelled ones.
    for (let i = nextOpen(job, this.cursor.get(key) ?? 0); i >= 0; ) {
      const end = Math.min(job.done.nextPresent(i), job.cancelled.nextPresent(i), job.frames.length);
      job.cancelled.addRange(i, end - 1);
      i = nextOpen(job, end);
    }
    this.cursor.set(key, job.frames.length);
  }

  /** Stops every frame timer (the frames re-run after a restart). */
  stop(): void {
    for (const timers of this.running.values()) for (const t of timers.values()) stopRun(t);
    this.blender?.close();
    this.ready = [];
    this.readyHead = 0;
    this.running.clear();
    this.reserved.clear();
  }
}
