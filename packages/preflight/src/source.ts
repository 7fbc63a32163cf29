/**
 * Reading a file front to back without holding it whole, within bounds: a buffered reader over a plain file
 * (skips seek past unread data) or over a decompressed stream (gzip through node:zlib, zstd frame by frame and
 * block by block through fzstd), with typed errors naming the offset where the data ended, broke or went past a
 * limit. Compressed data is bounded three ways: by what the file itself declares (zstd frame content sizes and
 * block sizes), by a ratio to the compressed size, and by an absolute number of bytes; zstd frames wholly inside
 * a skipped range are passed over without being decompressed.
 */

import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import type { ZSTDDecoder } from 'zstddec';
import { DecompressionError, LimitExceededError, PreflightError, TruncatedFileError } from './errors.js';
import { DEFAULT_LIMITS, sizeText } from './limits.js';
import type { ScanLimits } from './types.js';

/** The compression a file uses, found from its first bytes. */
export type Compression = 'none' | 'gzip' | 'zstd';

/** The compression of a file starting with `head`. */
export function compressionOf(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

const CHUNK = 256 * 1024;

/** A pull source of chunks; `seek` jumps past data without producing it (plain files only). */
interface ChunkSource {
  next(): Promise<Uint8Array | null>;
  /** Skips `n` bytes of the source past what was pulled (plain files). */
  seek?(n: number): void;
  /** Passes over up to `n` bytes without decompressing them when it can (zstd: whole frames); returns how many. */
  pass?(n: number): Promise<number>;
  /** Up to `n` bytes at `offset` of the data, without moving the position (random-access sources only). */
  readAt?(offset: number, n: number): Promise<Uint8Array>;
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
    async readAt(offset: number, n: number) {
      const buffer = Buffer.allocUnsafe(n);
      const { bytesRead } = await handle.read(buffer, 0, n, offset);
      return buffer.subarray(0, bytesRead);
    },
    async close() {
      await handle.close();
    },
  };
}

/** A buffered forward reader of a file's raw bytes: `pos` is the next unread byte. */
class RawInput {
  pos = 0;
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;
  readonly #handle: FileHandle;
  readonly size: number;

  /** `held`: bytes of the file already in memory, from file offset `pos` (they are read from there first). */
  constructor(handle: FileHandle, size: number, held?: { bytes: Uint8Array; pos: number }) {
    this.#handle = handle;
    this.size = size;
    if (held) {
      this.#buf = held.bytes;
      this.#start = held.pos;
      this.pos = held.pos;
    }
  }

  /** Bytes buffered from `pos` on. */
  get buffered(): number {
    return Math.max(0, this.#start + this.#buf.length - this.pos);
  }

  /** The byte at `pos + i` (buffered, `i < buffered`). */
  at(i: number): number {
    return this.#buf[this.pos - this.#start + i]!;
  }

  /** Ensures `n` bytes from `pos` are buffered; `false` when the file ends first. */
  async ensure(n: number): Promise<boolean> {
    if (this.buffered >= n) return true;
    if (this.pos + n > this.size) return false;
    const length = Math.max(n, CHUNK);
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.#handle.read(buffer, 0, length, this.pos);
    this.#buf = buffer.subarray(0, bytesRead);
    this.#start = this.pos;
    return bytesRead >= n;
  }

  /** A copy of the `n` buffered bytes at `pos`, then moves past them. */
  take(n: number): Uint8Array {
    const from = this.pos - this.#start;
    this.pos += n;
    return this.#buf.slice(from, from + n);
  }
}

const ZSTD_MAGIC = 0xfd2fb528;
const BLOCK_MAX = 128 * 1024;

/** A zstd frame header, as read from the file. */
interface FrameHeader {
  /** Bytes of the header (magic included). */
  length: number;
  /** Window size the frame asks for. */
  window: number;
  /** Frame_Content_Size, when declared. */
  contentSize: number | undefined;
  checksum: boolean;
}

type ZstdFail = (detail: string, at: number) => never;

/** Reads the frame (or skippable frame) header at `input.pos`; `skip` is the size of a skippable frame. */
async function frameHeader(input: RawInput, fail: ZstdFail): Promise<FrameHeader | { skip: number }> {
  const at = input.pos;
  if (!(await input.ensure(8))) {
    if (!(await input.ensure(5))) fail('a zstd frame header is cut short', at);
  }
  const magic = (input.at(0) | (input.at(1) << 8) | (input.at(2) << 16) | (input.at(3) << 24)) >>> 0;
  if (magic >>> 4 === 0x184d2a5) {
    if (input.buffered < 8) fail('a skippable frame header is cut short', at);
    const size = (input.at(4) | (input.at(5) << 8) | (input.at(6) << 16) | (input.at(7) << 24)) >>> 0;
    return { skip: 8 + size };
  }
  if (magic !== ZSTD_MAGIC) fail('no zstd frame magic', at);
  const fhd = input.at(4);
  if (fhd & 8) fail('a reserved bit of the frame header is set', at + 4);
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = [single, 2, 4, 8][fcsFlag]!;
  const length = 5 + (single ? 0 : 1) + dictBytes + fcsBytes;
  if (!(await input.ensure(length))) fail('a zstd frame header is cut short', at);
  let p = 5;
  let window = 0;
  if (!single) {
    const wd = input.at(p++);
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  }
  p += dictBytes;
  let contentSize: number | undefined;
  if (fcsBytes > 0) {
    let v = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) v = v * 256 + input.at(p + i);
    contentSize = fcsBytes === 2 ? v + 256 : v;
  }
  if (single) window = contentSize ?? 0;
  return { length, window, contentSize, checksum: ((fhd >> 2) & 1) === 1 };
}

