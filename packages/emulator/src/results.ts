import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { own } from './names.js';
import { framePng } from './png.js';
import { frameRel, renderedFrame } from './result-names.js';
import type { Runtime } from './runtime.js';
import type { FileRecord, JobRecord, ProjectRecord } from './store.js';
import type { Uploader } from './uploads.js';

/** A frame's PNG depends only on its hue (`frame * 37 mod 256`): 256 images, made once each. */
const pngs = new Map<number, { data: Buffer; sha256: string }>();

/** The content of a frame's output and its SHA-256 (the same every time it is asked). */
export function frameOutput(job: JobRecord, frame: number): { data: Buffer; sha256: string } {
  if (job.ext === 'png') {
    const hue = (((frame * 37) % 256) + 256) % 256;
    let out = pngs.get(hue);
    if (!out) {
      const data = framePng(frame);
      out = { data, sha256: createHash('sha256').update(data).digest('hex') };
      pngs.set(hue, out);
    }
    return out;
  }
  const data = Buffer.from(placeholder(job, frame));
  return { data, sha256: createHash('sha256').update(data).digest('hex') };
}

/**
 * The content of a frame's output in a format other than PNG: a line of text that depends on the frame and the
 * format only, like a PNG, so that two jobs writing the same path write the same file and the listing's checksum
 * holds whichever wrote last.
 */
function placeholder(job: JobRecord, frame: number): string {
  return `GridMarkets emulator placeholder: frame ${frame} (${job.ext})\n`;
}

/** The size in bytes of a frame's output, found without making it and hashing it (see {@link frameOutput}). */
export function frameSize(job: JobRecord, frame: number): number {
  const real = job.outputs?.[frame];
  if (real) return real[0];
  return job.ext === 'png' ? frameOutput(job, frame).data.length : Buffer.byteLength(placeholder(job, frame));
}

/** Whether the project's store holds a completed file at `rel`: an upload, or a rendered frame. */
export function hasCompletedFile(project: ProjectRecord, rel: string): boolean {
  if (own(project.files, rel)?.state === 'Completed') return true;
  return project.jobs.some((j) => renderedFrame(j, rel) !== undefined);
}

/** A completed file of a project, as the file listing reports it. */
export interface CompletedFile {
  rel: string;
  size: number;
  sha256: string;
  /** ISO 8601; for a result, the time its output was written. */
  lastModified: string | undefined;
}

/** Whether no two of the project's result files can share a path (so counting them needs no set). */
function resultsDistinct(project: ProjectRecord): boolean {
  const folders = new Set<string>();
  for (const j of project.jobs) {
    const key = `${j.outputDir}\u0000${j.outputPrefix}\u0000${j.ext}`;
    if (folders.has(key)) return false;
    folders.add(key);
  }
  return !Object.keys(project.files).some((rel) => rel.startsWith('render_results/'));
}

/** Count and total size of a project's completed files (uploads and results), without listing them. */
export function completedTotals(project: ProjectRecord): { count: number; size: number } {
  if (!resultsDistinct(project)) {
    const all = completedFiles(project);
    return {
      count: all.size,
      size: [...all.values()].reduce((n, f) => n + ('upload' in f ? f.upload.size : f.size), 0),
    };
  }
  let count = 0;
  let size = 0;
  for (const f of Object.values(project.files)) {
    if (f.state !== 'Completed') continue;
    count++;
    size += f.size;
  }
  for (const job of project.jobs) {
    for (const i of job.done.values()) {
      count++;
      size += frameSize(job, job.frames.at(i));
    }
  }
  return { count, size };
}

/**
 * The completed files of a project by path: uploads first, then each job's rendered frames (a later job's
 * output replaces an earlier file at the same path, as it does in the store). Checksums and times are filled
 * in by {@link describeFiles}.
 */
export function completedFiles(
  project: ProjectRecord,
): Map<string, { upload: FileRecord } | { job: JobRecord; frame: number; size: number }> {
  const out = new Map<string, { upload: FileRecord } | { job: JobRecord; frame: number; size: number }>();
  for (const f of Object.values(project.files)) if (f.state === 'Completed') out.set(f.rel, { upload: f });
  for (const job of project.jobs) {
    for (const i of job.done.values()) {
      const frame = job.frames.at(i);
      const rel = frameRel(job, frame);
      const there = out.get(rel);
      // An upload completed over this result after it was rendered is what the store holds.
      if (there && 'upload' in there && there.upload.over?.some(([j, k]) => j === job.id && k === i))
        continue;
      out.delete(rel);
      out.set(rel, { job, frame, size: frameSize(job, frame) });
    }
  }
  return out;
}

/**
 * The completed files of a project with checksums (an upload's, computed while it was copied) and
 * modification times (a result's from its file in the store).
 */
export async function describeFiles(
  project: ProjectRecord,
  runtime: Runtime,
  uploader: Uploader,
): Promise<CompletedFile[]> {
  const files = [...completedFiles(project)];
  const out: CompletedFile[] = new Array(files.length);
  const BATCH = 256;
  for (let k = 0; k < files.length; k += BATCH) {
    await Promise.all(
      files.slice(k, k + BATCH).map(async ([rel, f], n) => {
        if ('upload' in f) {
          const u = f.upload;
          const sha256 = u.sha256 ?? (await uploader.checksum(project, u).catch(() => ''));
          out[k + n] = { rel, size: u.size, sha256, lastModified: u.lastModified };
          return;
        }
        const info = await stat(runtime.storePath(project.name, rel)).catch(() => null);
        out[k + n] = {
          rel,
          size: f.size,
          sha256: f.job.outputs?.[f.frame]?.[1] ?? frameOutput(f.job, f.frame).sha256,
          lastModified: info ? info.mtime.toISOString() : undefined,
        };
      }),
    );
  }
  return out;
}
