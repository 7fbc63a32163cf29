/**
 * Following a project to its end: progress bars on stderr (bytes while uploading, frames while rendering),
 * or JSON lines events with `--json`.
 *
 * @module
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type EnvoyClient, FINAL_PROJECT_STATES, type ProjectStatus } from '@gm/core';
import type { Context } from './context.js';
import { CliError, ExitCode } from './exit-codes.js';
import type { ProgressBar } from './progress.js';
import { safe } from './safe.js';
import { formatBytes, formatCredits, formatTable } from './table.js';

/** Whether watching ends at `state`: a final project state, or `Uploaded` when only uploading. */
const isDone = (state: string, uploadOnly: boolean | undefined): boolean =>
  FINAL_PROJECT_STATES.includes(state) || (uploadOnly === true && state === 'Uploaded');

/** Project states that count as failure (exit code 7 after `--watch`). */
export const FAILED_STATES: readonly string[] = ['Stopped', 'Failed'];

/** Sums the frames of every job in a status. */
export function frameTotals(status: ProjectStatus): { done: number; total: number; running: number } {
  let done = 0;
  let total = 0;
  let running = 0;
  for (const job of status.Jobs ?? []) {
    done += job.FramesDone ?? 0;
    total += job.FramesTotal ?? 0;
    running += job.FramesRunning ?? 0;
  }
  return { done, total, running };
}

/** Options of {@link watchProject}. */
export interface WatchOptions {
  /** Time between polls in milliseconds (default 1000). */
  intervalMs?: number;
  /** Stop at `Uploaded` too (an upload only); otherwise an upload's `Uploaded` is awaited past. */
  uploadOnly?: boolean;
  /** Throw exit code 7 when the project ends `Stopped` or `Failed` (default true). */
  failOnStopped?: boolean;
  /** With `--json`, write one JSON line per status and a final `done` event (default true). */
  events?: boolean;
  /** Local folders the results are downloaded to (listed in the `done` event). */
  resultFolders?: readonly string[];
  /**
   * Follow only these jobs (the ids of one submission): frames, credits, jobs and alerts count theirs alone, so a
   * rerun (`gm submit --again`) is not reported with the totals of the runs before it. Default: every job.
   */
  jobIds?: readonly string[];
}

/**
 * The status as one submission sees it: only the jobs of `jobIds`, and the credits they consumed (the project's
 * own count covers every job ever submitted to it). The status as it is when `jobIds` is undefined.
 */
export function submissionStatus(
  status: ProjectStatus,
  jobIds: readonly string[] | undefined,
): ProjectStatus {
  if (jobIds === undefined) return status;
  const ids = new Set(jobIds);
  const jobs = (status.Jobs ?? []).filter((j) => ids.has(j.Id));
  return { ...status, Jobs: jobs, CreditsConsumed: jobs.reduce((n, j) => n + (j.CreditsConsumed ?? 0), 0) };
}

/** Job states a credit budget puts a job in, and what they mean. */
const BUDGET_STATES: Readonly<Record<string, string>> = {
  Stopped: 'stopped by its credit budget',
  Suspended: 'suspended by its credit budget (frames already running finish)',
};

/** Every file below the given folders (absolute paths, sorted); absent folders give none. */
export async function listResults(folders: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const folder of folders) {
    const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isFile()) files.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
    }
  }
  return files.sort();
}

