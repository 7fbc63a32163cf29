import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/** One file to copy into the store. */
export interface CopyJob {
  /** The local file. */
  source: string;
  /** Where it lands in the store. */
  target: string;
  /** A temp name beside `target`, used when `target` exists already (it is then replaced by a rename). */
  part: string;
  /** Copy with the kernel (`copy_file_range`) and hash the copy read back, instead of reading the file whole. */
  large: boolean;
}

/** A file copied: its size and the hex SHA-256 of the bytes written into the store. */
export interface Copied {
  size: number;
  sha256: string;
}

/**
 * The copy of one file, as source text: run by the copy threads ({@link CopyPool}) and, for tiny files, on the
 * main thread ({@link copyHere}), so that both copy the same way. A function of the modules `fs`, `crypto` and
 * `path` that returns `copy(job) → { size, sha256 }`.
 *
 * - A new file is created in place, exclusively (`wx`: no temp file and no rename, which on most file systems
 *   cost as much as the create); the state lists it Completed only once the copy and its checksum are done, and a
 *   copy cut short by a kill is copied again on the next start. A file that exists already (an upload of it
 *   again, or a copy cut short) is written to `part` and renamed over it, so that its old content is replaced
 *   whole or not at all.
 * - A small file is read whole, hashed and written; a large one is copied by the kernel (`copyFileSync`, that is
 *   `copy_file_range`, a reflink where the file system has them) and then hashed from the copy, read back in
 *   1 MiB chunks (from the page cache): the checksum is always of the bytes in the store.
 * - A missing folder is made (once per folder: the first create fails with ENOENT), and a failed copy leaves
 *   neither a temp file nor a partial file behind.
 */
const COPY_SOURCE = `
const CHUNK = 1024 * 1024;
let chunk = null;
function create(file, write) {
  try {
    write(file);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    write(file);
  }
}
function hashOf(file) {
  chunk ??= Buffer.allocUnsafe(CHUNK);
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  let size = 0;
  try {
    for (let n; (n = fs.readSync(fd, chunk, 0, CHUNK, size)) > 0; size += n) hash.update(chunk.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return { size, sha256: hash.digest('hex') };
}
return function copy(job) {
  const data = job.large ? null : fs.readFileSync(job.source);
  const write = data
    ? (file, flag) => fs.writeFileSync(file, data, { flag })
    : (file, flag) => fs.copyFileSync(job.source, file, flag === 'wx' ? fs.constants.COPYFILE_EXCL : 0);
  let written = job.target;
  try {
    create(job.target, (file) => write(file, 'wx'));
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    written = job.part;
  }
  try {
    if (written === job.part) create(job.part, (file) => write(file, 'w'));
    const copied = data ? { size: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex') } : hashOf(written);
    if (written === job.part) fs.renameSync(job.part, job.target);
    return copied;
  } catch (err) {
    fs.rmSync(written, { force: true });
    throw err;
  }
};
`;

/** The copy of {@link COPY_SOURCE} for this thread. */
const copyHere = new Function('fs', 'crypto', 'path', COPY_SOURCE)(fs, crypto, path) as (
  job: CopyJob,
) => Copied;

/** Copies one file on this thread, synchronously (see {@link COPY_SOURCE}); throws the file system's error. */
export function copyFileHashed(job: CopyJob): Copied {
  return copyHere(job);
}

/** What a copy thread runs: takes batches of jobs, answers each batch with its results in order. */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const copy = (function (fs, crypto, path) {${COPY_SOURCE}})(require('node:fs'), require('node:crypto'), require('node:path'));
parentPort.on('message', (jobs) => {
  const results = jobs.map((job) => {
    try {
      return copy(job);
    } catch (err) {
      return { error: String(err && err.message), code: err && err.code };
    }
  });
  parentPort.postMessage(results);
});
`;

/** Jobs a thread is given at once (one message each way per batch). */
const BATCH = 16;

interface Waiting {
  job: CopyJob;
  resolve: (copied: Copied) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  busy: Waiting[] | null;
}

/**
 * Copy threads: each copies and hashes files with synchronous calls (a thread of its own may block), so that the
 * copies of several files, and the hashing of one with the kernel's copy of another, run on several cores while
 * the emulator's own thread answers requests. Threads are started on first use and do not keep the process alive.
 */
export class CopyPool {
  private readonly threads: Thread[] = [];
  private readonly queue: Waiting[] = [];
  private closed = false;
  private dispatchDue = false;

  constructor(private readonly size = Math.max(2, Math.min(4, availableParallelism()))) {}

  /** Copies a file on a copy thread; rejects with the file system's error (its `code` kept). */
  run(job: CopyJob): Promise<Copied> {
    if (this.closed) return Promise.reject(new Error('the emulator is closing'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatchSoon();
    });
  }

  /**
   * Hands out the queued jobs once the callbacks now running have queued theirs: the copies that a batch's results
   * let go on queue their next files in the same turn, so that a thread is given a batch rather than one file.
   */
  private dispatchSoon(): void {
    if (this.dispatchDue) return;
    this.dispatchDue = true;
    setImmediate(() => {
      this.dispatchDue = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let thread = this.threads.find((t) => t.busy === null);
      if (!thread && this.threads.length < this.size) thread = this.start();
      if (!thread) return;
      const batch = this.queue.splice(
        0,
        Math.max(1, Math.min(BATCH, Math.ceil(this.queue.length / this.size))),
      );
      thread.busy = batch;
      thread.worker.postMessage(batch.map((w) => w.job));
    }
  }

  private start(): Thread {
    const worker = new Worker(THREAD_SOURCE, { eval: true });
    worker.unref();
    const thread: Thread = { worker, busy: null };
    worker.on('message', (results: (Copied | { error: string; code?: string })[]) => {
      const batch = thread.busy ?? [];
      thread.busy = null;
      batch.forEach((w, i) => {
        const r = results[i];
        if (r && 'sha256' in r) w.resolve(r);
        else w.reject(Object.assign(new Error(r?.error ?? 'copy failed'), { code: r?.code }));
      });
      this.dispatchSoon();
    });
    const fail = (err: Error): void => {
      const batch = thread.busy ?? [];
      thread.busy = null;
      const at = this.threads.indexOf(thread);
      if (at < 0) return;
      this.threads.splice(at, 1);
      for (const w of batch) w.reject(err);
      if (!this.closed) this.dispatchSoon();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('a copy thread stopped')));
    this.threads.push(thread);
    return thread;
  }

  /** Stops the threads; copies not started are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.reject(new Error('the emulator is closing'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
