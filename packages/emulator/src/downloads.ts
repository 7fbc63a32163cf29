import { constants } from 'node:fs';
import { copyFile, mkdir, realpath, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { watchRegex } from './names.js';
import { type Runtime, SerialWorker } from './runtime.js';
import { type DownloadRecord, type ProjectRecord, tempBeside } from './store.js';

/** Whether `target` lies strictly below the folder `root` (both resolved paths). */
export function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Whether a watch pattern names a `..` path segment (with `/` or the wire's `\\` as separator, dots escaped or
 * not): a remote path it matches would climb out of its download folder.
 */
export function climbsOut(pattern: string): boolean {
  return pattern.split(/\/|\\\\/).some((segment) => segment.replace(/\\\./g, '.') === '..');
}

/** Where a result file lands inside a download folder, or null when it would leave it. */
export function downloadTarget(project: string, remote: string, folder: string): string | null {
  const prefix = `/${project}/render_results/`;
  const below = remote.startsWith(prefix) ? remote.slice(prefix.length) : remote.slice(project.length + 2);
  const parts = below.split('/');
  if (parts.some((p) => p === '..' || p === '')) return null;
  const root = resolve(folder);
  const target = resolve(root, ...parts);
  return inside(root, target) ? target : null;
}

/** Per project (in memory): download index by `remote\0target`, and the first index that may be pending. */
const indexes = new WeakMap<ProjectRecord, { byKey: Map<string, number>; first: number }>();

function downloadIndex(project: ProjectRecord): { byKey: Map<string, number>; first: number } {
  let index = indexes.get(project);
  if (!index) {
    const byKey = new Map<string, number>();
    for (const [i, d] of project.downloads.entries()) byKey.set(`${d.remote}\u0000${d.target}`, i);
    index = { byKey, first: 0 };
    indexes.set(project, index);
  }
  return index;
}

/**
 * Records the downloads a new result file needs, one per matching watch rule (a download of the same file to
 * the same place is done again); resolves to the indexes of the records set.
 */
export function planDownloads(project: ProjectRecord, remote: string): number[] {
  const set: number[] = [];
  for (const [pattern, folder] of Object.entries(project.watch)) {
    const re = watchRegex(pattern);
    if (!re?.test(remote)) continue;
    const target = downloadTarget(project.name, remote, folder);
    if (!target) continue;
    const index = downloadIndex(project);
    const key = `${remote}\u0000${target}`;
    const at = index.byKey.get(key);
    if (at !== undefined) {
      const d = project.downloads[at] as DownloadRecord;
      d.done = false;
      index.first = Math.min(index.first, at);
      set.push(at);
      continue;
    }
    index.byKey.set(key, project.downloads.length);
    set.push(project.downloads.length);
    project.downloads.push({ remote, target, folder: resolve(folder), done: false });
  }
  return set;
}

/** Whether writing `target` stays inside `folder` once the links on the existing part of its path are followed. */
async function staysInside(folder: string, target: string): Promise<boolean> {
  await mkdir(folder, { recursive: true });
  const root = await realpath(folder);
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    try {
      const real = await realpath(dir);
      return real === root || inside(root, real);
    } catch {
      if (dirname(dir) === dir) return false;
    }
  }
}

/** Copies result files into their watch folders atomically (temp file beside the target, then rename). */
export class Downloader {
  /** Called after each download. */
  onChange: () => void = () => {};

  constructor(private readonly runtime: Runtime) {
    this.worker = new SerialWorker(
      runtime,
      () => this.next(),
      (next) => this.download(next.project, next.index),
    );
  }

  private readonly worker: SerialWorker<{ project: ProjectRecord; index: number }>;

  /** Starts the worker if it is idle. */
  kick(): void {
    this.worker.kick();
  }

  private async download(project: ProjectRecord, index: number): Promise<void> {
    const d = project.downloads[index];
    if (!d) return;
    const source = this.runtime.storePath(project.name, d.remote.slice(project.name.length + 2));
    // One fixed name per target: a temp file left by a crash is overwritten and renamed by the retry.
    const tmp = tempBeside(d.target, '.gm-download.tmp');
    try {
      if (!(await staysInside(d.folder, d.target))) {
        throw new Error(`${d.target} would be written outside ${d.folder} through a symbolic link`);
      }
      await mkdir(dirname(d.target), { recursive: true });
      // Made afresh, never opened where it is: a link planted at the temp name would be written through.
      await rm(tmp, { force: true });
      await copyFile(source, tmp, constants.COPYFILE_EXCL);
      await rename(tmp, d.target);
      d.done = true;
    } catch (err) {
      d.error = (err as Error).message;
      // `force` forgives a missing temp file, not a path through a file (ENOTDIR): a download folder that is a file
      // must fail this download, not stop the worker with the other downloads still pending.
      await rm(tmp, { force: true }).catch(() => {});
    }
    this.runtime.store.record({ p: project.name, dl: [[index, d]] });
    this.onChange();
  }

  private next(): { project: ProjectRecord; index: number } | null {
    for (const project of Object.values(this.runtime.store.state.projects)) {
      const at = downloadIndex(project);
      while (at.first < project.downloads.length) {
        const d = project.downloads[at.first] as DownloadRecord;
        if (!d.done && !d.error) return { project, index: at.first };
        at.first++;
      }
    }
    return null;
  }
}
