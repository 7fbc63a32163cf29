import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Copied, CopyPool, copyFileHashed } from './copier.js';
import { own } from './names.js';
import { renderedFrame } from './result-names.js';
import { now, type Runtime, SerialWorker } from './runtime.js';
import { type FileRecord, inFolder, type ProjectRecord } from './store.js';

/**
 * How many unthrottled copies are under way at once: enough to keep every copy thread busy (each is handed a batch
 * of files at a time, see copier.ts) while their results come back.
 */
const COPY_LANES = 64;

/** Files up to this size are read whole (read, hashed, written); larger ones are copied by the kernel, then hashed. */
const SMALL_FILE = 1024 * 1024;

/**
 * Files up to this size are copied on the emulator's own thread, with synchronous calls: for a tiny file the trip
 * to a copy thread costs more than the copy itself (and a project of a few small files starts no thread).
 */
const TINY_FILE = 64 * 1024;

/** Synchronous copies run at most this long in a row before the event loop has a turn (requests are answered). */
const SLICE_MS = 8;

/**
 * While unthrottled copies complete, the state is saved at most every 250 ms, and after a save the next waits ten
 * times as long as that save took: a project of 100,000 files has a snapshot of some 20 MB, which would otherwise
 * be written back to back. A kill re-copies the files whose completion was not saved.
 */
const SAVE_EVERY_MS = 250;

/** A queued copy. */
interface Item {
  project: ProjectRecord;
  file: FileRecord;
}

/** A shared bandwidth limit: callers take bytes and wait their turn. */
class Throttle {
  private nextFree = 0;
  constructor(
    private readonly runtime: Runtime,
    readonly bytesPerSecond: number,
  ) {}

  async take(bytes: number): Promise<void> {
    const t = Date.now();
    const start = Math.max(t, this.nextFree);
    this.nextFree = start + (bytes / this.bytesPerSecond) * 1000;
    const wait = this.nextFree - t;
    if (wait > 1) await this.runtime.sleep(wait);
  }
}

/** Hex SHA-256 of a local file, streamed in 1 MiB chunks. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Active {
  project: string;
  rel: string;
  startedAt: number;
}

/**
 * Copies queued project files from their local folders into the remote store: one at a time under a bandwidth
 * limit, many at a time without one (a tiny file on this thread, a larger one on a copy thread). Every copy hashes
 * the bytes it wrote, so a file is listed with its
 * checksum as soon as it is completed.
 */
export class Uploader {
  private readonly throttle: Throttle | null;
  /** The threads that copy and hash files larger than TINY_FILE when there is no bandwidth limit. */
  private readonly pool = new CopyPool();
  private readonly chunkSize: number;
  /** The files being copied now. */
  private readonly active = new Map<FileRecord, Active>();
  /** `project NUL rel` of the files being copied now. */
  private readonly busy = new Set<string>();
  /** Copies in the order they were queued; `head` is the next to look at. */
  private queue: Item[] = [];
  private head = 0;
  /** Queued files whose earlier copy still runs: looked at again when a copy ends. */
  private deferred: Item[] = [];
  /** Copies queued or running, by project: the scheduler hears of a project's uploads when they are all done. */
  private readonly pending = new Map<ProjectRecord, number>();
  /** Whether the files left Queued or Uploading by an earlier run were queued again. */
  private resumed = false;
  /** A save of the state is due (completed copies not saved yet). */
  private saveDue = false;
  /** When the event loop last had a turn during synchronous copies. */
  private sliceStart = 0;
  /** The pause before the next save while copies complete (see SAVE_EVERY_MS). */
  private savePause = SAVE_EVERY_MS;
  /** Called after a file fails, and once all queued files of a project are copied. */
  onChange: () => void = () => {};

  constructor(
    private readonly runtime: Runtime,
    bandwidth: number | undefined,
  ) {
    this.worker = new SerialWorker(
      runtime,
      () => this.next(),
      (next) => this.copy(next.project, next.file),
      // Unthrottled copies run many at a time, so that the copy threads always have files waiting.
      () => (this.throttle ? 1 : COPY_LANES),
    );
    this.throttle = bandwidth && bandwidth > 0 ? new Throttle(runtime, bandwidth) : null;
    this.chunkSize =
      bandwidth && bandwidth > 0 ? Math.max(1024, Math.min(65536, Math.floor(bandwidth / 10))) : 65536;
  }

