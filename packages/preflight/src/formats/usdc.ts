/**
 * USD binary crate layers (`.usdc`, and `.usd` files in crate form), read without a USD install from the layout
 * OpenUSD's public source describes: the bootstrap (`PXR-USDC`, version, table of contents offset), the table of
 * contents, and the sections TOKENS, STRINGS, FIELDS, FIELDSETS, PATHS and SPECS (plain before file version 0.4.0;
 * LZ4-compressed, integers in the crate's integer coding, from 0.4.0 on). Every spec's fields are looked at by type only; the
 * values that can hold an asset path (asset paths and their arrays, sublayers, references, payloads, dictionaries,
 * time samples) are read where they lie, a few bytes at a time; everything else (geometry arrays above all) is
 * never read. Every size and count the file declares is checked against the file and `ScanLimits` before anything
 * is allocated.
 */
import { type FileHandle, open } from 'node:fs/promises';
import nodePath from 'node:path';
import { CorruptFileError, LimitExceededError, TruncatedFileError } from '../errors.js';
import { DEFAULT_LIMITS, sizeText } from '../limits.js';
import type { ScanLimits, SceneSettings } from '../types.js';
import { type FormatResult, kindByExtension, type RawReference } from './common.js';
import { decodeInts, encodedIntsSize, fastDecompress } from './crate-codec.js';