/**
 * Walks the blocks of the frame whose header was just read (`input.pos` after the header): without decoding,
 * returns the most bytes they can decompress to; leaves `input.pos` after the frame (its checksum included).
 */
async function walkBlocks(input: RawInput, header: FrameHeader, fail: ZstdFail): Promise<number> {
  const blockMax = Math.min(header.window || BLOCK_MAX, BLOCK_MAX);
  let bound = 0;
  for (;;) {
    if (input.buffered < 3 && !(await input.ensure(3))) fail('a zstd block header is cut short', input.pos);
    const b = input.at(0) | (input.at(1) << 8) | (input.at(2) << 16);
    const type = (b >> 1) & 3;
    const size = b >>> 3;
    if (type === 3) fail('a zstd block of the reserved type', input.pos);
    if (size > blockMax) fail(`a zstd block of ${size} bytes (at most ${blockMax})`, input.pos);
    const stored = type === 1 ? 1 : size;
    if (input.pos + 3 + stored > input.size) fail('a zstd block runs past the end of the file', input.pos);
    input.pos += 3 + stored;
    bound += type === 2 ? blockMax : size;
    if (b & 1) break;
  }
  if (header.checksum) input.pos += 4;
  return bound;
}

/** One zstd frame of a file: where it lies compressed, and the part of the data it decompresses to. */
interface FrameEntry {
  /** Byte offset of the frame (its magic) in the file. */
  at: number;
  /** Bytes of the frame in the file, header and checksum included. */
  length: number;
  /** Offset of its content in the decompressed data. */
  start: number;
  /** Frame_Content_Size, when declared. */
  contentSize: number | undefined;
  window: number;
}

/**
 * The most bytes the zstd file can decompress to, as its frames and blocks declare (nothing decoded), and its
 * frames, in order.
 */
async function zstdDeclaredSize(
  input: RawInput,
  fail: ZstdFail,
): Promise<{ total: number; frames: FrameEntry[] }> {
  let total = 0;
  const frames: FrameEntry[] = [];
  while (input.pos < input.size) {
    const at = input.pos;
    const header = await frameHeader(input, fail);
    if ('skip' in header) {
      input.pos += header.skip;
      continue;
    }
    input.pos += header.length;
    const bound = await walkBlocks(input, header, fail);
    if (header.contentSize !== undefined && header.contentSize > bound) {
      fail(`a frame declares ${header.contentSize} bytes but its blocks hold at most ${bound}`, at);
    }
    frames.push({
      at,
      length: input.pos - at,
      start: total,
      contentSize: header.contentSize,
      window: header.window,
    });
    total += header.contentSize ?? bound;
  }
  if (input.pos > input.size) fail('the last frame runs past the end of the file', input.size);
  return { total, frames };
}

const SEEK_TABLE_MAGIC = 0x8f92eab1;

/**
 * Whether a frame can be decoded whole when read out of order: it declares its content size, within the window
 * limit, and is not much larger compressed than decompressed.
 */