  /** Queues a file of a project (already checked to lie inside its local folder). */
  enqueue(project: ProjectRecord, rel: string, source: string, size: number): void {
    const previous = own(project.files, rel);
    const rec: FileRecord = {
      rel,
      origin: 'upload',
      source,
      state: 'Queued',
      size,
      bytesDone: 0,
    };
    if (previous?.state === 'Completed' && previous.sha256) {
      rec.sha256 = previous.sha256;
      if (previous.lastModified) rec.lastModified = previous.lastModified;
    }
    project.files[rel] = rec;
    this.push({ project, file: rec });
  }

  private push(item: Item): void {
    this.queue.push(item);
    this.pending.set(item.project, (this.pending.get(item.project) ?? 0) + 1);
  }

  /** One copy of a project fewer to wait for; the scheduler is told when none is left. */
  private settle(project: ProjectRecord): void {
    const left = (this.pending.get(project) ?? 1) - 1;
    if (left > 0) {
      this.pending.set(project, left);
      return;
    }
    this.pending.delete(project);
    this.onChange();
  }

  private readonly worker: SerialWorker<Item>;

  /** Stops the copy threads (after the runtime's shutdown: no copy is waiting for them any more). */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** Starts the worker if it is idle. */
  kick(): void {
    this.worker.kick();
  }

  /** Whether a queued item is still to be copied: the project's record of the file, not copied yet. */
  private wanted({ project, file }: Item): boolean {
    return (
      own(this.runtime.store.state.projects, project.name) === project &&
      own(project.files, file.rel) === file &&
      (file.state === 'Queued' || file.state === 'Uploading') &&
      !this.active.has(file)
    );
  }

  private next(): Item | null {
    if (!this.resumed) {
      // Files left Queued or Uploading by an earlier run (a kill) are copied again, in the state's order.
      this.resumed = true;
      for (const project of Object.values(this.runtime.store.state.projects)) {
        for (const file of Object.values(project.files)) {
          if (file.origin === 'upload' && (file.state === 'Queued' || file.state === 'Uploading'))
            this.push({ project, file });
        }
      }
    }
    while (this.head < this.queue.length) {
      const item = this.queue[this.head++] as Item;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (!this.wanted(item)) {
        this.settle(item.project);
        continue;
      }
      // A file queued again while its earlier copy runs waits for it: the copy renamed last must be the newer one.
      if (this.busy.has(`${item.project.name}\u0000${item.file.rel}`)) {
        this.deferred.push(item);
        continue;
      }
      return item;
    }
    return null;
  }

  /**
   * Saves the state soon: at once under a bandwidth limit (copies are slow), else after a pause (SAVE_EVERY_MS);
   * at once when no copy of the project is left.
   */
  private saveSoon(project: ProjectRecord): void {
    const { store } = this.runtime;
    if (this.throttle || this.pending.get(project) === 1) {
      store.save();
      return;
    }
    if (this.saveDue) return;
    this.saveDue = true;
    this.runtime.track(async () => {
      await this.runtime.sleep(this.savePause);
      this.saveDue = false;
      const started = performance.now();
      store.save();
      await store.flush();
      this.savePause = Math.max(SAVE_EVERY_MS, 10 * (performance.now() - started));
    });
  }

  /**
   * The SHA-256 of a completed upload, computed while it was copied; a completed file without one (left by an
   * earlier version of the emulator, which hashed after copying) is hashed from the store's copy.
   */
  async checksum(project: ProjectRecord, file: FileRecord): Promise<string> {
    if (file.sha256) return file.sha256;
    const sum = await sha256File(this.runtime.storePath(project.name, file.rel));
    if (own(project.files, file.rel) === file && file.state === 'Completed' && !file.sha256) {
      file.sha256 = sum;
      this.runtime.store.save();
    }
    return sum;
  }

  /** Starts the checksums of completed uploads that have none yet (left by an earlier version). */
  resumeChecksums(): void {
    for (const project of Object.values(this.runtime.store.state.projects)) {
      for (const file of Object.values(project.files)) {
        if (file.origin === 'upload' && file.state === 'Completed' && !file.sha256) {
          const sum = this.checksum(project, file);
          this.runtime.track(() => sum);
        }
      }
    }
  }