/** Watches a project until it reaches a final state; returns the last status. */
export async function watchProject(
  ctx: Context,
  client: EnvoyClient,
  name: string,
  options: WatchOptions = {},
): Promise<ProjectStatus> {
  const { out } = ctx;
  let bytesBar: ProgressBar | undefined;
  let framesBar: ProgressBar | undefined;
  let last: ProjectStatus | undefined;
  let lastState = '';
  let printedState = '';
  const seenAlerts = new Set<string>();
  const budgetSaid = new Set<string>();
  for await (const whole of client.watchProjectStatus(name, {
    intervalMs: options.intervalMs ?? 1000,
    signal: ctx.signal,
  })) {
    const status = submissionStatus(whole, options.jobIds);
    last = status;
    const state = String(status.State ?? '');
    const frames = frameTotals(status);
    if (out.json) {
      if (options.events === false) {
        lastState = state;
        if (isDone(state, options.uploadOnly)) break;
        continue;
      }
      out.event({
        event: 'status',
        project: name,
        state,
        bytesDone: status.BytesDone ?? 0,
        bytesTotal: status.BytesTotal ?? 0,
        framesDone: frames.done,
        framesTotal: frames.total,
        creditsConsumed: status.CreditsConsumed ?? 0,
        jobs: jobEvents(status),
        downloads: status.Downloads ?? { Done: 0, Pending: 0 },
      });
    } else {
      if (state !== lastState && state !== printedState && !bytesBar?.active && !framesBar?.active) {
        printedState = state;
        out.info(
          `${out.ce.dim('state')} ${stateColour(ctx, state)}${status.Message ? `  ${out.ce.dim(safe(status.Message))}` : ''}`,
        );
      }
      const bytesTotal = Number(status.BytesTotal ?? 0);
      // An upload that ended before the first poll still gets its (full) bar.
      if ((state === 'Uploading' || (state === 'Uploaded' && !bytesBar)) && bytesTotal > 0) {
        bytesBar ??= out.progress({
          label: 'Uploading',
          total: bytesTotal,
          format: byteFormat,
          rate: (perSecond) => `${formatBytes(perSecond)}/s`,
        });
        bytesBar.update(Number(status.BytesDone ?? 0), bytesTotal);
      } else if (bytesBar && state !== 'Uploading') {
        bytesBar.update(bytesTotal, bytesTotal);
        bytesBar.done();
      }
      if (frames.total > 0 && state !== 'Uploading') {
        framesBar ??= out.progress({
          label: 'Frames   ',
          total: frames.total,
          format: (d, t) => `${d}/${t} frames`,
          rate: frameRate,
        });
        const jobs = (status.Jobs ?? []).map((j) => `${safe(j.Name)} ${safe(j.State)}`).join(', ');
        framesBar.update(
          frames.done,
          frames.total,
          `${formatCredits(Number(status.CreditsConsumed ?? 0))} cr  ${jobs}`,
        );
      }
      for (const job of status.Jobs ?? []) {
        const budget = BUDGET_STATES[job.State];
        if (budget && !budgetSaid.has(job.Id)) {
          budgetSaid.add(job.Id);
          if (framesBar?.active) out.io.stderr.write('\n');
          out.warn(
            `${job.Name}: ${budget} after ${formatCredits(job.CreditsConsumed ?? 0)} credits, ${job.FramesDone}/${job.FramesTotal} frames.`,
          );
        }
        for (const alert of job.Alerts ?? []) {
          const text = alertText(alert);
          const key = `${job.Name}:${text}`;
          if (!seenAlerts.has(key)) {
            seenAlerts.add(key);
            if (framesBar?.active) out.io.stderr.write('\n');
            out.warn(`${safe(job.Name)}: ${safe(text)}`);
          }
        }
      }
    }
    lastState = state;
    if (isDone(state, options.uploadOnly)) break;
  }
  bytesBar?.done();
  if (last && framesBar) {
    const f = frameTotals(last);
    framesBar.update(f.done, f.total);
    framesBar.done();
  }
  if (ctx.signal.aborted) {
    throw new CliError('Stopped watching; the project goes on in Envoy.', ExitCode.INTERRUPTED, {
      hint: `Follow it again: gm status ${name} --watch`,
    });
  }
  if (!last) throw new CliError(`No status for ${name}.`, ExitCode.SERVICE);
  const finalState = String(last.State ?? '');
  if (out.json && options.events !== false) {
    const folders = [...(options.resultFolders ?? [])];
    const remote = await client.getProjectFiles(name).catch(() => []);
    out.event({
      event: 'done',
      project: name,
      state: finalState,
      creditsSpent: Number(last.CreditsConsumed ?? 0),
      framesDone: frameTotals(last).done,
      framesTotal: frameTotals(last).total,
      jobs: jobEvents(last),
      resultFolders: folders,
      results: await listResults(folders),
      remoteResults: remote
        .map((f) => f.Key ?? f.Name ?? '')
        .filter((k) => k.includes('/render_results/'))
        .sort(),
    });
  }
  if (!out.json && finalState !== printedState) {
    out.info(
      `${out.ce.dim('state')} ${stateColour(ctx, finalState)}${last.Message ? `  ${out.ce.dim(safe(last.Message))}` : ''}`,
    );
  }
  if (options.failOnStopped !== false && FAILED_STATES.includes(finalState)) {
    const budgeted = (last.Jobs ?? []).filter((j) => BUDGET_STATES[j.State]);
    throw new CliError(`Project ${name} ended ${finalState}.`, ExitCode.PROJECT_FAILED, {
      details: budgeted.map((j) => `${j.Name}: ${BUDGET_STATES[j.State]}`),
      hint:
        budgeted.length > 0
          ? `Raise the job's budget (\`budget:\` in the job file) and submit it again with --again; \`gm status ${name}\` shows each job.`
          : `\`gm status ${name}\` shows each job and why it ended; check the job parameters.`,
    });
  }
  return last;
}