function indexable(f: FrameEntry, limits: ScanLimits): boolean {
  return (
    f.contentSize !== undefined &&
    f.contentSize <= limits.maxZstdWindow &&
    f.length <= 2 * f.contentSize + 65536
  );
}

/**
 * The frames of a zstd file as its seek table lists them (the skippable frame zstd's seekable format appends, as
 * Blender writes one), when the file has a seek table that accounts for every byte before it; else `undefined`.
 * Nothing in a frame is trusted from the table until the frame is decoded, when its header must agree.
 */
async function seekTable(handle: FileHandle, size: number): Promise<FrameEntry[] | undefined> {
  if (size < 17) return undefined;
  const foot = Buffer.alloc(9);
  await handle.read(foot, 0, 9, size - 9);
  if (foot.readUInt32LE(5) !== SEEK_TABLE_MAGIC || (foot[4]! & 0x7f) !== 0) return undefined;
  const count = foot.readUInt32LE(0);
  const entry = foot[4]! & 0x80 ? 12 : 8;
  const tableSize = count * entry + 9;
  if (tableSize + 8 > size) return undefined;
  const table = Buffer.alloc(tableSize + 8);
  await handle.read(table, 0, tableSize + 8, size - tableSize - 8);
  if (table.readUInt32LE(0) !== 0x184d2a5e || table.readUInt32LE(4) !== tableSize) return undefined;
  const frames: FrameEntry[] = [];
  let at = 0;
  let start = 0;
  for (let i = 0; i < count; i++) {
    const length = table.readUInt32LE(8 + i * entry);
    const contentSize = table.readUInt32LE(12 + i * entry);
    frames.push({ at, length, start, contentSize, window: 0 });
    at += length;
    start += contentSize;
  }
  return at === size - tableSize - 8 ? frames : undefined;
}

let decoder: Promise<ZSTDDecoder> | undefined;

/** The WebAssembly zstd decoder (the reference implementation), loaded on first use. */
function zstdDecoder(): Promise<ZSTDDecoder> {
  decoder ??= import('zstddec').then(async ({ ZSTDDecoder }) => {
    const d = new ZSTDDecoder();
    await d.init();
    return d;
  });
  return decoder;
}

/**
 * A zstd source with random access, for files whose every frame declares its content size (as Blender writes
 * them) within the window limit: the position is a place in the decompressed data, and only the frames that hold
 * bytes actually read are decoded, each whole, by the reference zstd decoder compiled to WebAssembly (no frame is
 * decoded for a skip or a seek). The last two frames decoded are kept.
 */
class IndexedZstdSource implements ChunkSource {
  #pos = 0;
  readonly #cache: { frame: FrameEntry; bytes: Uint8Array }[] = [];
  constructor(
    readonly handle: FileHandle,
    readonly frames: FrameEntry[],
    readonly total: number,
    readonly fail: ZstdFail,
    readonly maxWindow: number,
    readonly windowFail: (window: number, at: number) => never,
  ) {}

  /** The index of the frame holding decompressed byte `pos` (binary search). */
  #frameAt(pos: number): number {
    let lo = 0;
    let hi = this.frames.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.frames[mid]!.start <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  async #decode(frame: FrameEntry): Promise<Uint8Array> {
    const hit = this.#cache.find((c) => c.frame === frame);
    if (hit) return hit.bytes;
    const raw = Buffer.allocUnsafe(frame.length);
    const { bytesRead } = await this.handle.read(raw, 0, frame.length, frame.at);
    if (bytesRead < frame.length) this.fail('a zstd frame runs past the end of the file', frame.at);
    // The frame's own header must say what the index says (a seek table is not trusted further).
    const header = await frameHeader(
      new RawInput(this.handle, frame.at + frame.length, { bytes: raw, pos: frame.at }),
      this.fail,
    );
    if ('skip' in header || header.contentSize !== frame.contentSize) {
      this.fail(`a zstd frame does not hold the ${frame.contentSize} bytes its index lists`, frame.at);
    }
    if (header.window > this.maxWindow) this.windowFail(header.window, frame.at);
    const bytes = (await zstdDecoder()).decode(raw, frame.contentSize!);
    if (bytes.length !== frame.contentSize) {
      this.fail(`a frame declares ${frame.contentSize} bytes but decodes to ${bytes.length}`, frame.at);
    }
    this.#cache.push({ frame, bytes });
    if (this.#cache.length > 2) this.#cache.shift();
    return bytes;
  }

