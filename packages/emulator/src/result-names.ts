/**
 * Where a job's rendered frames land below the project folder, and which frame a path names: what the results
 * and the uploads (a file there is a result, not an upload) both read.
 */
import type { JobRecord } from './store.js';

/** Output file name of a frame: `<prefix>_<frame, 4 digits>.<ext>`. */
export function frameFileName(job: JobRecord, frame: number): string {
  const digits = String(Math.abs(frame)).padStart(4, '0');
  return `${job.outputPrefix}_${frame < 0 ? '-' : ''}${digits}.${job.ext}`;
}

/** Path of a frame's output below the project folder: `render_results/<folder>/<file>`. */
export function frameRel(job: JobRecord, frame: number): string {
  return `render_results/${job.outputDir}/${frameFileName(job, frame)}`;
}

/** The frame of `job` whose output is `rel`, when the job has rendered it; else undefined. */
export function renderedFrame(job: JobRecord, rel: string): number | undefined {
  const folder = `render_results/${job.outputDir}/`;
  if (!rel.startsWith(folder)) return undefined;
  const name = rel.slice(folder.length);
  const head = `${job.outputPrefix}_`;
  const tail = `.${job.ext}`;
  if (!name.startsWith(head) || !name.endsWith(tail)) return undefined;
  const digits = name.slice(head.length, name.length - tail.length);
  if (!/^-?\d{4,}$/.test(digits)) return undefined;
  const frame = Number(digits);
  if (frameFileName(job, frame) !== name) return undefined;
  const index = job.frames.indexOf(frame);
  return index >= 0 && job.done.has(index) ? frame : undefined;
}
