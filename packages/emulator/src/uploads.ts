import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { own } from './names.js';
import { renderedFrame } from './result-names.js';
import { now, type Runtime, SerialWorker } from './runtime.js';
import { type FileRecord, inFolder, type ProjectRecord } from './store.js';

/** How many unthrottled copies run at once. */
const COPY_LANES = 4;

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
 * limit, a few at a time without one.
 */
export class Uploader {
  private readonly throttle: Throttle | null;
  private readonly chunkSize: number;
  /** The files being copied now. */
  private readonly active = new Map<FileRecord, Active>();
  /** Called after a file completes or fails. */
  onChange: () => void = () => {};

  constructor(
    private readonly runtime: Runtime,
    bandwidth: number | undefined,
  ) {
    this.worker = new SerialWorker(
      runtime,
      () => this.next(),
      (next) => this.copy(next.project, next.file),
      // Unthrottled copies run a few at a time, so that the waits of one file's steps overlap another's copy.
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
  }

  private readonly worker: SerialWorker<{ project: ProjectRecord; file: FileRecord }>;

  /** Starts the worker if it is idle. */
  kick(): void {
    this.worker.kick();
  }

  private next(): { project: ProjectRecord; file: FileRecord } | null {
    // A file queued again while its earlier copy runs waits for it: the copy renamed last must be the newer one.
    const busy = new Set<string>();
    for (const a of this.active.values()) busy.add(`${a.project}\u0000${a.rel}`);
    for (const project of Object.values(this.runtime.store.state.projects)) {
      for (const file of Object.values(project.files)) {
        if (
          file.origin === 'upload' &&
          (file.state === 'Queued' || file.state === 'Uploading') &&
          !this.active.has(file) &&
          !busy.has(`${project.name}\u0000${file.rel}`)
        ) {
          return { project, file };
        }
      }
    }
    // Nothing left to copy: the checksums of the files just copied, in the background.
    for (const { project, file } of this.unhashed.splice(0))
      void this.checksum(project, file).catch(() => undefined);
    return null;
  }

  /** Files copied without their checksum yet, hashed once no copy is waiting (so copies run undisturbed). */
  private unhashed: { project: ProjectRecord; file: FileRecord }[] = [];

  /** Checksums being computed, by file record. */
  private readonly hashing = new Map<FileRecord, Promise<string>>();
  /** The last checksum started: checksums are computed one at a time, in the background. */
  private hashChain: Promise<unknown> = Promise.resolve();

  /**
   * The SHA-256 of a completed upload. A file copied without throttling is hashed after it completes (from the
   * store's copy, one file at a time in the background), so that the copy runs at the disk's speed; whoever
   * needs the checksum before then waits for it.
   */
  checksum(project: ProjectRecord, file: FileRecord): Promise<string> {
    if (file.sha256) return Promise.resolve(file.sha256);
    let pending = this.hashing.get(file);
    if (!pending) {
      const target = this.runtime.storePath(project.name, file.rel);
      pending = this.hashChain.then(async () => {
        const sum = file.sha256 ?? (await sha256File(target));
        this.hashing.delete(file);
        if (own(project.files, file.rel) === file && file.state === 'Completed' && !file.sha256) {
          file.sha256 = sum;
          this.runtime.store.save();
        }
        return sum;
      });
      pending.catch(() => this.hashing.delete(file));
      this.hashChain = pending.catch(() => undefined);
      this.hashing.set(file, pending);
      const tracked = pending;
      this.runtime.track(() => tracked);
    }
    return pending;
  }

  /** Starts the checksums of completed uploads that have none yet (after a restart). */
  resumeChecksums(): void {
    for (const project of Object.values(this.runtime.store.state.projects)) {
      for (const file of Object.values(project.files)) {
        if (file.origin === 'upload' && file.state === 'Completed' && !file.sha256) {
          void this.checksum(project, file).catch(() => undefined);
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
    this.active.set(file, { project: project.name, rel: file.rel, startedAt: Date.now() });
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
      const folder = dirname(target);
      if (!this.throttle) {
        // Unthrottled: the kernel copies (a reflink where the file system has them, else copy_file_range or
        // sendfile); the checksum follows in the background once no copy is waiting.
        await inFolder(folder, () => copyFile(source, part, constants.COPYFILE_FICLONE));
        const copied = await stat(part);
        await rename(part, target);
        file.size = file.bytesDone = copied.size;
        delete file.sha256;
        file.lastModified = now();
        this.completed(project, file);
        store.save();
        this.unhashed.push({ project, file });
        return;
      }
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
    } finally {
      this.active.delete(file);
      this.onChange();
    }
  }
}
