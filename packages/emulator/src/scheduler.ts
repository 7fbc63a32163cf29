import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Downloader } from './downloads.js';
import { planDownloads } from './downloads.js';
import { framePng } from './png.js';
import { now, type Runtime } from './runtime.js';
import type { JobRecord, JobState, ProjectRecord } from './store.js';
import { writeAtomic } from './store.js';

const TERMINAL: ReadonlySet<JobState> = new Set(['Completed', 'Failed', 'Stopped', 'Suspended', 'Cancelled']);

/** Whether a job has ended. */
export function isTerminal(state: JobState): boolean {
  return TERMINAL.has(state);
}

/** Output file name of a frame: `<prefix>_<frame, 4 digits>.<ext>`. */
export function frameFileName(job: JobRecord, frame: number): string {
  const digits = String(Math.abs(frame)).padStart(4, '0');
  return `${job.outputPrefix}_${frame < 0 ? '-' : ''}${digits}.${job.ext}`;
}

/** Simulates rendering: runs frames `instances` at a time, writes outputs, charges credits, applies budgets. */
export class Scheduler {
  /** Timers of running frames by `project/job` key, then frame. */
  private readonly running = new Map<string, Map<number, NodeJS.Timeout>>();
  /** Frames whose timer fired and whose output is being written. */
  private readonly finishing = new Map<string, Set<number>>();
  /** Credits spoken for by frames running now, by account. */
  private readonly reserved = new Map<string, number>();

  constructor(
    private readonly runtime: Runtime,
    private readonly frameMs: number,
    private readonly downloader: Downloader,
  ) {}

  /** Frames of a job running now. */
  runningCount(project: string, job: string): number {
    const key = `${project}\u0000${job}`;
    return (this.running.get(key)?.size ?? 0) + (this.finishing.get(key)?.size ?? 0);
  }

  /** Advances every job as far as it can go now. */
  pump(): void {
    if (this.runtime.closing) return;
    let changed = false;
    for (let again = true; again; ) {
      again = false;
      for (const project of Object.values(this.runtime.store.state.projects)) {
        const byId = new Map(project.jobs.map((j) => [j.id, j]));
        for (const job of project.jobs) {
          if (this.advance(project, job, byId)) again = changed = true;
        }
      }
    }
    if (changed) this.runtime.store.save();
  }

  private advance(project: ProjectRecord, job: JobRecord, byId: ReadonlyMap<string, JobRecord>): boolean {
    if (isTerminal(job.state)) return false;
    const before = job.state;
    if (job.state === 'Waiting') {
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
    const pending = this.pendingFrames(project, job);
    const balance = this.runtime.store.state.balances[project.owner];
    while (pending.length > 0 && this.runningCount(project.name, job.id) < job.instances) {
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
      const frame = pending.shift() as number;
      this.startFrame(project, job, key, frame);
      job.state = 'Running';
    }
    if (pending.length === 0 && this.runningCount(project.name, job.id) === 0) {
      job.state = job.done.length === job.frames.length ? 'Completed' : 'Failed';
    }
    return job.state !== before;
  }

  private pendingFrames(project: ProjectRecord, job: JobRecord): number[] {
    const key = `${project.name}\u0000${job.id}`;
    const done = new Set([...job.done, ...job.cancelled]);
    const run = this.running.get(key);
    const fin = this.finishing.get(key);
    return job.frames.filter((f) => !done.has(f) && !run?.has(f) && !fin?.has(f));
  }

  private reserve(owner: string, credits: number): void {
    const left = (this.reserved.get(owner) ?? 0) + credits;
    if (left > 1e-9) this.reserved.set(owner, left);
    else this.reserved.delete(owner);
  }

  private startFrame(project: ProjectRecord, job: JobRecord, key: string, frame: number): void {
    this.reserve(project.owner, job.creditRate);
    let timers = this.running.get(key);
    if (!timers) {
      timers = new Map();
      this.running.set(key, timers);
    }
    const timer = setTimeout(() => {
      timers.delete(frame);
      let fin = this.finishing.get(key);
      if (!fin) {
        fin = new Set();
        this.finishing.set(key, fin);
      }
      fin.add(frame);
      this.runtime.track(async () => {
        try {
          await this.finishFrame(project, job, frame);
        } catch (err) {
          // An output that cannot be written fails the job: re-running the frame would fail the same way.
          if (!isTerminal(job.state)) {
            this.cancelRemaining(project, job, true);
            job.state = 'Failed';
            job.message = `frame ${frame} could not be written: ${(err as Error).message}`;
            this.runtime.store.save();
          }
        } finally {
          this.reserve(project.owner, -job.creditRate);
          fin.delete(frame);
          this.pump();
        }
      });
    }, this.frameMs);
    timers.set(frame, timer);
  }

  private async finishFrame(project: ProjectRecord, job: JobRecord, frame: number): Promise<void> {
    const name = frameFileName(job, frame);
    const rel = `render_results/${job.outputDir}/${name}`;
    const data =
      job.ext === 'png'
        ? framePng(frame)
        : Buffer.from(`GridMarkets emulator placeholder: ${job.name}, frame ${frame} (${job.ext})\n`);
    const output = this.runtime.storePath(project.name, rel);
    await writeAtomic(output, data);
    if (job.state === 'Stopped') {
      // A stop cancels everything, frames still being written included: nothing more is recorded or charged.
      await rm(output, { force: true });
      job.cancelled.push(frame);
      this.runtime.store.save();
      return;
    }
    // The output, the frame and the charge are recorded in one state change; the balance never goes below 0.
    const balance = this.runtime.store.state.balances[project.owner];
    const charge = Math.max(0, Math.min(job.creditRate, balance?.credits_available ?? 0));
    job.done.push(frame);
    job.creditsConsumed += charge;
    if (balance) {
      balance.credits_available -= charge;
      balance.credits_consumed += charge;
    }
    const at = now();
    project.files[rel] = {
      rel,
      origin: 'result',
      state: 'Completed',
      size: data.length,
      bytesDone: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      lastModified: at,
    };
    planDownloads(project, `/${project.name}/${rel}`);
    this.applyBudget(project, job, at);
    this.runtime.store.save();
    this.downloader.kick();
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

  /** Cancels every frame not done; running ones too when `running` is set. */
  private cancelRemaining(project: ProjectRecord, job: JobRecord, running: boolean): void {
    const key = `${project.name}\u0000${job.id}`;
    if (running) {
      const timers = this.running.get(key);
      for (const timer of timers?.values() ?? []) clearTimeout(timer);
      if (timers) this.reserve(project.owner, -job.creditRate * timers.size);
      this.running.delete(key);
    }
    for (const f of this.pendingFrames(project, job)) job.cancelled.push(f);
  }

  /** Stops every frame timer (the frames re-run after a restart). */
  stop(): void {
    for (const timers of this.running.values()) for (const t of timers.values()) clearTimeout(t);
    this.running.clear();
    this.reserved.clear();
  }
}
