import { RangeSet } from '../ranges.js';
import type { Scheduler } from '../scheduler.js';
import { projectState } from '../status.js';
import type { JobRecord, ProjectRecord, State } from '../store.js';
import type { EmulatorUser } from '../types.js';

/** Most cells a job's frame grid is drawn with: a bigger job's cells each stand for a range of frames. */
export const GRID_CELLS = 200;
/** Most uploads and downloads listed per project (the others are counted). */
const MAX_LISTED = 100;

/** An account as the inspector shows it: never its key or password. */
export interface AccountView {
  email: string;
  name: string;
  plan: string;
  creditsAvailable: number;
  creditsConsumed: number;
  current: boolean;
}

/**
 * A job's frames in at most {@link GRID_CELLS} cells: cell `k` covers frame indexes `[first[k], first[k+1])`,
 * and `cells[k]` is `[done, running, cancelled]` counts there (the rest are waiting).
 */
export interface GridView {
  /** Frame number of each cell's first frame. */
  frames: number[];
  /** Frames in each cell. */
  sizes: number[];
  cells: [number, number, number][];
}

/** A job as the inspector shows it. */
export interface JobView {
  id: string;
  name: string;
  app: string;
  version: string;
  state: string;
  renderer: string;
  ext: string;
  outputs: string;
  total: number;
  done: number;
  running: number;
  cancelled: number;
  credits: number;
  creditRate: number;
  instances: number;
  budget: { value: number; action: string; hit: boolean } | null;
  alerts: { At: string; Message: string }[];
  message: string | null;
  grid: GridView;
}

/** A project as the inspector shows it. */
export interface ProjectView {
  name: string;
  owner: string;
  created: string;
  state: string;
  message: string;
  uploads: { rel: string; state: string; bytesDone: number; size: number; error: string | null }[];
  uploadTotals: { files: number; completed: number; bytesDone: number; bytes: number };
  watch: { pattern: string; folder: string }[];
  downloads: { remote: string; target: string; state: string }[];
  downloadTotals: { done: number; pending: number; failed: number };
  jobs: JobView[];
}

/** Frames of `set` with an index in `[a, b)`. */
function countIn(set: RangeSet, a: number, b: number): number {
  let n = 0;
  for (let i = set.nextPresent(a); i < b; ) {
    const end = Math.min(set.nextAbsent(i), b);
    n += end - i;
    i = set.nextPresent(end);
  }
  return n;
}

/** A job's frame grid (see {@link GridView}). */
export function gridOf(job: JobRecord, running: Iterable<number>): GridView {
  const total = job.frames.length;
  const count = Math.min(total, GRID_CELLS);
  const starts: number[] = [];
  for (let k = 0; k < count; k++) starts.push(Math.floor((k * total) / count));
  const runningSet = RangeSet.fromValues(running);
  const grid: GridView = { frames: [], sizes: [], cells: [] };
  for (let k = 0; k < count; k++) {
    const a = starts[k] as number;
    const b = k + 1 < count ? (starts[k + 1] as number) : total;
    grid.frames.push(job.frames.at(a));
    grid.sizes.push(b - a);
    grid.cells.push([countIn(job.done, a, b), countIn(runningSet, a, b), countIn(job.cancelled, a, b)]);
  }
  return grid;
}

function jobView(project: ProjectRecord, job: JobRecord, scheduler: Scheduler): JobView {
  return {
    id: job.id,
    name: job.name,
    app: job.app,
    version: job.appVersion,
    state: job.state,
    renderer: scheduler.rendererOf(job),
    ext: job.ext,
    outputs: `render_results/${job.outputDir}/${job.outputPrefix}_####.${job.ext}`,
    total: job.frames.length,
    done: job.done.size,
    running: scheduler.runningCount(project.name, job.id),
    cancelled: job.cancelled.size,
    credits: job.creditsConsumed,
    creditRate: job.creditRate,
    instances: job.instances,
    budget: job.budget ? { value: job.budget.value, action: job.budget.action, hit: job.budgetHit } : null,
    alerts: job.alerts,
    message: job.message ?? null,
    grid: gridOf(job, scheduler.runningIndexes(project.name, job.id)),
  };
}

/** A project as the inspector shows it (its uploads and downloads listed up to {@link MAX_LISTED}). */
export function projectView(project: ProjectRecord, scheduler: Scheduler): ProjectView {
  const uploads = Object.values(project.files).filter((f) => f.origin === 'upload');
  // Files still moving first: they are what a user watches.
  const order = { Uploading: 0, Queued: 1, Failed: 2, Completed: 3 } as const;
  const listed = [...uploads].sort((x, y) => order[x.state] - order[y.state]).slice(0, MAX_LISTED);
  const { state, message } = projectState(project, scheduler);
  let done = 0;
  let failed = 0;
  for (const d of project.downloads) {
    if (d.done) done++;
    else if (d.error) failed++;
  }
  return {
    name: project.name,
    owner: project.owner,
    created: project.createdAt,
    state,
    message,
    uploads: listed.map((f) => ({
      rel: f.rel,
      state: f.state,
      bytesDone: f.bytesDone,
      size: f.size,
      error: f.error ?? null,
    })),
    uploadTotals: {
      files: uploads.length,
      completed: uploads.filter((f) => f.state === 'Completed').length,
      bytesDone: uploads.reduce((n, f) => n + f.bytesDone, 0),
      bytes: uploads.reduce((n, f) => n + f.size, 0),
    },
    watch: Object.entries(project.watch).map(([pattern, folder]) => ({ pattern, folder })),
    downloads: project.downloads.slice(-MAX_LISTED).map((d) => ({
      remote: d.remote,
      target: d.target,
      state: d.done ? 'done' : d.error ? `failed: ${d.error}` : 'pending',
    })),
    downloadTotals: { done, pending: project.downloads.length - done - failed, failed },
    jobs: project.jobs.map((j) => jobView(project, j, scheduler)),
  };
}

/** The accounts as the inspector shows them. */
export function accountsView(users: readonly Required<EmulatorUser>[], state: State): AccountView[] {
  return users.map((u) => {
    const b = state.balances[u.email];
    return {
      email: u.email,
      name: u.name,
      plan: u.servicePlan,
      creditsAvailable: b?.credits_available ?? 0,
      creditsConsumed: b?.credits_consumed ?? 0,
      current: state.currentUser === u.email,
    };
  });
}