/** The jobs of a status as JSON events give them; `budget: true` when a credit budget stopped or suspended one. */
function jobEvents(status: ProjectStatus): Record<string, unknown>[] {
  return (status.Jobs ?? []).map((j) => ({
    name: j.Name,
    state: j.State,
    framesDone: j.FramesDone,
    framesTotal: j.FramesTotal,
    creditsConsumed: j.CreditsConsumed ?? 0,
    ...(BUDGET_STATES[j.State] ? { budget: true } : {}),
  }));
}

const byteFormat = (done: number, total: number) => `${formatBytes(done)}/${formatBytes(total)}`;

/** Frames per second, or per minute when slower than one a second. */
const frameRate = (perSecond: number) =>
  perSecond >= 1 ? `${perSecond.toFixed(1)} frames/s` : `${(perSecond * 60).toFixed(1)} frames/min`;

/** Colours a project or job state. */
export function stateColour(ctx: Context, state: string): string {
  const { ce } = ctx.out;
  if (state === 'Completed' || state === 'Uploaded') return ce.green(state);
  if (FAILED_STATES.includes(state) || state === 'Cancelled') return ce.red(state);
  // Any other state is Envoy's own text.
  return ce.yellow(safe(state));
}

/** Prints a status as text: state, bytes, credits, then a table of jobs. */
export function printStatus(ctx: Context, name: string, status: ProjectStatus): void {
  const { out } = ctx;
  const { c } = out;
  const state = safe(status.State);
  out.print(`${c.bold(safe(name))}  ${state}${status.Message ? `  ${c.dim(safe(status.Message))}` : ''}`);
  if (status.BytesTotal) {
    out.print(
      `${c.dim('uploaded'.padEnd(10))} ${formatBytes(status.BytesDone ?? 0)} of ${formatBytes(status.BytesTotal)}`,
    );
  }
  if (status.CreditsConsumed !== undefined)
    out.print(`${c.dim('credits'.padEnd(10))} ${formatCredits(status.CreditsConsumed)}`);
  if (status.Downloads) {
    out.print(
      `${c.dim('downloads'.padEnd(10))} ${status.Downloads.Done ?? 0} done, ${status.Downloads.Pending ?? 0} pending`,
    );
  }
  const jobs = status.Jobs ?? [];
  if (jobs.length > 0) {
    out.print();
    out.print(
      formatTable(
        jobs,
        [
          { header: 'JOB', value: (j) => j.Name, paint: c.cyan },
          { header: 'STATE', value: (j) => j.State },
          { header: 'FRAMES', value: (j) => `${j.FramesDone}/${j.FramesTotal}`, align: 'right' },
          { header: 'RUNNING', value: (j) => String(j.FramesRunning ?? 0), align: 'right' },
          { header: 'CREDITS', value: (j) => formatCredits(j.CreditsConsumed ?? 0), align: 'right' },
          { header: 'ALERTS', value: (j) => String((j.Alerts ?? []).length || '') },
          ...(jobs.some((j) => j.Renderer !== undefined)
            ? [{ header: 'RENDERER', value: (j: (typeof jobs)[number]) => j.Renderer ?? '' }]
            : []),
        ],
        c.bold,
      ),
    );
  }
  // What each alert says (a budget reached, a file the renderer could not find), the latest few per job.
  for (const job of jobs) {
    const alerts = job.Alerts ?? [];
    if (alerts.length === 0) continue;
    out.print();
    out.print(`${c.yellow('!')} ${c.cyan(safe(job.Name))}: ${alerts.length} alert(s)`);
    for (const alert of alerts.slice(-MAX_ALERTS_SHOWN)) out.print(`  ${safe(alertText(alert))}`);
    if (alerts.length > MAX_ALERTS_SHOWN) {
      out.print(
        c.dim(`  (${alerts.length - MAX_ALERTS_SHOWN} earlier; \`gm status --json\` lists them all)`),
      );
    }
  }
}

/** Alerts `gm status` shows per job (the latest). */
const MAX_ALERTS_SHOWN = 5;

/** An alert as a line: its time and message (Envoy's `{ At, Message }`), or the text Envoy sent. */
function alertText(alert: unknown): string {
  if (typeof alert === 'string') return alert;
  if (alert && typeof alert === 'object' && 'Message' in alert) {
    const { At, Message } = alert as { At?: unknown; Message?: unknown };
    return `${typeof At === 'string' ? `${At}  ` : ''}${String(Message)}`;
  }
  return JSON.stringify(alert);
}