  async next(): Promise<Uint8Array | null> {
    while (this.#pos < this.total) {
      const frame = this.frames[this.#frameAt(this.#pos)]!;
      if (frame.contentSize === 0) {
        this.#pos = frame.start + 1; // an empty frame: on to the next one
        continue;
      }
      const bytes = await this.#decode(frame);
      const chunk = bytes.subarray(this.#pos - frame.start);
      this.#pos = frame.start + bytes.length;
      return chunk;
    }
    return null;
  }

  seek(n: number): void {
    this.#pos += n;
  }

  async readAt(offset: number, n: number): Promise<Uint8Array> {
    const out = new Uint8Array(Math.max(0, Math.min(n, this.total - offset)));
    let done = 0;
    while (done < out.length) {
      const frame = this.frames[this.#frameAt(offset + done)]!;
      const bytes = await this.#decode(frame);
      const from = offset + done - frame.start;
      const piece = bytes.subarray(from, Math.min(bytes.length, from + out.length - done));
      if (piece.length === 0) break;
      out.set(piece, done);
      done += piece.length;
    }
    return out.subarray(0, done);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/**
 * A zstd source: frames decoded one at a time, each block pushed to fzstd on its own (so no push yields more than
 * a block or two), and frames (or the rest of a frame) wholly inside a skip passed over undecoded when the frame
 * declares its content size.
 */
class ZstdSource implements ChunkSource {
  readonly #input: RawInput;
  readonly #handle: FileHandle;
  readonly #fail: ZstdFail;
  readonly #maxWindow: number;
  readonly #window: (window: number, at: number) => never;
  #frame: (FrameHeader & { produced: number; decoder: Decompress }) | undefined;
  #out: Uint8Array[] = [];

  constructor(
    handle: FileHandle,
    size: number,
    fail: ZstdFail,
    maxWindow: number,
    window: (w: number, at: number) => never,
  ) {
    this.#handle = handle;
    this.#input = new RawInput(handle, size);
    this.#fail = fail;
    this.#maxWindow = maxWindow;
    this.#window = window;
  }

  async next(): Promise<Uint8Array | null> {
    const input = this.#input;
    while (this.#out.length === 0) {
      if (!this.#frame) {
        if (input.pos >= input.size) return null;
        const at = input.pos;
        const header = await frameHeader(input, this.#fail);
        if ('skip' in header) {
          input.pos += header.skip;
          continue;
        }
        if (header.window > this.#maxWindow) this.#window(header.window, at);
        const frame = {
          ...header,
          produced: 0,
          decoder: new Decompress((chunk) => {
            if (chunk.length > 0) this.#out.push(chunk);
          }),
        };
        frame.decoder.push(input.take(header.length));
        this.#frame = frame;
      }
      const frame = this.#frame;
      if (!(await input.ensure(3))) this.#fail('a zstd block header is cut short', input.pos);
      const b = input.at(0) | (input.at(1) << 8) | (input.at(2) << 16);
      const type = (b >> 1) & 3;
      const stored = 3 + (type === 1 ? 1 : b >>> 3);
      const last = (b & 1) === 1;
      const tail = last && frame.checksum ? 4 : 0;
      if (!(await input.ensure(stored + tail)))
        this.#fail('a zstd block runs past the end of the file', input.pos);
      frame.decoder.push(input.take(stored + tail), last);
      if (last) this.#frame = undefined;
    }
    const chunk = this.#out.shift()!;
    if (this.#frame) this.#frame.produced += chunk.length;
    return chunk;
  }

  /** Passes over whole frames (or the rest of the current one) that end within `n` bytes, undecoded. */
  async pass(n: number): Promise<number> {
    let passed = 0;
    const input = this.#input;
    for (;;) {
      const queued = this.#out.reduce((sum, c) => sum + c.length, 0);
      const frame = this.#frame;
      if (frame) {
        if (frame.contentSize === undefined) return passed;
        const rest = frame.contentSize - frame.produced;
        if (rest > n - passed) return passed;
        // The rest of this frame is skipped: its queued output and its remaining blocks.
        this.#out = [];
        this.#frame = undefined;
        await walkBlocks(input, frame, this.#fail);
        passed += rest;
        continue;
      }
      if (queued > 0 || input.pos >= input.size) return passed;
      const at = input.pos;
      const header = await frameHeader(input, this.#fail);
      if ('skip' in header) {
        input.pos += header.skip;
        continue;
      }
      if (header.contentSize === undefined || header.contentSize > n - passed) {
        input.pos = at; // decoded by next()
        return passed;
      }
      input.pos += header.length;
      await walkBlocks(input, header, this.#fail);
      passed += header.contentSize;
    }
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
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
  /**
   * The most bytes the data can hold: the size of a plain file; for a compressed one, the least of what its frames
   * declare (zstd), `maxExpansion` times its size and `maxDecompressedBytes`.
   */
  readonly bound: number;
  /** Why the data can hold no more than {@link bound}, in words (for error messages). */
  readonly boundReason: string;
  /** The limit that sets {@link bound}, for compressed data (`maxExpansion`, `maxDecompressedBytes`), if one. */
  readonly boundLimit: keyof ScanLimits | undefined;
  readonly #file: string;
  readonly #source: ChunkSource;
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #eof = false;
  /** Bytes pulled from the source so far. */
  #pulled = 0;

  private constructor(
    file: string,
    source: ChunkSource,
    compression: Compression,
    size: number,
    bound: { bytes: number; reason: string; limit?: keyof ScanLimits },
  ) {
    this.#file = file;
    this.size = size;
    this.#source = source;
    this.compression = compression;
    this.bound = bound.bytes;
    this.boundReason = bound.reason;
    this.boundLimit = bound.limit;
  }

  /** Opens `file`, choosing plain, gzip or zstd reading from its first bytes, within `limits`. */
  static async open(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<ByteReader> {
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
    if (compression === 'none') {
      return new ByteReader(file, fileSource(handle), compression, size, {
        bytes: size,
        reason: `the file has ${size} bytes`,
      });
    }
    const ratio = size * limits.maxExpansion;
    const bound =
      ratio <= limits.maxDecompressedBytes
        ? {
            bytes: ratio,
            reason: `a ${compression} file of ${size} bytes expands to at most ${ratio} bytes (${limits.maxExpansion}× its size)`,
            limit: 'maxExpansion' as const,
          }
        : {
            bytes: limits.maxDecompressedBytes,
            reason: `at most ${sizeText(limits.maxDecompressedBytes)} is decompressed from one file`,
            limit: 'maxDecompressedBytes' as const,
          };
    let reader: ByteReader;
    const wrap = (error: unknown) =>
      error instanceof PreflightError
        ? error
        : new DecompressionError(
            file,
            compression as 'gzip' | 'zstd',
            { offset: reader?.offset ?? 0 },
            { cause: error },
          );
    if (compression === 'gzip') {
      await handle.close();
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
        bound,
      );
      return reader;
    }
    const fail: ZstdFail = (detail, at) => {
      throw wrap(new Error(`${detail} (byte ${at} of the compressed file)`));
    };
    const windowFail = (window: number, at: number): never => {
      throw new LimitExceededError(
        file,
        'maxZstdWindow',
        `a zstd frame at byte ${at} of the compressed file asks for a window of ${window} bytes, more than ${sizeText(limits.maxZstdWindow)}`,
        { offset: reader?.offset ?? 0 },
      );
    };
    let declared: number;
    let frames: FrameEntry[];
    try {
      // Blender's seek table lists the frames: then nothing else is read to index them. Otherwise every frame's
      // header and block headers are walked (nothing decoded).
      const listed = await seekTable(handle, size);
      const total = listed?.reduce((sum, f) => sum + f.contentSize!, 0) ?? 0;
      if (listed && listed.length > 0 && listed.every((f) => indexable(f, limits)) && total <= bound.bytes) {
        frames = listed;
        declared = total;
      } else ({ total: declared, frames } = await zstdDeclaredSize(new RawInput(handle, size), fail));
    } catch (error) {
      await handle.close();
      throw error;
    }
    const guarded = <T>(step: () => Promise<T>) =>
      step().catch((error: unknown) => {
        throw wrap(error);
      });
    const boundOf =
      declared <= bound.bytes
        ? { bytes: declared, reason: `its zstd frames declare ${declared} bytes in all` }
        : bound;
    // Random access when every frame declares its content size and decodes within the window limit (Blender's
    // frames do); otherwise frames are decoded as a stream, block by block.
    const wide = frames.find((f) => f.window > limits.maxZstdWindow);
    if (wide) {
      await handle.close();
      windowFail(wide.window, wide.at);
    }
    if (declared <= bound.bytes && frames.every((f) => indexable(f, limits))) {
      const indexed = new IndexedZstdSource(handle, frames, declared, fail, limits.maxZstdWindow, windowFail);
      reader = new ByteReader(
        file,
        {
          next: () => guarded(() => indexed.next()),
          seek: (n) => indexed.seek(n),
          readAt: (offset, n) => guarded(() => indexed.readAt(offset, n)),
          close: () => indexed.close(),
        },
        compression,
        size,
        boundOf,
      );
      return reader;
    }
    const zstd = new ZstdSource(handle, size, fail, limits.maxZstdWindow, windowFail);
    reader = new ByteReader(
      file,
      {
        next: () => guarded(() => zstd.next()),
        pass: (n) => guarded(() => zstd.pass(n)),
        close: () => zstd.close(),
      },
      compression,
      size,
      boundOf,
    );
    return reader;
  }

  /** Bytes available in the buffer. */
  get #available(): number {
    return this.#buf.length - this.#pos;
  }

  /** The next chunk of the source, counted against the bound. */
  async #pull(): Promise<Uint8Array | null> {
    const chunk = await this.#source.next();
    if (chunk === null) return null;
    this.#pulled += chunk.length;
    if (this.compression !== 'none' && this.#pulled > this.bound) this.#overBound();
    return chunk;
  }

  #overBound(): never {
    const position = { offset: Math.min(this.bound, this.#pulled) };
    if (this.boundLimit) {
      throw new LimitExceededError(
        this.#file,
        this.boundLimit,
        `decompressing: ${this.boundReason}`,
        position,
      );
    }
    throw new DecompressionError(this.#file, this.compression as 'gzip' | 'zstd', position, {
      cause: new Error(`the data goes on past the ${this.bound} bytes ${this.boundReason}`),
    });
  }

  /** Ensures `n` bytes are buffered; `false` when the data ends first. */
  async #fill(n: number): Promise<boolean> {
    if (this.#available >= n) return true;
    // The rest of the buffer, if any, then whole chunks: a chunk is copied only to join it to a rest.
    const parts: Uint8Array[] = this.#available > 0 ? [this.#buf.subarray(this.#pos)] : [];
    let have = this.#available;
    while (have < n && !this.#eof) {
      const chunk = await this.#pull();
      if (chunk === null) {
        this.#eof = true;
        break;
      }
      parts.push(chunk);
      have += chunk.length;
    }
    if (parts.length <= 1) {
      this.#buf = parts[0] ?? new Uint8Array(0);
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

  /** The next `n` bytes when they are already buffered (a view valid until the next call), else `undefined`. */
  readBuffered(n: number): Uint8Array | undefined {
    if (this.#available < n) return undefined;
    const view = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    this.offset += n;
    return view;
  }

  /** Passes over `n` bytes when they are all buffered (`true`); else does nothing (`false`). */
  skipBuffered(n: number): boolean {
    if (this.#available < n) return false;
    this.#pos += n;
    this.offset += n;
    return true;
  }

  /**
   * Passes over `n` bytes: plain files seek; compressed ones pass whole zstd frames undecoded where they can and
   * decompress and drop the rest, a chunk at a time (never holding the skipped bytes).
   */
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
      if (this.#source.pass && this.#available === 0) {
        const passed = await this.#source.pass(left);
        this.#pulled += passed;
        this.offset += passed;
        left -= passed;
        if (left === 0) return;
      }
      if (!(await this.#fill(1))) {
        throw new TruncatedFileError(this.#file, `${what} needs ${left} more bytes`, { offset: this.offset });
      }
      const step = Math.min(left, this.#available);
      this.#pos += step;
      this.offset += step;
      left -= step;
    }
  }

  /**
   * Up to `n` bytes of the (decompressed) data at `offset`, without moving the reader; `undefined` when the data
   * cannot be read out of order (a gzip stream, a zstd file whose frames do not declare their sizes).
   */
  async readAt(offset: number, n: number): Promise<Uint8Array | undefined> {
    if (!this.#source.readAt) return undefined;
    return this.#source.readAt(offset, Math.max(0, Math.min(n, this.bound - offset)));
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.#source.close();
  }
}
