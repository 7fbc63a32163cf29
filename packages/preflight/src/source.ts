/**
 * Reading a file front to back without holding it whole: a buffered reader over a plain file (skips seek past
 * unread data) or over a decompressed stream (gzip through node:zlib, zstd through fzstd), with typed errors
 * naming the offset where the data ended or broke.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { DecompressionError, TruncatedFileError } from './errors.js';

/** The compression a file uses, found from its first bytes. */
export type Compression = 'none' | 'gzip' | 'zstd';

/** The compression of a file starting with `head`. */
export function compressionOf(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

const CHUNK = 256 * 1024;

/** A pull source of chunks; `skip` may jump past data without producing it (plain files only). */
interface ChunkSource {
  next(): Promise<Uint8Array | null>;
  /** Skips `n` bytes of the source past what was pulled; `false` when this source cannot seek. */
  seek?(n: number): void;
  close(): Promise<void>;
}

function fileSource(handle: FileHandle): ChunkSource {
  let position = 0;
  return {
    async next() {
      const buffer = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      position += bytesRead;
      return bytesRead === 0 ? null : buffer.subarray(0, bytesRead);
    },
    seek(n: number) {
      position += n;
    },
    async close() {
      await handle.close();
    },
  };
}

/** Adapts an async iterable of chunks whose iteration may throw `wrap(error)`. */
function iterSource(
  iterable: AsyncIterable<Uint8Array>,
  close: () => void,
  wrap: (error: unknown) => Error,
): ChunkSource {
  const it = iterable[Symbol.asyncIterator]();
  return {
    async next() {
      try {
        const r = await it.next();
        return r.done ? null : r.value;
      } catch (error) {
        throw wrap(error);
      }
    },
    async close() {
      close();
      await it.return?.();
    },
  };
}

async function* zstdChunks(file: string): AsyncGenerator<Uint8Array> {
  const input = createReadStream(file, { highWaterMark: 64 * 1024 });
  const out: Uint8Array[] = [];
  const d = new Decompress((chunk) => {
    out.push(chunk);
  });
  try {
    for await (const chunk of input) {
      d.push(chunk as Buffer);
      while (out.length > 0) yield out.shift()!;
    }
    d.push(new Uint8Array(0), true);
    while (out.length > 0) yield out.shift()!;
  } finally {
    input.destroy();
  }
}

/**
 * A forward reader of a file's (decompressed) bytes. `offset` is the position of the next unread byte.
 * `read(n)` returns exactly `n` bytes or throws {@link TruncatedFileError}; `skip(n)` passes over bytes.
 */
export class ByteReader {
  /** Position of the next unread byte, in the (decompressed) data. */
  offset = 0;
  /** The compression read through. */
  readonly compression: Compression;
  /** The file's size on disk (for plain files, the data's size too). */
  readonly size: number;
  readonly #file: string;
  readonly #source: ChunkSource;
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #eof = false;

  private constructor(file: string, source: ChunkSource, compression: Compression, size: number) {
    this.#file = file;
    this.size = size;
    this.#source = source;
    this.compression = compression;
  }

  /** Opens `file`, choosing plain, gzip or zstd reading from its first bytes. */
  static async open(file: string): Promise<ByteReader> {
    const handle = await open(file, 'r');
    let compression: Compression;
    let size: number;
    try {
      size = (await handle.stat()).size;
      const head = Buffer.alloc(4);
      await handle.read(head, 0, 4, 0);
      compression = compressionOf(head);
    } catch (error) {
      await handle.close();
      throw error;
    }
    if (compression === 'none') return new ByteReader(file, fileSource(handle), compression, size);
    await handle.close();
    let reader: ByteReader;
    const wrap = (error: unknown) =>
      error instanceof TruncatedFileError
        ? error
        : new DecompressionError(
            file,
            compression as 'gzip' | 'zstd',
            { offset: reader.offset },
            { cause: error },
          );
    if (compression === 'gzip') {
      const input = createReadStream(file, { highWaterMark: 64 * 1024 });
      const gunzip = createGunzip({ chunkSize: 64 * 1024 });
      input.on('error', (e) => gunzip.destroy(e));
      input.pipe(gunzip);
      reader = new ByteReader(
        file,
        iterSource(
          gunzip,
          () => {
            input.destroy();
            gunzip.destroy();
          },
          wrap,
        ),
        compression,
        size,
      );
    } else {
      reader = new ByteReader(
        file,
        iterSource(zstdChunks(file), () => {}, wrap),
        compression,
        size,
      );
    }
    return reader;
  }

  /** Bytes available in the buffer. */
  get #available(): number {
    return this.#buf.length - this.#pos;
  }

  /** Ensures `n` bytes are buffered; `false` when the data ends first. */
  async #fill(n: number): Promise<boolean> {
    if (this.#available >= n) return true;
    const parts: Uint8Array[] = [this.#buf.subarray(this.#pos)];
    let have = this.#available;
    while (have < n && !this.#eof) {
      const chunk = await this.#source.next();
      if (chunk === null) {
        this.#eof = true;
        break;
      }
      parts.push(chunk);
      have += chunk.length;
    }
    if (parts.length === 1) {
      this.#buf = parts[0]!;
    } else {
      const joined = new Uint8Array(have);
      let at = 0;
      for (const part of parts) {
        joined.set(part, at);
        at += part.length;
      }
      this.#buf = joined;
    }
    this.#pos = 0;
    return have >= n;
  }

  /** Whether the data has ended (no byte left). */
  async atEnd(): Promise<boolean> {
    return !(await this.#fill(1));
  }

  /** The next `n` bytes (a view valid until the next call); throws {@link TruncatedFileError} at the end. */
  async read(n: number, what: string): Promise<Uint8Array> {
    if (!(await this.#fill(n))) {
      throw new TruncatedFileError(this.#file, `${what} needs ${n} bytes, ${this.#available} left`, {
        offset: this.offset,
      });
    }
    const view = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    this.offset += n;
    return view;
  }

  /** Passes over `n` bytes; plain files seek, compressed ones decompress and drop. */
  async skip(n: number, what: string): Promise<void> {
    const inBuffer = Math.min(n, this.#available);
    this.#pos += inBuffer;
    this.offset += inBuffer;
    let left = n - inBuffer;
    if (left === 0) return;
    if (this.#source.seek) {
      this.#source.seek(left);
      this.offset += left;
      // A seek past the end is found by the next read.
      return;
    }
    while (left > 0) {
      if (!(await this.#fill(1))) {
        throw new TruncatedFileError(this.#file, `${what} needs ${left} more bytes`, { offset: this.offset });
      }
      const step = Math.min(left, this.#available);
      this.#pos += step;
      this.offset += step;
      left -= step;
    }
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.#source.close();
  }
}