/** Random access to the bytes of a file, or of a part of one (a `.usdz` entry). */
export interface ByteRange {
  /** Bytes in the range. */
  readonly size: number;
  /** `length` bytes at `offset` (both within `size`; the caller checks). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A {@link ByteRange} over `length` bytes of an open file from `start`. */
export function fileRange(handle: FileHandle, start: number, length: number): ByteRange {
  return {
    size: length,
    async read(offset, n) {
      const buffer = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await handle.read(buffer, got, n - got, start + offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === n ? buffer : buffer.subarray(0, got);
    },
  };
}

/** Where a crate layer's references are placed: the name shown as its file, and the folder paths start from. */
export interface CrateContext {
  /** The file named in errors (the scene file; for a `.usdz` entry, the package). */
  file: string;
  /** The file shown in each reference's location (`pkg.usdz[sub/layer.usdc]` for a package entry). */
  locationFile: string;
  /** The folder relative asset paths start from. */
  baseDir: string;
  limits: ScanLimits;
}

/** What one crate layer names. */
export interface CrateLayer {
  references: RawReference[];
  notes: string[];
  /** The crate file version, such as `0.8.0`. */
  version: string;
  /** The layer's frames, from its metadata (`startTimeCode`, `endTimeCode`), as a `.usda` layer gives them. */
  settings: SceneSettings;
}

const BOOTSTRAP = 88;
/** The end of a file header, bootstrap and table of contents: what an offset into the file must come after. */
const SPEC_TYPES = [
  'unknown',
  'attribute',
  'connection',
  'expression',
  'mapper',
  'mapperArg',
  'prim',
  'pseudoRoot',
  'relationship',
  'relationshipTarget',
  'variant',
  'variantSet',
];
/** Value types (OpenUSD's crate TypeEnum) this reader looks into. */
const T = {
  Int: 3,
  Float: 8,
  Double: 9,
  String: 10,
  AssetPath: 12,
  Dictionary: 31,
  ReferenceListOp: 35,
  TimeSamples: 46,
  Payload: 47,
  StringVector: 50,
  Value: 52,
  PayloadListOp: 55,
} as const;
/** Nesting of dictionaries and values past which a file is taken as damaged. */
const MAX_DEPTH = 64;
/** A "no index" (a default-constructed crate index: all bits set), the end of a field set. */
const NO_INDEX = 0xffffffff;

/** Reads the crate layer `file` and lists its asset paths. */
export async function readUsdc(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<FormatResult> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const layer = await readCrate(fileRange(handle, 0, size), {
      file,
      locationFile: file,
      baseDir: nodePath.dirname(file),
      limits,
    });
    return {
      format: 'usdc',
      scanned: true,
      details: { encoding: 'crate', crateVersion: layer.version },
      references: layer.references,
      notes: layer.notes,
      settings: layer.settings,
    };
  } finally {
    await handle.close();
  }
}

/** A cursor over bytes held in memory (a section), placing errors at file offsets. */
class Cursor {
  p = 0;
  readonly #view: DataView;
  constructor(
    readonly data: Uint8Array,
    readonly base: number,
    readonly fail: (detail: string, at: number) => never,
  ) {
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  need(n: number, what: string): void {
    if (n < 0 || this.p + n > this.data.length) {
      this.fail(
        `${what} runs past its section (${n} bytes at byte ${this.p} of ${this.data.length})`,
        this.base + this.p,
      );
    }
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.#view.getUint32(this.p, true);
    this.p += 4;
    return v;
  }
  /** A uint64 that must fit a JavaScript number exactly (2^53). */
  u64(what: string): number {
    this.need(8, what);
    const lo = this.#view.getUint32(this.p, true);
    const hi = this.#view.getUint32(this.p + 4, true);
    if (hi > 0x1fffff) this.fail(`${what} is ${hi * 2 ** 32 + lo}, beyond any file`, this.base + this.p);
    this.p += 8;
    return hi * 2 ** 32 + lo;
  }
  i64(what: string): number {
    this.need(8, what);
    const v = this.#view.getBigInt64(this.p, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      this.fail(`${what} is ${v}, beyond any file`, this.base + this.p);
    }
    this.p += 8;
    return Number(v);
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.data.subarray(this.p, this.p + n);
    this.p += n;
    return out;
  }
}

/** Reads small pieces of a range through a 4 KiB window (values lie scattered in the file, between arrays never read). */
class Window {
  #start = 0;
  #bytes: Uint8Array = new Uint8Array(0);
  /** Pieces read ahead, by offset (the values the fields name, read several at a time). */
  readonly #ahead = new Map<number, Uint8Array>();
  constructor(
    readonly source: ByteRange,
    readonly fail: (detail: string, at: number) => never,
  ) {}
  /**
   * Reads the 4 KiB at each of `offsets` ahead of use, 8 reads at a time (each value a field names lies apart
   * from the others, between arrays never read); at most 4,096 pieces (16 MiB) are kept.
   */
  async prefetch(offsets: Iterable<number>): Promise<void> {
    const list = [...new Set(offsets)].filter((o) => o >= 0 && o < this.source.size).sort((a, b) => a - b);
    const wanted = list.slice(0, 4096);
    for (let i = 0; i < wanted.length; i += 8) {
      await Promise.all(
        wanted.slice(i, i + 8).map(async (o) => {
          this.#ahead.set(o, await this.source.read(o, Math.min(4096, this.source.size - o)));
        }),
      );
    }
  }
  async get(offset: number, n: number, what: string): Promise<DataView> {
    if (offset < 0 || n < 0 || offset + n > this.source.size) {
      this.fail(
        `${what} at byte ${offset} runs past the end of the layer (${this.source.size} bytes)`,
        offset,
      );
    }
    const ahead = this.#ahead.get(offset);
    if (ahead && ahead.length >= n && (offset < this.#start || offset >= this.#start + this.#bytes.length)) {
      this.#bytes = ahead;
      this.#start = offset;
    }
    if (offset < this.#start || offset + n > this.#start + this.#bytes.length) {
      const length = Math.min(Math.max(n, 4096), this.source.size - offset);
      this.#bytes = await this.source.read(offset, length);
      this.#start = offset;
      if (this.#bytes.length < n) this.fail(`${what} at byte ${offset} is cut short`, offset);
    }
    const at = offset - this.#start;
    return new DataView(this.#bytes.buffer, this.#bytes.byteOffset + at, n);
  }
  async u32(offset: number, what: string): Promise<number> {
    return (await this.get(offset, 4, what)).getUint32(0, true);
  }
  async u64(offset: number, what: string): Promise<number> {
    const v = await this.get(offset, 8, what);
    const hi = v.getUint32(4, true);
    if (hi > 0x1fffff) this.fail(`${what} at byte ${offset} is beyond any file`, offset);
    return hi * 2 ** 32 + v.getUint32(0, true);
  }
  async i64(offset: number, what: string): Promise<number> {
    const v = (await this.get(offset, 8, what)).getBigInt64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      this.fail(`${what} at byte ${offset} is beyond any file`, offset);
    }
    return Number(v);
  }
  /** A value representation: type, flags and payload. */
  async rep(offset: number, what: string): Promise<Rep> {
    const v = await this.get(offset, 8, what);
    return repOf(v.getUint32(0, true), v.getUint32(4, true));
  }
}

/** A crate value representation (ValueRep): its type, flags and 48-bit payload. */
interface Rep {
  type: number;
  array: boolean;
  inlined: boolean;
  /** The low 32 bits of the payload (an index, for inlined values). */
  low: number;
  /** The whole payload (a file offset, for values that are not inlined). */
  payload: number;
}

function repOf(lo: number, hi: number): Rep {
  return {
    type: (hi >>> 16) & 0xff,
    array: (hi & 0x80000000) !== 0,
    inlined: (hi & 0x40000000) !== 0,
    low: lo,
    payload: (hi & 0xffff) * 2 ** 32 + lo,
  };
}

/** Reads one crate layer from `source` (any crate version 0.x) and lists the asset paths it names. */
export async function readCrate(source: ByteRange, context: CrateContext): Promise<CrateLayer> {
  const { file, limits } = context;
  const corrupt = (detail: string, at: number): never => {
    throw new CorruptFileError(
      file,
      `crate layer${context.locationFile === file ? '' : ` ${context.locationFile}`}: ${detail}`,
      {
        offset: at,
      },
    );
  };
  if (source.size < BOOTSTRAP) {
    throw new TruncatedFileError(
      file,
      `a crate file starts with an ${BOOTSTRAP}-byte bootstrap; this one has ${source.size} bytes`,
      {
        offset: 0,
      },
    );
  }
  const boot = await source.read(0, BOOTSTRAP);
  if (String.fromCharCode(...boot.subarray(0, 8)) !== 'PXR-USDC') corrupt('no "PXR-USDC" bootstrap', 0);
  const [major, minor, patch] = [boot[8]!, boot[9]!, boot[10]!];
  const version = `${major}.${minor}.${patch}`;
  const atLeast = (a: number, b: number, c: number) =>
    major !== a ? major > a : minor !== b ? minor > b : patch >= c;
  if (major !== 0) corrupt(`crate version ${version} is newer than any this reader knows (0.x)`, 8);
  const compressed = atLeast(0, 4, 0);
  const bootView = new DataView(boot.buffer, boot.byteOffset, boot.byteLength);
  const tocOffset = Number(bootView.getBigInt64(16, true));
  if (!(tocOffset >= BOOTSTRAP && tocOffset + 8 <= source.size)) {
    corrupt(
      `the table of contents is said to be at byte ${tocOffset}, outside the file (${source.size} bytes)`,
      16,
    );
  }
  const tocHead = new Cursor(await source.read(tocOffset, 8), tocOffset, corrupt);
  const sectionCount = tocHead.u64('the number of sections');
  if (sectionCount * 32 > source.size - tocOffset - 8) {
    corrupt(`the table of contents lists ${sectionCount} sections, more than the file can hold`, tocOffset);
  }
  const toc = new Cursor(await source.read(tocOffset + 8, sectionCount * 32), tocOffset + 8, corrupt);
  const sections = new Map<string, { start: number; size: number }>();
  for (let i = 0; i < sectionCount; i++) {
    const at = toc.base + toc.p;
    const nameBytes = toc.bytes(16, 'a section name');
    const end = nameBytes.indexOf(0);
    const name = String.fromCharCode(...nameBytes.subarray(0, end < 0 ? 16 : end));
    const start = toc.i64('a section start');
    const size = toc.i64('a section size');
    if (start < 0 || size < 0 || start + size > source.size) {
      corrupt(
        `section ${name} (${size} bytes at byte ${start}) lies outside the file (${source.size} bytes)`,
        at,
      );
    }
    if (size > limits.maxDecompressedBytes) {
      throw new LimitExceededError(
        file,
        'maxDecompressedBytes',
        `section ${name} of ${size} bytes is more than ${sizeText(limits.maxDecompressedBytes)}`,
        {
          offset: at,
        },
      );
    }
    sections.set(name, { start, size });
  }
  // Bytes decompressed from this layer, against limits.maxDecompressedBytes.
  let budget = limits.maxDecompressedBytes;
  const section = async (name: string): Promise<Cursor | undefined> => {
    const s = sections.get(name);
    if (!s) return undefined;
    return new Cursor(await source.read(s.start, s.size), s.start, corrupt);
  };
  const spend = (n: number, compressed: number, what: string, at: number) => {
    // LZ4 expands at most about 255 to 1: a declared size beyond that is a damaged or hostile file.
    if (n > compressed * 255 + 64)
      corrupt(`${what}: ${n} bytes declared from ${compressed} compressed ones`, at);
    if (n > budget) {
      throw new LimitExceededError(
        file,
        'maxDecompressedBytes',
        `${what} would take the bytes decompressed from one layer past ${sizeText(limits.maxDecompressedBytes)}`,
        {
          offset: at,
        },
      );
    }
    budget -= n;
  };
  const ints = (c: Cursor, n: number, what: string): Int32Array => {
    const at = c.base + c.p;
    const compressedSize = c.u64(`the compressed size of ${what}`);
    const compressed = c.bytes(compressedSize, what);
    if (n === 0) return new Int32Array(0);
    const room = encodedIntsSize(n);
    spend(room, compressedSize, what, at);
    const fail = (detail: string): never => corrupt(`${what}: ${detail}`, at);
    return decodeInts(fastDecompress(compressed, room, fail), n, fail);
  };
  const count = (c: Cursor, what: string, each: number): number => {
    const at = c.base + c.p;
    const n = c.u64(`the number of ${what}`);
    // Each item takes at least `each` bits of its section's bytes after LZ4 (which expands at most 255 times).
    if ((n * each) / 8 > (c.data.length - c.p) * 255 + 64)
      corrupt(`${n} ${what} cannot fit their section`, at);
    return n;
  };

  // TOKENS
  const tokensSection = await section('TOKENS');
  if (!tokensSection) corrupt('no TOKENS section', tocOffset);
  const tc = tokensSection!;
  const numTokens = count(tc, 'tokens', 8);
  let chars: Uint8Array;
  if (compressed) {
    const uncompressed = tc.u64('the size of the tokens');
    const compressedTokens = tc.u64('the compressed size of the tokens');
    const tokenBytes = tc.bytes(compressedTokens, 'the tokens');
    spend(uncompressed, compressedTokens, 'the tokens', tc.base);
    chars = fastDecompress(tokenBytes, uncompressed, (d) => corrupt(`the tokens: ${d}`, tc.base));
  } else {
    chars = tc.bytes(tc.u64('the size of the tokens'), 'the tokens');
  }
  const tokens: string[] = new Array(numTokens);
  const decoder = new TextDecoder();
  for (let i = 0, p = 0; i < numTokens; i++) {
    let end = chars.indexOf(0, p);
    if (end < 0) {
      if (p >= chars.length) corrupt(`the file declares ${numTokens} tokens but holds ${i}`, tc.base);
      end = chars.length;
    }
    tokens[i] = decoder.decode(chars.subarray(p, end));
    p = end + 1;
  }
  const token = (i: number, at: number): string => {
    const t = tokens[i];
    if (t === undefined) corrupt(`token ${i} of ${numTokens}`, at);
    return t!;
  };

  // STRINGS: token indexes.
  const sc = await section('STRINGS');
  let strings: Uint32Array = new Uint32Array(0);
  if (sc) {
    const n = sc.u64('the number of strings');
    sc.need(n * 4, 'the strings');
    strings = new Uint32Array(n);
    for (let i = 0; i < n; i++) strings[i] = sc.u32('a string');
  }
  const string = (i: number, at: number): string => {
    if (i >= strings.length) corrupt(`string ${i} of ${strings.length}`, at);
    return token(strings[i]!, at);
  };

  // FIELDS: token index and value rep of each.
  const fc = await section('FIELDS');
  let fieldTokens: Int32Array = new Int32Array(0);
  let fieldReps: Uint32Array = new Uint32Array(0);
  if (fc && !compressed) {
    const n = fc.u64('the number of fields');
    fc.need(n * 16, 'the fields');
    fieldTokens = new Int32Array(n);
    fieldReps = new Uint32Array(n * 2);
    for (let i = 0; i < n; i++) {
      fc.p += 4; // padding
      fieldTokens[i] = fc.u32('a field name');
      fieldReps[i * 2] = fc.u32('a field value');
      fieldReps[i * 2 + 1] = fc.u32('a field value');
    }
  } else if (fc) {
    const n = count(fc, 'fields', 2);
    fieldTokens = ints(fc, n, 'the field names');
    const at = fc.base + fc.p;
    const repsSize = fc.u64('the compressed size of the field values');
    const repsBytes = fc.bytes(repsSize, 'the field values');
    spend(n * 8, repsSize, 'the field values', at);
    const reps = fastDecompress(repsBytes, n * 8, (d) => corrupt(`the field values: ${d}`, at));
    if (reps.length !== n * 8) corrupt(`the field values hold ${reps.length} bytes, not ${n * 8}`, at);
    fieldReps = new Uint32Array(reps.buffer.slice(reps.byteOffset, reps.byteOffset + reps.length));
  }

  // FIELDSETS: runs of field indexes, each ended by NO_INDEX.
  const fsc = await section('FIELDSETS');
  let fieldSets: Int32Array = new Int32Array(0);
  if (fsc && !compressed) {
    const n = fsc.u64('the number of field set entries');
    fsc.need(n * 4, 'the field sets');
    fieldSets = new Int32Array(n);
    for (let i = 0; i < n; i++) fieldSets[i] = fsc.u32('a field set entry');
  } else if (fsc) fieldSets = ints(fsc, count(fsc, 'field set entries', 2), 'the field sets');

  // PATHS: a tree coded as path indexes, element tokens (negative: a property) and jumps.
  const pc = await section('PATHS');
  let parentOf: Int32Array = new Int32Array(0);
  let elementOf: Int32Array = new Int32Array(0);
  if (pc && !compressed) {
    // Before 0.4.0: a tree of headers (index, element token, bits), a sibling's file offset after a header that has
    // both a child and a sibling. Version 0.0.1's headers carry 4 bytes of padding first.
    const numPaths = count(pc, 'paths', 8);
    parentOf = new Int32Array(numPaths).fill(-2);
    elementOf = new Int32Array(numPaths);
    const pad = atLeast(0, 1, 0) ? 0 : 4;
    const headerSize = pad + 12;
    const stack: [at: number, parent: number][] = [[pc.p, -1]];
    let steps = 0;
    while (stack.length > 0) {
      let [at, parent] = stack.pop()!;
      for (;;) {
        if (++steps > numPaths) corrupt('the path tree is damaged', pc.base);
        pc.p = at + pad;
        const pathIndex = pc.u32('a path');
        const element = pc.u32('a path element');
        const bits = pc.bytes(1, 'a path')[0]!;
        at += headerSize;
        if (pathIndex >= numPaths) corrupt(`path ${pathIndex} of ${numPaths}`, pc.base + at);
        parentOf[pathIndex] = parent;
        elementOf[pathIndex] = parent < 0 ? 0 : bits & 4 ? -element : element;
        const hasChild = (bits & 1) !== 0;
        const hasSibling = (bits & 2) !== 0;
        if (hasChild) {
          if (hasSibling) {
            pc.p = at;
            stack.push([pc.i64('a sibling path offset') - pc.base, parent]);
            at += 8;
          }
          parent = pathIndex;
        }
        if (!hasChild && !hasSibling) break;
      }
    }
  } else if (pc) {
    const numPaths = count(pc, 'paths', 2);
    const encoded = count(pc, 'coded paths', 2);
    const pathIndexes = ints(pc, encoded, 'the path indexes');
    const elements = ints(pc, encoded, 'the path elements');
    const jumps = ints(pc, encoded, 'the path jumps');
    parentOf = new Int32Array(numPaths).fill(-2);
    elementOf = new Int32Array(numPaths);
    const stack: [index: number, parent: number][] = [[0, -1]];
    let steps = 0;
    while (stack.length > 0) {
      let [i, parent] = stack.pop()!;
      for (;;) {
        if (i < 0 || i >= encoded || ++steps > encoded) corrupt('the path tree is damaged', pc.base);
        const pathIndex = pathIndexes[i]! >>> 0;
        if (pathIndex >= numPaths) corrupt(`path ${pathIndex} of ${numPaths}`, pc.base);
        parentOf[pathIndex] = parent;
        elementOf[pathIndex] = parent < 0 ? 0 : elements[i]!;
        const jump = jumps[i]!;
        const hasChild = jump > 0 || jump === -1;
        const hasSibling = jump >= 0;
        if (hasChild) {
          if (hasSibling) stack.push([i + jump, parent]);
          parent = pathIndex;
        }
        if (!hasChild && !hasSibling) break;
        i++;
      }
    }
  }
  const pathText = (index: number): string => {
    const parts: string[] = [];
    let i = index;
    for (let guard = 0; i >= 0 && guard < 10_000; guard++) {
      if (i >= parentOf.length || parentOf[i] === -2) return `<path ${index}>`;
      const parent = parentOf[i]!;
      if (parent < 0) break;
      const e = elementOf[i]!;
      const name = tokens[Math.abs(e)] ?? '?';
      parts.push(e < 0 ? `.${name}` : name.startsWith('{') ? name : `/${name}`);
      i = parent;
    }
    const text = parts.reverse().join('');
    return text === '' ? '/' : text.startsWith('/') ? text : `/${text}`;
  };

  // SPECS, and the values of their fields that can name files.
  const references: RawReference[] = [];
  const notes: string[] = [];
  let dropped = 0;
  let reads = 0;
  const values = new Window(source, corrupt);
  const emit = (text: string, where: string, composition: boolean) => {
    if (text === '') return;
    if (references.length >= limits.maxReferences) {
      dropped++;
      return;
    }
    if (text.length > limits.maxValueLength) {
      notes.push(
        `an asset path longer than ${sizeText(limits.maxValueLength)} at ${where} was left out (limits.maxValueLength)`,
      );
      return;
    }
    references.push({
      path: text,
      baseDir: context.baseDir,
      kind: composition ? 'referenced-scene' : kindByExtension(text, 'other'),
      location: { file: context.locationFile, type: 'node', name: where },
    });
  };
  const payloadHasOffset = atLeast(0, 8, 0);
  const arrayCount = async (offset: number, what: string): Promise<[number, number]> => {
    let p = offset;
    if (!atLeast(0, 5, 0)) p += 4; // the old shape size
    const n = atLeast(0, 7, 0) ? await values.u64(p, what) : await values.u32(p, what);
    p += atLeast(0, 7, 0) ? 8 : 4;
    return [n, p];
  };
  const stringList = async (offset: number, what: string, each: (s: string) => void, at: number) => {
    const n = await values.u64(offset, what);
    const data = await values.get(offset + 8, n * 4, what);
    for (let i = 0; i < n; i++) each(string(data.getUint32(i * 4, true), at));
  };
  /** Skips a dictionary (reference custom data), returning the offset after it. */
  const skipDictionary = async (offset: number): Promise<number> => {
    const n = await values.u64(offset, 'a dictionary size');
    let p = offset + 8;
    if (n * 12 > source.size - p) corrupt(`a dictionary of ${n} entries cannot fit the file`, offset);
    for (let i = 0; i < n; i++) {
      p += 4;
      const jump = await values.i64(p, 'a dictionary value');
      p = p + jump + 8;
      if (p <= offset || p > source.size) corrupt('a dictionary value lies outside the file', offset);
    }
    return p;
  };
  const listOp = async (offset: number, where: string, field: string, payloads: boolean) => {
    const header = (await values.get(offset, 1, 'a list op')).getUint8(0);
    let p = offset + 1;
    // Explicit, added, prepended, appended items name what the layer uses; deleted and ordered ones (read after
    // them) do not.
    for (const bit of [2, 4, 32, 64]) {
      if (!(header & bit)) continue;
      const n = await values.u64(p, 'a list op size');
      p += 8;
      if (n * 8 > source.size - p) corrupt(`a list op of ${n} items cannot fit the file`, offset);
      for (let i = 0; i < n; i++) {
        if (++reads > 10_000_000) corrupt('too many values', offset);
        const asset = await values.u32(p, 'a reference');
        p += 8; // asset path, prim path
        if (payloads) {
          if (payloadHasOffset) p += 16;
        } else {
          p = await skipDictionary(p + 16);
        }
        emit(string(asset, offset), `${where} ${field}`, true);
      }
    }
  };
  const walk = async (
    rep: Rep,
    where: string,
    key: string,
    field: string,
    depth: number,
    at: number,
  ): Promise<void> => {
    if (depth > MAX_DEPTH) corrupt(`values nested more than ${MAX_DEPTH} deep`, at);
    if (++reads > 10_000_000) corrupt('too many values', at);
    const composition = field === 'subLayers' || field === 'references' || field === 'payload';
    switch (rep.type) {
      case T.AssetPath:
        if (!rep.array) emit(token(rep.low, at), where, composition);
        else if (rep.payload !== 0) {
          const [n, p] = await arrayCount(rep.payload, 'an asset path array');
          if (n * 4 > source.size - p)
            corrupt(`an array of ${n} asset paths cannot fit the file`, rep.payload);
          const data = await values.get(p, n * 4, 'an asset path array');
          for (let i = 0; i < n; i++) emit(string(data.getUint32(i * 4, true), at), where, composition);
        }
        return;
      case T.String:
        // Value clips name their files with a template: a string, not an asset path.
        if (key === 'templateAssetPath' && field === 'clips' && !rep.array)
          emit(string(rep.low, at), where, true);
        return;
      case T.StringVector:
        if (field === 'subLayers' && !rep.inlined && rep.payload !== 0) {
          await stringList(rep.payload, 'the sublayers', (s) => emit(s, 'subLayers', true), at);
        }
        return;
      case T.ReferenceListOp:
      case T.PayloadListOp:
        if (!rep.inlined && !rep.array) await listOp(rep.payload, where, field, rep.type === T.PayloadListOp);
        return;
      case T.Payload:
        if (!rep.inlined && !rep.array)
          emit(string(await values.u32(rep.payload, 'a payload'), at), `${where} ${field}`, true);
        return;
      case T.Dictionary: {
        if (rep.inlined || rep.array) return;
        const n = await values.u64(rep.payload, 'a dictionary size');
        let p = rep.payload + 8;
        if (n * 12 > source.size - p)
          corrupt(`a dictionary of ${n} entries cannot fit the file`, rep.payload);
        for (let i = 0; i < n; i++) {
          const name = string(await values.u32(p, 'a dictionary key'), rep.payload);
          p += 4;
          const jump = await values.i64(p, 'a dictionary value');
          const valueAt = p + jump;
          if (valueAt <= rep.payload || valueAt + 8 > source.size)
            corrupt('a dictionary value lies outside the file', p);
          await walk(
            await values.rep(valueAt, 'a dictionary value'),
            `${where}:${name}`,
            name,
            field,
            depth + 1,
            valueAt,
          );
          p = valueAt + 8;
        }
        return;
      }
      case T.TimeSamples: {
        if (rep.inlined || rep.array) return;
        const first = rep.payload + (await values.i64(rep.payload, 'time samples'));
        const second = first + 8 + (await values.i64(first + 8, 'time samples'));
        if (first <= rep.payload || second <= first || second + 8 > source.size) {
          corrupt('time samples lie outside the file', rep.payload);
        }
        const n = await values.u64(second, 'the number of time samples');
        if (n * 8 > source.size - second - 8) corrupt(`${n} time samples cannot fit the file`, second);
        const reps = await values.get(second + 8, n * 8, 'time sample values');
        const list: Rep[] = [];
        for (let i = 0; i < n; i++)
          list.push(repOf(reps.getUint32(i * 8, true), reps.getUint32(i * 8 + 4, true)));
        for (const r of list) await walk(r, `${where} timeSamples`, key, field, depth + 1, second);
        return;
      }
      case T.Value: {
        if (rep.inlined || rep.array) return;
        const valueAt = rep.payload + (await values.i64(rep.payload, 'a value'));
        if (valueAt <= rep.payload || valueAt + 8 > source.size)
          corrupt('a value lies outside the file', rep.payload);
        await walk(await values.rep(valueAt, 'a value'), where, key, field, depth + 1, valueAt);
        return;
      }
      default:
        return;
    }
  };
  const interesting = new Set<number>([
    T.AssetPath,
    T.String,
    T.Dictionary,
    T.ReferenceListOp,
    T.TimeSamples,
    T.Payload,
    T.StringVector,
    T.Value,
    T.PayloadListOp,
  ]);
  // The values the fields name lie apart in the file: read them ahead, several at a time.
  const offsets: number[] = [];
  for (let f = 0; f * 2 + 1 < fieldReps.length; f++) {
    const rep = repOf(fieldReps[f * 2]!, fieldReps[f * 2 + 1]!);
    if (interesting.has(rep.type) && !rep.inlined && rep.payload !== 0) offsets.push(rep.payload);
  }
  await values.prefetch(offsets);
  const timeCodes: { startTimeCode?: number; endTimeCode?: number } = {};
  const spc = await section('SPECS');
  if (spc) {
    let n: number;
    let specPaths: Int32Array;
    let specFieldSets: Int32Array;
    let specTypes: Int32Array;
    if (compressed) {
      n = count(spc, 'specs', 6);
      specPaths = ints(spc, n, 'the spec paths');
      specFieldSets = ints(spc, n, 'the spec field sets');
      specTypes = ints(spc, n, 'the spec types');
    } else {
      n = spc.u64('the number of specs');
      const pad = atLeast(0, 1, 0) ? 0 : 4;
      spc.need(n * (12 + pad), 'the specs');
      specPaths = new Int32Array(n);
      specFieldSets = new Int32Array(n);
      specTypes = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        spc.p += pad;
        specPaths[i] = spc.u32('a spec path');
        specFieldSets[i] = spc.u32('a spec field set');
        specTypes[i] = spc.u32('a spec type');
      }
    }
    for (let s = 0; s < n; s++) {
      const type = SPEC_TYPES[specTypes[s]!] ?? 'unknown';
      let where: string | undefined;
      for (let f = specFieldSets[s]! >>> 0; ; f++) {
        if (f >= fieldSets.length) corrupt(`spec ${s}'s field set runs past the field sets`, spc.base);
        const field = fieldSets[f]! >>> 0;
        if (field === NO_INDEX) break;
        if (field * 2 + 1 >= fieldReps.length) corrupt(`field ${field} of ${fieldReps.length / 2}`, spc.base);
        const rep = repOf(fieldReps[field * 2]!, fieldReps[field * 2 + 1]!);
        if (type === 'pseudoRoot' && NUMBERS.has(rep.type) && !rep.array) {
          const name = token(fieldTokens[field]! >>> 0, spc.base);
          if (name === 'startTimeCode' || name === 'endTimeCode') {
            timeCodes[name] = await numberOf(rep, values);
          }
          continue;
        }
        if (!interesting.has(rep.type)) continue;
        const name = token(fieldTokens[field]! >>> 0, spc.base);
        where ??= pathText(specPaths[s]! >>> 0);
        const label =
          type === 'pseudoRoot'
            ? name === 'subLayers'
              ? 'subLayers'
              : `layer ${name}`
            : name === 'default' || name === 'timeSamples' || name === 'references' || name === 'payload'
              ? where
              : `${where} ${name}`;
        await walk(rep, label, name, name, 0, spc.base);
      }
    }
  }
  if (dropped > 0) {
    notes.push(
      `only the first ${limits.maxReferences} asset paths are listed (limits.maxReferences): ${dropped} more left out`,
    );
  }
  const settings: SceneSettings = {};
  const { startTimeCode: start, endTimeCode: end } = timeCodes;
  if (
    start !== undefined &&
    end !== undefined &&
    Number.isFinite(start) &&
    Number.isFinite(end) &&
    start <= end
  ) {
    settings.frames = { value: { start, end, step: 1 }, from: 'layer metadata startTimeCode/endTimeCode' };
  }
  return { references, notes, version, settings };
}

/** The numeric value types a layer's time codes are read from (a double; an int or float where written so). */
const NUMBERS = new Set<number>([T.Int, T.Float, T.Double]);

/**
 * A number a value rep holds: inlined (an int; a float; a double that a float represents exactly, stored as that
 * float), else a double written at the rep's offset.
 */
async function numberOf(rep: Rep, values: Window): Promise<number | undefined> {
  const bits = new DataView(new ArrayBuffer(4));
  bits.setUint32(0, rep.low, true);
  if (rep.type === T.Int) return rep.inlined ? bits.getInt32(0, true) : undefined;
  if (rep.inlined) return bits.getFloat32(0, true);
  if (rep.type !== T.Double || rep.payload === 0) return undefined;
  return (await values.get(rep.payload, 8, 'a time code')).getFloat64(0, true);
}
