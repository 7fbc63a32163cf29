import type { FileStatus, ProjectStatus } from './generated/envoy.js';
import { dict } from './names.js';
import type { Scheduler } from './scheduler.js';
import { isTerminal } from './scheduler.js';
import type { DownloadRecord, ProjectRecord } from './store.js';
import type { Uploader } from './uploads.js';

/** `FmtName` of a size: `2.8 MiB`. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** The project's state and a sentence about it. */
export function projectState(
  project: ProjectRecord,
  scheduler: Scheduler,
): { state: string; message: string } {
  const uploads = Object.values(project.files).filter((f) => f.origin === 'upload');
  const failedUploads = uploads.filter((f) => f.state === 'Failed');
  if (uploads.some((f) => f.state === 'Queued' || f.state === 'Uploading')) {
    const done = uploads.filter((f) => f.state === 'Completed').length;
    return {
      state: 'Uploading',
      message: `File uploads in progress: ${done} of ${uploads.length} files uploaded.`,
    };
  }
  if (project.jobs.length === 0) {
    if (failedUploads.length > 0) {
      return { state: 'Failed', message: `${failedUploads.length} file(s) failed to upload.` };
    }
    return { state: 'Uploaded', message: `All ${uploads.length} files are uploaded.` };
  }
  const jobs = project.jobs;
  // A suspended job's running frames still finish: the project is not over until they have.
  const open = jobs.filter((j) => !isTerminal(j.state) || scheduler.runningCount(project.name, j.id) > 0);
  if (open.length > 0) {
    const started = jobs.some(
      (j) => j.state === 'Running' || j.done.size > 0 || scheduler.runningCount(project.name, j.id) > 0,
    );
    const frames = jobs.reduce((n, j) => n + j.frames.length, 0);
    const done = jobs.reduce((n, j) => n + j.done.size, 0);
    return started
      ? { state: 'Running', message: `Rendering: ${done} of ${frames} frames done.` }
      : { state: 'Submitted', message: 'Job submission successful; the jobs are queued.' };
  }
  const pending = project.downloads.filter((d) => !d.done && !d.error).length;
  if (pending > 0) return { state: 'Downloading', message: `Downloading results: ${pending} file(s) to go.` };
  const failedDownloads = project.downloads.filter((d) => d.error);
  if (jobs.some((j) => j.state === 'Failed') || failedDownloads.length > 0) {
    const why = jobs.find((j) => j.state === 'Failed')?.message ?? downloadFailures(failedDownloads);
    return { state: 'Failed', message: `The project failed: ${why}.` };
  }
  if (jobs.every((j) => j.state === 'Completed')) {
    return { state: 'Completed', message: 'All jobs completed and their results are downloaded.' };
  }
  const stopped = jobs.filter((j) => j.state !== 'Completed');
  return {
    state: 'Stopped',
    message: `${stopped.length} job(s) did not complete: ${stopped.map((j) => `${j.name} ${j.state.toLowerCase()}`).join(', ')}.`,
  };
}

/** How many downloads failed and why: the first one's remote file, local target and error, and how many more. */
function downloadFailures(failed: readonly DownloadRecord[]): string {
  const [first] = failed;
  if (!first) return 'no download failed';
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
  return `${failed.length} download(s) failed: ${first.remote} to ${first.target}: ${first.error}${more}`;
}

/** The `/project-status` answer. */
export function projectStatus(
  project: ProjectRecord,
  uploader: Uploader,
  scheduler: Scheduler,
): ProjectStatus {
  const uploads = Object.values(project.files).filter((f) => f.origin === 'upload');
  const Details: Record<string, FileStatus> = dict();
  let BytesDone = 0;
  let BytesTotal = 0;
  let Speed = 0;
  for (const f of uploads) {
    const name = `/${project.name}/${f.rel}`;
    const speed = f.state === 'Uploading' ? uploader.speedOf(project.name, f.rel, f.bytesDone) : 0;
    Details[name] = { Name: name, State: f.state, BytesDone: f.bytesDone, BytesTotal: f.size, Speed: speed };
    BytesDone += f.bytesDone;
    BytesTotal += f.size;
    Speed += speed;
  }
  const { state, message } = projectState(project, scheduler);
  return {
    Code: 200,
    State: state,
    Message: message,
    BytesDone,
    BytesTotal,
    Speed,
    Details,
    Jobs: project.jobs.map((j) => ({
      Id: j.id,
      Name: j.name,
      State: j.state,
      FramesTotal: j.frames.length,
      FramesDone: j.done.size,
      FramesRunning: scheduler.runningCount(project.name, j.id),
      FramesCancelled: j.cancelled.size,
      CreditsConsumed: j.creditsConsumed,
      Alerts: j.alerts,
      Renderer: scheduler.rendererOf(j),
      ...(j.message ? { Message: j.message } : {}),
    })),
    CreditsConsumed: project.jobs.reduce((n, j) => n + j.creditsConsumed, 0),
    Downloads: {
      Done: project.downloads.filter((d) => d.done).length,
      Pending: project.downloads.filter((d) => !d.done && !d.error).length,
    },
  };
}