  /** Marks an upload completed, naming the rendered frames whose output it replaced in the store. */
  private completed(project: ProjectRecord, file: FileRecord): void {
    file.state = 'Completed';
    const over: [string, number][] = [];
    for (const job of project.jobs) {
      const frame = renderedFrame(job, file.rel);
      if (frame !== undefined) over.push([job.id, job.frames.indexOf(frame)]);
    }
    if (over.length > 0) file.over = over;
    else delete file.over;
  }

  /** Speed of the active file in bytes per second. */
  speedOf(project: string, rel: string, bytesDone: number): number {
    let a: Active | undefined;
    for (const x of this.active.values()) if (x.project === project && x.rel === rel) a = x;
    if (!a) return 0;
    const seconds = (Date.now() - a.startedAt) / 1000;
    return seconds > 0 ? Math.round(bytesDone / seconds) : 0;
  }

  private async copy(project: ProjectRecord, file: FileRecord): Promise<void> {
    const key = `${project.name}\u0000${file.rel}`;
    this.active.set(file, { project: project.name, rel: file.rel, startedAt: Date.now() });
    this.busy.add(key);
    try {
      await this.copyOne(project, file);
    } finally {
      this.active.delete(file);
      this.busy.delete(key);
      if (this.deferred.length > 0) {
        // Files that waited for this copy: back to the front of the queue.
        this.queue.splice(this.head, 0, ...this.deferred.splice(0));
      }
      if (file.state === 'Failed') this.onChange();
      this.settle(project);
    }
  }

  private async copyOne(project: ProjectRecord, file: FileRecord): Promise<void> {
    const { store } = this.runtime;
    const target = this.runtime.storePath(project.name, file.rel);
    const source = file.source ?? '';
    // A name of its own, like the state's temp files (removed at the next start when a kill leaves one): not
    // `<file>.part`, which may be another file of the project.
    const part = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    file.state = 'Uploading';
    file.bytesDone = 0;
    // A copy interrupted by a kill starts again either way: only a throttled (long) one records its start.
    if (this.throttle) store.save();
    try {
      // Same content already in the store: nothing to copy.
      if (file.sha256) {
        const info = await stat(source);
        file.size = info.size;
        const exists = await stat(target).then(
          (s) => s.size === info.size,
          () => false,
        );
        if (exists && (await sha256File(source)) === file.sha256) {
          file.bytesDone = file.size;
          this.completed(project, file);
          store.save();
          return;
        }
      }
      if (!this.throttle) {
        // Unthrottled: each file is hashed as it is copied (see copier.ts): a tiny one on this thread, with
        // synchronous calls (for at most SLICE_MS in a row), a larger one on a copy thread.
        let copied: Copied;
        const job = { source, target, part, large: file.size > SMALL_FILE };
        if (file.size <= TINY_FILE) {
          if (performance.now() - this.sliceStart > SLICE_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            this.sliceStart = performance.now();
            if (this.runtime.closing) return; // copied again on the next start
          }
          copied = copyFileHashed(job);
        } else {
          try {
            copied = await this.pool.run(job);
          } catch (err) {
            if (this.runtime.closing) return; // copied again on the next start
            throw err;
          }
        }
        file.size = file.bytesDone = copied.size;
        file.sha256 = copied.sha256;
        file.lastModified = now();
        this.completed(project, file);
        this.saveSoon(project);
        return;
      }
      const folder = dirname(target);
      file.size = (await stat(source)).size;
      const hash = createHash('sha256');
      const out = await inFolder(folder, () => open(part, 'w'));
      let aborted = false;
      try {
        const input = createReadStream(source, { highWaterMark: this.chunkSize });
        try {
          for await (const chunk of input) {
            if (this.runtime.closing) {
              aborted = true;
              break;
            }
            const buf = chunk as Buffer;
            if (this.throttle) await this.throttle.take(buf.length);
            if (this.runtime.closing) {
              aborted = true;
              break;
            }
            hash.update(buf);
            await out.write(buf);
            file.bytesDone += buf.length;
          }
        } finally {
          input.destroy();
        }
      } finally {
        await out.close();
      }
      if (aborted) return; // resumed (re-copied) on the next start
      await rename(part, target);
      file.size = file.bytesDone;
      file.sha256 = hash.digest('hex');
      file.lastModified = now();
      this.completed(project, file);
      store.save();
    } catch (err) {
      file.state = 'Failed';
      file.error = (err as Error).message;
      await rm(part, { force: true });
      store.save();
    }
  }
}
