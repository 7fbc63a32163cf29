/**
 * Blender `.blend` files: the header (pointer size, byte order, version), the file blocks and the SDNA (the
 * struct layouts the file describes itself with), read front to back. Only the blocks of the datablocks that
 * name files (Image, Library, Sound, MovieClip, CacheFile, Volume, VFont) and the SDNA block are kept; every
 * other block is skipped (seeked over in plain files, decompressed and dropped in compressed ones).
 */
import nodePath from 'node:path';
import { CorruptFileError, LimitExceededError, TruncatedFileError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { ByteReader } from '../source.js';
import type { ReferenceKind, ScanLimits, SceneSettings } from '../types.js';
import type { FormatResult, RawReference } from './common.js';

/** The datablocks that name external files: block code, SDNA struct, reference kind. */
const DATABLOCKS: Record<string, { struct: string; kind: ReferenceKind; label: string }> = {
  IM: { struct: 'Image', kind: 'texture', label: 'Image' },
  LI: { struct: 'Library', kind: 'linked-library', label: 'Library' },
  SO: { struct: 'bSound', kind: 'sound', label: 'Sound' },
  MC: { struct: 'MovieClip', kind: 'movie', label: 'MovieClip' },
  CF: { struct: 'CacheFile', kind: 'cache', label: 'CacheFile' },
  VO: { struct: 'Volume', kind: 'volume', label: 'Volume' },
  VF: { struct: 'VFont', kind: 'font', label: 'VFont' },
  TX: { struct: 'Text', kind: 'other', label: 'Text' },
};

/** Largest datablock block kept (an Image is about 1.5 KB; far more is a damaged length). */
const MAX_ID_BLOCK = 4 * 1024 * 1024;
/** Most bytes of datablocks held until the SDNA (at the file's end) says how to read them. */
const MAX_KEPT = 64 * 1024 * 1024;
/** Largest SDNA block accepted. */
const MAX_DNA_BLOCK = 64 * 1024 * 1024;

/** The file header. */
export interface BlendHeader {
  pointerSize: 4 | 8;
  littleEndian: boolean;
  /** File version as Blender numbers it, such as 304 for 3.4 or 280 for 2.80. */
  version: number;
  /** Bytes of the header. */
  headerSize: number;
  /** Bytes of each block header. */
  blockHeaderSize: number;
  /** Whether block headers use 64-bit lengths (the file format of Blender 5.0 on). */
  large: boolean;
}

/** `304` → `3.4`, `280` → `2.80`. */
export function blenderVersion(v: number): string {
  const major = Math.floor(v / 100);
  const minor = v % 100;
  return major >= 3 ? `${major}.${minor}` : `${major}.${String(minor).padStart(2, '0')}`;
}

const DIGITS = /^\d+$/;

function parseHeader(file: string, bytes: Uint8Array): BlendHeader {
  const text = String.fromCharCode(...bytes);
  if (!text.startsWith('BLENDER')) {
    throw new CorruptFileError(file, 'a .blend file starts with "BLENDER" (or is gzip or zstd compressed)', {
      offset: 0,
    });
  }
  const c = text[7];
  if (c === '_' || c === '-') {
    const e = text[8];
    const v = text.slice(9, 12);
    if ((e !== 'v' && e !== 'V') || !DIGITS.test(v)) {
      throw new CorruptFileError(file, `header "${text.slice(0, 12)}" is not BLENDER[_-][vV]<3 digits>`, {
        offset: 8,
      });
    }
    const pointerSize = c === '_' ? 4 : 8;
    return {
      pointerSize,
      littleEndian: e === 'v',
      version: Number(v),
      headerSize: 12,
      blockHeaderSize: 16 + pointerSize,
      large: false,
    };
  }
  // Blender 5.0 on: "BLENDER" <header size, 2 digits> "-" <format version, 2 digits> "v" <version, 4 digits>.
  const size = text.slice(7, 9);
  const format = text.slice(10, 12);
  const v = text.slice(13, 17);
  if (
    DIGITS.test(size) &&
    Number(size) === 17 &&
    text[9] === '-' &&
    format === '01' &&
    text[12] === 'v' &&
    DIGITS.test(v)
  ) {
    return {
      pointerSize: 8,
      littleEndian: true,
      version: Number(v),
      headerSize: 17,
      blockHeaderSize: 32,
      large: true,
    };
  }
  throw new CorruptFileError(file, `header "${text.slice(0, 17)}" is of no .blend format known here`, {
    offset: 7,
  });
}

/** One field of an SDNA struct. */
interface Field {
  type: string;
  name: string;
  offset: number;
  size: number;
  pointer: boolean;
}

/** The SDNA: struct layouts by name and by index. */
export class Sdna {
  readonly structs: { type: string; fields: Map<string, Field>; size: number }[] = [];
  readonly byName = new Map<string, number>();

  /** Parses the DNA1 block `data` (which starts at file offset `at`). */
  constructor(file: string, data: Uint8Array, header: BlendHeader, at: number) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let p = 0;
    const fail = (what: string): never => {
      throw new CorruptFileError(file, `SDNA: ${what}`, { offset: at + p });
    };
    const need = (n: number) => {
      if (p + n > data.length) fail(`ends inside its data (needs ${n} bytes more)`);
    };
    const tag = (name: string) => {
      need(4);
      const got = String.fromCharCode(data[p]!, data[p + 1]!, data[p + 2]!, data[p + 3]!);
      if (got !== name) fail(`expected "${name}", found "${got.replace(/[^\x20-\x7e]/g, '?')}"`);
      p += 4;
    };
    const int = () => {
      need(4);
      const v = view.getInt32(p, header.littleEndian);
      p += 4;
      return v;
    };
    const short = () => {
      need(2);
      const v = view.getInt16(p, header.littleEndian);
      p += 2;
      return v;
    };
    const align = () => {
      p = (p + 3) & ~3;
    };
    const latin1 = new TextDecoder('latin1');
    const strings = (count: number) => {
      if (count < 0 || count > data.length) fail(`count ${count} is impossible`);
      const out: string[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const end = data.indexOf(0, p);
        if (end < 0) fail('a name is not NUL-terminated');
        out[i] = latin1.decode(data.subarray(p, end));
        p = end + 1;
      }
      return out;
    };
    tag('SDNA');
    tag('NAME');
    const names = strings(int());
    align();
    tag('TYPE');
    const types = strings(int());
    align();
    tag('TLEN');
    const lengths = types.map(() => short());
    align();
    tag('STRC');
    const count = int();
    if (count < 0 || count > types.length) fail(`struct count ${count} is impossible`);
    const typeIndexOf = new Map<string, number>();
    types.forEach((t, i) => {
      if (!typeIndexOf.has(t)) typeIndexOf.set(t, i);
    });
    for (let s = 0; s < count; s++) {
      const typeIndex = short();
      const nFields = short();
      const type = types[typeIndex];
      if (type === undefined) fail(`struct ${s} names type ${typeIndex}, of ${types.length}`);
      if (nFields < 0) fail(`struct ${type} has ${nFields} fields`);
      const fields = new Map<string, Field>();
      let offset = 0;
      for (let f = 0; f < nFields; f++) {
        const fType = types[short()];
        const fName = names[short()];
        if (fType === undefined || fName === undefined)
          fail(`a field of struct ${type} names no type or name`);
        const pointer = fName!.startsWith('*') || fName!.startsWith('(*');
        let size = pointer ? header.pointerSize : (lengths[typeIndexOf.get(fType!) ?? -1] ?? 0);
        if (!fName!.startsWith('(*')) {
          for (const m of fName!.matchAll(/\[(\d+)\]/g)) size *= Number(m[1]);
        }
        const base = fName!
          .replace(/^\(?\*+/, '')
          .replace(/\).*$/, '')
          .replace(/\[.*$/, '');
        fields.set(base, { type: fType!, name: fName!, offset, size, pointer });
        offset += size;
      }
      this.byName.set(type!, this.structs.length);
      this.structs.push({ type: type!, fields, size: lengths[typeIndex] ?? offset });
    }
  }

  /** The field `name` of struct `struct`, if the file's SDNA has it. */
  field(struct: string, name: string): Field | undefined {
    const index = this.byName.get(struct);
    return index === undefined ? undefined : this.structs[index]?.fields.get(name);
  }
}

/** A kept block: its code, SDNA index, data, file offset and the address it had in memory when saved. */
interface Block {
  code: string;
  sdna: number;
  data: Uint8Array;
  offset: number;
  address: number;
}

function cString(data: Uint8Array, start: number, size: number): string {
  const slice = data.subarray(start, Math.min(start + size, data.length));
  const end = slice.indexOf(0);
  return new TextDecoder().decode(end < 0 ? slice : slice.subarray(0, end));
}

function isNonNull(data: Uint8Array, start: number, size: number): boolean {
  for (let i = start; i < start + size && i < data.length; i++) if (data[i] !== 0) return true;
  return false;
}

/**
 * The structs (besides the datablocks of {@link DATABLOCKS}) whose blocks name files or lead to names of files:
 * sequencer strips and their data (named `Sequence`/`Strip` before Blender 4.4, `Strip`/`StripData` from 4.4 on),
 * strip elements, image tiles, IES and OSL node storage, the modifiers and settings that read caches (geometry-nodes
 * modifiers and their bakes among them), point caches. Each is small; they are kept up to `MAX_KEPT` bytes in all.
 */
const EXTRA_STRUCTS = new Set([
  'Sequence',
  'Strip',
  'StripData',
  'StripElem',
  'ImageTile',
  'NodeShaderTexIES',
  'NodeShaderScript',
  'MeshCacheModifierData',
  'FluidModifierData',
  'FluidDomainSettings',
  'OceanModifierData',
  'PointCache',
  'NodesModifierData',
  'NodesModifierBake',
]);

/**
 * The `char *` fields of kept structs whose strings (blocks of their own, written after the struct) are kept too:
 * a geometry-nodes modifier's bake folder and each bake's own folder. A block of an array of structs (the bakes)
 * holds one string pointer per element.
 */
const STRING_POINTERS: Record<string, string> = {
  NodesModifierData: 'bake_directory',
  NodesModifierBake: 'directory',
};

/** The result of reading a .blend: its header and the file-naming datablocks. */
export interface BlendFile {
  header: BlendHeader;
  compression: string;
  /** The datablocks of {@link DATABLOCKS}, in file order. */
  blocks: Block[];
  /** The blocks of {@link EXTRA_STRUCTS}, in file order. */
  extras: Block[];
  /** Blocks kept because a kept block points at them (a Text's file path), by address. */
  byAddress: Map<number, Block>;
  sdna: Sdna;
  /** Datablocks naming files that were not kept: past `maxReferences` of them, or `MAX_KEPT` bytes in all. */
  dropped: number;
  /** The Scene datablocks (`SC`), in file order, for the job's settings. */
  scenes: Block[];
  /** The scene of the window the file was saved from (`FileGlobal.curscene`), 0 when the file does not say. */
  curscene: number;
  /** The file's subversion (`FileGlobal.subversion`, such as 23 of 4.3.23), 0 when the file does not say. */
  subversion: number;
  /** The names of the Objects (without their `OB` prefix) by address, up to `maxReferences` of them. */
  objectNames: Map<number, string>;
  /** Objects whose names were not kept (past `maxReferences`). */
  objectsDropped: number;
}

/** The unsigned 32-bit integer at `at` of `data`. */
function u32(data: Uint8Array, at: number, littleEndian: boolean): number {
  return littleEndian
    ? (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0
    : ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

/** The address held by the pointer of `size` bytes at `at` of `data` (0 for null; exact below 2^53). */
function pointerAt(data: Uint8Array, at: number, size: number, littleEndian: boolean): number {
  if (at + size > data.length) return 0;
  if (size === 4) return u32(data, at, littleEndian);
  const a = u32(data, at, littleEndian);
  const b = u32(data, at + 4, littleEndian);
  return littleEndian ? b * 4294967296 + a : a * 4294967296 + b;
}

/** The bytes of the .blend header, which says how long it is (12 bytes, or 17 from Blender 5.0 on). */
async function readHeader(file: string, reader: ByteReader): Promise<BlendHeader> {
  const first = await reader.read(12, 'the .blend header');
  let headerBytes = first.slice();
  if (first[7]! >= 0x30 && first[7]! <= 0x39) {
    headerBytes = new Uint8Array([...first, ...(await reader.read(5, 'the .blend header'))]);
  }
  return parseHeader(file, headerBytes);
}

/** Bytes of the end of the data searched for the SDNA, first and at most. */
const TAIL_FIRST = 4 * 1024 * 1024;
const TAIL_MOST = 64 * 1024 * 1024;

/**
 * The SDNA, read from the end of the data where Blender writes it (just before ENDB), when the data can be read
 * out of order (plain files; zstd files whose frames declare their sizes): found by its block header (`DNA1`)
 * followed by `SDNANAME`. `undefined` when it cannot be read so or is not found there, or does not parse.
 */
async function tailSdna(file: string, reader: ByteReader, header: BlendHeader): Promise<Sdna | undefined> {
  const marker = Buffer.from('SDNANAME', 'latin1');
  for (let want = TAIL_FIRST; ; want *= 4) {
    const size = Math.min(want, reader.bound);
    const start = reader.bound - size;
    const tail = await reader.readAt(start, size);
    if (!tail) return undefined;
    const bytes = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength);
    for (
      let p = bytes.lastIndexOf(marker);
      p >= header.blockHeaderSize;
      p = bytes.lastIndexOf(marker, p - 1)
    ) {
      const h = p - header.blockHeaderSize;
      if (bytes.toString('latin1', h, h + 4) !== 'DNA1') continue;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const len = header.large
        ? Number(view.getBigInt64(h + 16, true))
        : view.getInt32(h + 4, header.littleEndian);
      if (len <= 0 || len > MAX_DNA_BLOCK || p + len > bytes.length) continue;
      try {
        return new Sdna(file, bytes.subarray(p, p + len), header, start + p);
      } catch {
        return undefined; // damaged: the walk reads it and says where
      }
    }
    if (size === reader.bound || want >= TAIL_MOST) return undefined;
  }
}

/**
 * Walks every block header of `reader` until the SDNA block, skipping everything else (for data that cannot be
 * read out of order: gzip streams, zstd frames of undeclared sizes, or an SDNA not found at the end).
 */
async function walkToSdna(file: string, reader: ByteReader, header: BlendHeader): Promise<Sdna> {
  for (;;) {
    const block = await nextBlock(file, reader, header);
    if (block.code === 'ENDB') break;
    if (block.code === 'DNA1') {
      if (block.len > MAX_DNA_BLOCK)
        throw new CorruptFileError(file, `SDNA block of ${block.len} bytes`, { offset: block.at });
      const data = await reader.read(block.len, 'the SDNA block');
      return new Sdna(file, data, header, block.at + header.blockHeaderSize);
    }
    await reader.skip(block.len, `block "${printable(block.code)}"`);
  }
  throw new CorruptFileError(file, 'no SDNA (DNA1) block before ENDB', { offset: reader.offset });
}

/** One block header: its code, data length, SDNA index, old address and offset. */
interface BlockHeader {
  code: string;
  len: number;
  sdna: number;
  address: number;
  at: number;
}

/**
 * Reads the next block header. A block longer than what the data can still hold (the file's size; for compressed
 * files, what the frames declare or the limits allow) is an error at its header, before any of it is read.
 */
async function nextBlock(file: string, reader: ByteReader, header: BlendHeader): Promise<BlockHeader> {
  const at = reader.offset;
  const bh =
    reader.readBuffered(header.blockHeaderSize) ??
    (await reader.read(header.blockHeaderSize, 'a block header'));
  // Most blocks are "DATA": their code is not decoded.
  const code =
    bh[0] === 0x44 && bh[1] === 0x41 && bh[2] === 0x54 && bh[3] === 0x41
      ? 'DATA'
      : bh[2] === 0
        ? String.fromCharCode(bh[0]!, bh[1]!)
        : String.fromCharCode(bh[0]!, bh[1]!, bh[2]!, bh[3]!).replace(/\0+$/, '');
  const le = header.littleEndian;
  let len: number;
  let sdna: number;
  if (header.large) {
    sdna = u32(bh, 4, true) | 0;
    const lo = u32(bh, 16, true);
    const hi = u32(bh, 20, true);
    len = hi > 0x1fffff ? -1 : hi * 4294967296 + lo;
  } else {
    len = u32(bh, 4, le) | 0;
    sdna = u32(bh, 8 + header.pointerSize, le) | 0;
  }
  const address = pointerAt(bh, 8, header.large ? 8 : header.pointerSize, header.littleEndian);
  if (code === 'ENDB') return { code, len: 0, sdna, address, at };
  if (len < 0)
    throw new CorruptFileError(file, `block "${printable(code)}" has length ${len}`, { offset: at });
  if (reader.offset + len > reader.bound) {
    if (reader.compression === 'none') {
      throw new TruncatedFileError(
        file,
        `block "${printable(code)}" of ${len} bytes runs past the end of the file (${reader.size} bytes)`,
        { offset: at },
      );
    }
    const detail = `block "${printable(code)}" declares ${len} bytes, more than the data can still hold: ${reader.boundReason}`;
    if (reader.boundLimit) throw new LimitExceededError(file, reader.boundLimit, detail, { offset: at });
    throw new CorruptFileError(file, detail, { offset: at });
  }
  return { code, len, sdna, address, at };
}

/**
 * Reads the header, the SDNA, every block header, and the blocks that name files (or lead to names of files) of
 * `file`. The SDNA is read first from the end of the data where it can be read out of order, so that one pass
 * over the blocks knows each block's struct; otherwise a first pass walks to it. Every other block is skipped
 * without being read (seeked over in plain files and zstd files whose frames declare their sizes, whose frames
 * are decoded only where a block header or a kept block lies).
 */
export async function readBlendBlocks(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<BlendFile> {
  let reader = await ByteReader.open(file, limits);
  try {
    let header = await readHeader(file, reader);
    let sdna = await tailSdna(file, reader, header);
    if (!sdna) {
      sdna = await walkToSdna(file, reader, header);
      await reader.close();
      reader = await ByteReader.open(file, limits);
      header = await readHeader(file, reader);
    }
    const kinds = sdna.structs.map((s) => (EXTRA_STRUCTS.has(s.type) ? s.type : undefined));
    const text = sdna.field('Text', 'filepath') ?? sdna.field('Text', 'name'); // `name` before Blender 4.0
    const blocks: Block[] = [];
    const extras: Block[] = [];
    const scenes: Block[] = [];
    const byAddress = new Map<number, Block>();
    const wanted = new Set<number>();
    const objectNames = new Map<number, string>();
    const idName = sdna.field('ID', 'name');
    const objectId = sdna.field('Object', 'id');
    // Bytes of an Object block that hold its name (the ID is its first member).
    const objectNameEnd = idName && objectId ? objectId.offset + idName.offset + idName.size : 0;
    const curscene = sdna.field('FileGlobal', 'curscene');
    const subversionField = sdna.field('FileGlobal', 'subversion');
    let current = 0;
    let subversion = 0;
    let keptBytes = 0;
    let dropped = 0;
    let objectsDropped = 0;
    for (;;) {
      const block = await nextBlock(file, reader, header);
      const { code, len, at } = block;
      if (code === 'ENDB') break;
      if (code === 'OB' && objectNameEnd > 0 && sdna.structs[block.sdna]?.type === 'Object') {
        // Only the name of an Object is read (for the scene's camera); the rest of it is skipped.
        if (objectNames.size >= limits.maxReferences || len < objectNameEnd) {
          objectsDropped++;
          await reader.skip(len, 'block "OB"');
          continue;
        }
        const head = await reader.read(objectNameEnd, 'block "OB"');
        objectNames.set(
          block.address,
          cString(head, objectId!.offset + idName!.offset, idName!.size).slice(2),
        );
        await reader.skip(len - objectNameEnd, 'block "OB"');
        continue;
      }
      if ((code === 'SC' || code === 'GLOB') && len <= MAX_ID_BLOCK && keptBytes + len <= MAX_KEPT) {
        const data = (await reader.read(len, `block "${code}"`)).slice();
        keptBytes += len;
        if (code === 'SC') scenes.push({ code, sdna: block.sdna, data, offset: at, address: block.address });
        else if (sdna.structs[block.sdna]?.type === 'FileGlobal') {
          if (curscene?.pointer) {
            current = pointerAt(data, curscene.offset, header.pointerSize, header.littleEndian);
          }
          if (subversionField?.size === 2 && subversionField.offset + 2 <= data.length) {
            subversion = new DataView(data.buffer, data.byteOffset).getInt16(
              subversionField.offset,
              header.littleEndian,
            );
          }
        }
        continue;
      }
      const id = code.length === 2 && DATABLOCKS[code] !== undefined;
      const extra = !id && kinds[block.sdna] !== undefined;
      const pointedAt = !id && !extra && wanted.size > 0 && wanted.has(block.address);
      if (!id && !extra && !pointedAt) {
        if (!reader.skipBuffered(len)) await reader.skip(len, `block "${printable(code)}"`);
        continue;
      }
      if (len > MAX_ID_BLOCK) {
        if (id) {
          throw new CorruptFileError(file, `datablock "${code}" of ${len} bytes (expected a few KB)`, {
            offset: at,
          });
        }
        await reader.skip(len, `block "${printable(code)}"`);
        continue;
      }
      if ((id ? blocks : extras).length >= limits.maxReferences || keptBytes + len > MAX_KEPT) {
        if (id) dropped++;
        await reader.skip(len, `block "${printable(code)}"`);
        continue;
      }
      const data = (await reader.read(len, `block "${printable(code)}"`)).slice();
      keptBytes += len;
      const kept: Block = { code, sdna: block.sdna, data, offset: at, address: block.address };
      if (id) {
        blocks.push(kept);
        // A Text's file path is a string block of its own, written after it.
        if (code === 'TX' && text?.pointer && sdna.structs[block.sdna]?.type === 'Text') {
          const target = pointerAt(data, text.offset, header.pointerSize, header.littleEndian);
          if (target !== 0) wanted.add(target);
        }
      } else if (extra) {
        extras.push(kept);
        byAddress.set(block.address, kept);
        const struct = sdna.structs[block.sdna]!;
        const field = struct.fields.get(STRING_POINTERS[struct.type] ?? '');
        if (field?.pointer && struct.size > 0) {
          for (let base = 0; base + struct.size <= len; base += struct.size) {
            const target = pointerAt(data, base + field.offset, header.pointerSize, header.littleEndian);
            if (target !== 0) wanted.add(target);
          }
        }
      } else {
        byAddress.set(block.address, kept);
        wanted.delete(block.address);
      }
    }
    return {
      header,
      compression: reader.compression,
      blocks,
      extras,
      byAddress,
      sdna,
      dropped,
      scenes,
      curscene: current,
      subversion,
      objectNames,
      objectsDropped,
    };
  } finally {
    await reader.close();
  }
}

function printable(code: string): string {
  return code.replace(/[^\x20-\x7e]/g, '?');
}

/** `frame_0001.png` → `frame_####.png`: the last run of digits in the file name becomes `#`s. */
export function sequencePattern(p: string): string {
  const slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  const name = p.slice(slash + 1);
  const m = /^(.*?)(\d+)(\D*)$/.exec(name);
  if (!m) return p;
  return p.slice(0, slash + 1) + m[1] + '#'.repeat(m[2]!.length) + m[3];
}

const IMA_SRC_SEQUENCE = 2;
const IMA_SRC_TILED = 6;
const IMA_SRC_MOVIE = 3;
const IMA_SRC_GENERATED = 4;
const IMA_SRC_VIEWER = 5;
const MCLIP_SRC_SEQUENCE = 1;

/** Reads `file` and lists the paths its datablocks name. */
export async function readBlend(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<FormatResult> {
  const blend = await readBlendBlocks(file, limits);
  const { sdna, header } = blend;
  const baseDir = nodePath.dirname(file);
  const references: RawReference[] = [];
  const notes: string[] = [];
  const idName = sdna.field('ID', 'name');
  const idLib = sdna.field('ID', 'lib');
  let packed = 0;
  for (const block of blend.blocks) {
    const spec = DATABLOCKS[block.code]!;
    const struct = sdna.structs[block.sdna];
    if (!struct || struct.type !== spec.struct) {
      // A block whose SDNA index does not describe the expected struct: report, do not guess.
      notes.push(
        `${spec.label} block at byte ${block.offset} is described as "${struct?.type ?? block.sdna}": skipped`,
      );
      continue;
    }
    const fields = struct.fields;
    const id = fields.get('id');
    const data = block.data;
    const nameOf = () =>
      id && idName
        ? cString(data, id.offset + idName.offset, idName.size).slice(2)
        : `at byte ${block.offset}`;
    if (id && idLib && isNonNull(data, id.offset + idLib.offset, idLib.size)) continue; // linked: its library has it
    // Blender 2.93 renamed the path fields `name` → `filepath`; before that, Library.filepath was the absolute
    // path of the machine that last saved the file, and Library.name the path as written.
    const pathField =
      block.code === 'LI' && !fields.has('filepath_abs')
        ? (fields.get('name') ?? fields.get('filepath'))
        : (fields.get('filepath') ?? fields.get('name'));
    if (!pathField) continue;
    let written: string;
    if (pathField.pointer) {
      // A Text's path is a string of its own block.
      const target = blend.byAddress.get(
        pointerAt(data, pathField.offset, header.pointerSize, header.littleEndian),
      );
      if (block.code !== 'TX' || !target) continue;
      written = cString(target.data, 0, target.data.length);
    } else written = cString(data, pathField.offset, pathField.size);
    const name = nameOf();
    const location = { file, type: 'datablock' as const, name: `${spec.label} "${name}"` };
    const packedFile = fields.get('packedfile');
    const packedFiles = fields.get('packedfiles');
    const isPacked =
      (packedFile?.pointer === true && isNonNull(data, packedFile.offset, packedFile.size)) ||
      (packedFiles !== undefined && isNonNull(data, packedFiles.offset, header.pointerSize));
    if (isPacked) {
      packed++;
      continue;
    }
    let kind = spec.kind;
    let target: string | undefined;
    let tiles: number[] | undefined;
    const source = fields.get('source');
    const sourceView = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const sourceValue =
      source && !source.pointer && source.offset + source.size <= data.length
        ? source.size === 2
          ? sourceView.getInt16(source.offset, header.littleEndian)
          : source.size === 4
            ? sourceView.getInt32(source.offset, header.littleEndian)
            : undefined
        : undefined;
    if (block.code === 'IM') {
      if (sourceValue === IMA_SRC_GENERATED || sourceValue === IMA_SRC_VIEWER) continue;
      if (sourceValue === IMA_SRC_MOVIE) kind = 'movie';
      if (sourceValue === IMA_SRC_SEQUENCE) target = sequencePattern(written);
      if (sourceValue === IMA_SRC_TILED) {
        const list = imageTiles(blend, fields, data);
        if (list.length > 0) tiles = list;
      }
    }
    if (block.code === 'MC' && sourceValue === MCLIP_SRC_SEQUENCE) target = sequencePattern(written);
    if (block.code === 'VO') {
      const seq = fields.get('is_sequence');
      if (seq && data[seq.offset] !== 0) target = sequencePattern(written);
    }
    if (block.code === 'VF' && written === '<builtin>') continue;
    if (written === '') continue;
    if (written.startsWith('//')) {
      target = (target ?? written).slice(2);
    }
    references.push({
      path: written,
      ...(target !== undefined ? { target } : {}),
      ...(tiles ? { tiles } : {}),
      baseDir,
      kind,
      location,
    });
  }
  references.push(...extraReferences(file, blend));
  if (blend.dropped > 0) {
    notes.push(
      `${blend.dropped} datablock(s) naming files were not read: more than ${limits.maxReferences} (limits.maxReferences) or ${MAX_KEPT / 1024 / 1024} MiB of them`,
    );
  }
  if (packed > 0) notes.push(`${packed} packed file(s) inside the .blend: not external, nothing to upload`);
  const settings = sceneSettings(blend, notes);
  return {
    format: 'blend',
    scanned: true,
    details: {
      version: blenderVersion(header.version),
      pointerSize: header.pointerSize,
      endianness: header.littleEndian ? 'little' : 'big',
      compression: blend.compression,
    },
    references,
    notes,
    settings,
  };
}

/**
 * The names Blender gives its output formats (`ImageFormatData.imtype`, as `rna_scene` names them for
 * `image_settings.file_format`); the numbers are stored in files and never reused.
 */
const IMTYPES: Record<number, string> = {
  0: 'TARGA',
  1: 'IRIS',
  4: 'JPEG',
  14: 'TARGA_RAW',
  15: 'AVI_RAW',
  16: 'AVI_JPEG',
  17: 'PNG',
  20: 'BMP',
  21: 'HDR',
  22: 'TIFF',
  23: 'OPEN_EXR',
  24: 'FFMPEG',
  26: 'CINEON',
  27: 'DPX',
  28: 'OPEN_EXR_MULTILAYER',
  30: 'JPEG2000',
  35: 'WEBP',
};

/**
 * The job's settings from the scene Blender renders from the command line: the scene of the window the file was
 * saved from, else the first Scene datablock of the file (linked scenes left out). Each value is read by name
 * through the file's SDNA; what the file's Blender does not have is left out.
 */
function sceneSettings(blend: BlendFile, notes: string[]): SceneSettings {
  const local = blend.scenes
    .map((b) => ({ address: b.address, r: new StructReader(blend, b.data, b.sdna) }))
    .filter(({ r }) => r.type === 'Scene' && r.nested('id')?.pointer('lib') === 0);
  const scene = (local.find((s) => s.address === blend.curscene) ?? local[0])?.r;
  if (!scene) return {};
  const name = scene.nested('id')?.text('name').slice(2) ?? '';
  const at = `scenes["${name}"]`;
  const settings: SceneSettings = {};
  const r = scene.nested('r');
  if (!r) return settings;
  const start = r.int('sfra');
  const end = r.int('efra');
  const step = r.int('frame_step');
  if (start !== undefined && end !== undefined) {
    settings.frames = {
      value: { start, end, step: step !== undefined && step > 0 ? step : 1 },
      from: `${at}.frame_start/frame_end/frame_step`,
    };
  }
  const output = r.has('pic') ? r.text('pic') : '';
  if (output !== '') settings.output = { value: output, from: `${at}.render.filepath` };
  const imtype = r.nested('im_format')?.int('imtype');
  if (imtype !== undefined) {
    settings.format = {
      value: IMTYPES[imtype] ?? `imtype ${imtype}`,
      from: `${at}.render.image_settings.file_format`,
    };
  }
  const x = r.int('xsch');
  const y = r.int('ysch');
  const size = r.int('size') ?? 100;
  if (x !== undefined && y !== undefined && x > 0 && y > 0 && size > 0) {
    settings.resolution = {
      value: { width: Math.floor((x * size) / 100), height: Math.floor((y * size) / 100) },
      from: `${at}.render.resolution_x/resolution_y/resolution_percentage`,
    };
  }
  const cameraAddress = scene.pointer('camera');
  if (cameraAddress !== 0) {
    const camera = blend.objectNames.get(cameraAddress);
    if (camera !== undefined) settings.camera = { value: camera, from: `${at}.camera` };
    else if (blend.objectsDropped > 0) {
      notes.push(
        `the camera of scene "${name}" was not read: it comes after the first ${blend.objectNames.size} objects (limits.maxReferences)`,
      );
    }
  }
  const engine = r.has('engine') ? r.text('engine') : '';
  if (engine !== '') settings.renderer = { value: engine, from: `${at}.render.engine` };
  return settings;
}

/** Reads the fields of one kept block through the file's SDNA. */
class StructReader {
  readonly type: string;
  readonly #fields: Map<string, Field>;
  readonly #view: DataView;
  constructor(
    readonly blend: BlendFile,
    readonly data: Uint8Array,
    sdnaIndex: number,
    readonly base = 0,
  ) {
    const struct = blend.sdna.structs[sdnaIndex];
    this.type = struct?.type ?? '';
    this.#fields = struct?.fields ?? new Map();
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  has(name: string): boolean {
    return this.#fields.has(name);
  }
  /** An integer field (1, 2 or 4 bytes); `undefined` when the struct has none of that name. */
  int(name: string): number | undefined {
    const f = this.#fields.get(name);
    if (!f || f.pointer || this.base + f.offset + f.size > this.data.length) return undefined;
    const at = this.base + f.offset;
    const le = this.blend.header.littleEndian;
    return f.size === 1
      ? this.#view.getInt8(at)
      : f.size === 2
        ? this.#view.getInt16(at, le)
        : f.size === 4
          ? this.#view.getInt32(at, le)
          : undefined;
  }
  /** A `char[]` field as text. */
  text(name: string): string {
    const f = this.#fields.get(name);
    if (!f || f.pointer) return '';
    return cString(this.data, this.base + f.offset, f.size);
  }
  /** A `char *` field as text: the string block it points at, when kept (`''` otherwise). */
  string(name: string): string {
    const block = this.blend.byAddress.get(this.pointer(name));
    return block ? cString(block.data, 0, block.data.length) : '';
  }
  /** The address a pointer field holds (0: null). */
  pointer(name: string): number {
    const f = this.#fields.get(name);
    if (!f?.pointer) return 0;
    return pointerAt(
      this.data,
      this.base + f.offset,
      this.blend.header.pointerSize,
      this.blend.header.littleEndian,
    );
  }
  /** The struct embedded as field `name` (a modifier's `ModifierData modifier`). */
  nested(name: string): StructReader | undefined {
    const f = this.#fields.get(name);
    const index = f && !f.pointer ? this.blend.sdna.byName.get(f.type) : undefined;
    return index === undefined
      ? undefined
      : new StructReader(this.blend, this.data, index, this.base + f!.offset);
  }
  /** The kept block a pointer field leads to, read as its own struct. */
  follow(name: string): StructReader | undefined {
    const block = this.blend.byAddress.get(this.pointer(name));
    return block ? new StructReader(this.blend, block.data, block.sdna) : undefined;
  }
}

/** The tile numbers an Image declares (its `tiles` list of ImageTile blocks). */
function imageTiles(blend: BlendFile, fields: Map<string, Field>, data: Uint8Array): number[] {
  const list = fields.get('tiles');
  if (!list || list.pointer) return [];
  const { pointerSize, littleEndian } = blend.header;
  const tiles: number[] = [];
  let address = pointerAt(data, list.offset, pointerSize, littleEndian);
  for (let guard = 0; address !== 0 && guard < 10_000; guard++) {
    const block = blend.byAddress.get(address);
    if (!block) break;
    const tile = new StructReader(blend, block.data, block.sdna);
    if (tile.type !== 'ImageTile') break;
    const number = tile.int('tile_number');
    if (number !== undefined) tiles.push(number);
    address = tile.pointer('next');
  }
  return tiles.sort((a, b) => a - b);
}

const SEQ_TYPE_IMAGE = 0;
const SEQ_TYPE_MOVIE = 3;
const SEQ_TYPE_SOUND_RAM = 4;
const NODE_EXTERNAL = 1;
const PTCACHE_BAKED = 1 << 0;
const PTCACHE_DISK_CACHE = 1 << 6;
const PTCACHE_EXTERNAL = 1 << 9;
/** `NodesModifierBake.flag`: the bake's own `directory` is used instead of the modifier's folder. */
const NODES_MODIFIER_BAKE_CUSTOM_PATH = 1 << 1;
/** `NodesModifierBakeTarget`: where a geometry-nodes bake is kept (Blender 4.3 on). */
const NODES_MODIFIER_BAKE_TARGET_INHERIT = 0;
const NODES_MODIFIER_BAKE_TARGET_DISK = 2;
/** FluidDomainSettings.cache_flag bits saying some data was baked (data, noise, mesh, particles, guides). */
const FLUID_BAKED = (1 << 1) | (1 << 3) | (1 << 5) | (1 << 7) | (1 << 9);

/**
 * The folders a geometry-nodes modifier's bakes are read from, as Blender finds them
 * (`bke::bake::get_node_bake_target` and `get_node_bake_path`): only bakes kept on disk and not packed into the
 * file; a bake's own `directory` when it uses a custom path, else the modifier's `bake_directory` joined with the
 * bake's id (no folder at all when that is empty). The bake target is the bake's, else the modifier's, else packed;
 * a modifier of a file saved before Blender 4.3.23 (no `bake_target` field, or one left at inherit) bakes to disk,
 * as Blender's versioning makes it. At most the elements the bakes block holds are read, whatever `bakes_num` says.
 */
function nodeBakeFolders(blend: BlendFile, modifier: StructReader): { id: number; folder: string }[] {
  const block = blend.byAddress.get(modifier.pointer('bakes'));
  const struct = block ? blend.sdna.structs[block.sdna] : undefined;
  if (!block || struct?.type !== 'NodesModifierBake' || struct.size <= 0) return [];
  const count = Math.min(
    Math.max(modifier.int('bakes_num') ?? 0, 0),
    Math.floor(block.data.length / struct.size),
  );
  const { version } = blend.header;
  const before4323 = version < 403 || (version === 403 && blend.subversion < 23);
  let modifierTarget = modifier.int('bake_target') ?? NODES_MODIFIER_BAKE_TARGET_INHERIT;
  if (modifierTarget === NODES_MODIFIER_BAKE_TARGET_INHERIT && (before4323 || !modifier.has('bake_target'))) {
    modifierTarget = NODES_MODIFIER_BAKE_TARGET_DISK;
  }
  const folders: { id: number; folder: string }[] = [];
  for (let i = 0; i < count; i++) {
    const bake = new StructReader(blend, block.data, block.sdna, i * struct.size);
    const own = bake.int('bake_target') ?? NODES_MODIFIER_BAKE_TARGET_INHERIT;
    const target =
      own !== NODES_MODIFIER_BAKE_TARGET_INHERIT
        ? own
        : modifierTarget !== NODES_MODIFIER_BAKE_TARGET_INHERIT
          ? modifierTarget
          : undefined; // packed: Blender's default from 4.3 on
    if (target !== NODES_MODIFIER_BAKE_TARGET_DISK || bake.pointer('packed') !== 0) continue;
    const id = bake.int('id') ?? 0;
    let folder: string;
    if ((bake.int('flag') ?? 0) & NODES_MODIFIER_BAKE_CUSTOM_PATH) folder = bake.string('directory');
    else {
      const root = modifier.string('bake_directory');
      if (root === '') continue;
      folder = /[\\/]$/.test(root) ? `${root}${id}` : `${root}/${id}`;
    }
    if (folder !== '') folders.push({ id, folder });
  }
  return folders;
}

/**
 * The files named by the blocks that are not datablocks: sequencer strips (image strips' files, movie and sound
 * strips' file), IES and OSL script nodes with external files, Mesh Cache modifiers, baked fluid domains' cache
 * folders, cached oceans' folders, point caches read from disk (an external folder, or the `blendcache_<name>`
 * folder beside the file for a disk cache that is baked), geometry-nodes bake folders on disk (each counted only
 * when it holds `meta/`: see {@link nodeBakeFolders}).
 */
function extraReferences(file: string, blend: BlendFile): RawReference[] {
  const baseDir = nodePath.dirname(file);
  const out: RawReference[] = [];
  const add = (written: string, kind: ReferenceKind, name: string, onlyWith?: string) => {
    if (written === '') return;
    out.push({
      path: written,
      ...(written.startsWith('//') ? { target: written.slice(2) } : {}),
      baseDir,
      kind,
      location: { file, type: 'datablock', name },
      ...(onlyWith !== undefined ? { onlyWith } : {}),
    });
  };
  const renamed = blend.sdna.byName.has('StripData'); // Blender 4.4 on: Sequence → Strip, Strip → StripData
  const stripStruct = renamed ? 'Strip' : 'Sequence';
  const dataField = renamed ? 'data' : 'strip';
  const elemSize = blend.sdna.structs[blend.sdna.byName.get('StripElem') ?? -1]?.size ?? 0;
  const modifierName = (r: StructReader) => r.nested('modifier')?.text('name') ?? '';
  const fluidNames = new Map<number, string>();
  for (const block of blend.extras) {
    const r = new StructReader(blend, block.data, block.sdna);
    if (r.type === 'FluidModifierData') fluidNames.set(r.pointer('domain'), modifierName(r));
  }
  for (const block of blend.extras) {
    const r = new StructReader(blend, block.data, block.sdna);
    switch (r.type) {
      case stripStruct: {
        const type = r.int('type');
        if (type !== SEQ_TYPE_IMAGE && type !== SEQ_TYPE_MOVIE && type !== SEQ_TYPE_SOUND_RAM) break;
        const data = r.follow(dataField);
        if (!data) break;
        let dir = data.text('dir');
        if (dir !== '' && !dir.endsWith('/') && !dir.endsWith('\\')) dir += '/';
        const elems = blend.byAddress.get(data.pointer('stripdata'));
        const names: string[] = [];
        if (elems && elemSize > 0) {
          const field = blend.sdna.field('StripElem', 'name');
          for (let at = 0; field && at + elemSize <= elems.data.length; at += elemSize) {
            names.push(cString(elems.data, at + field.offset, field.size));
            if (type !== SEQ_TYPE_IMAGE) break;
          }
        }
        const label = `Strip "${r.text('name').slice(2)}"`;
        const kind = type === SEQ_TYPE_IMAGE ? 'texture' : type === SEQ_TYPE_MOVIE ? 'movie' : 'sound';
        for (const n of names) if (n !== '') add(dir + n, kind, label);
        break;
      }
      case 'NodeShaderTexIES':
        if (r.int('mode') === NODE_EXTERNAL) add(r.text('filepath'), 'other', 'IES texture node');
        break;
      case 'NodeShaderScript':
        if (r.int('mode') === NODE_EXTERNAL) add(r.text('filepath'), 'other', 'Script node');
        break;
      case 'MeshCacheModifierData':
        add(r.text('filepath'), 'cache', `Mesh Cache modifier "${modifierName(r)}"`);
        break;
      case 'FluidDomainSettings':
        if (((r.int('cache_flag') ?? 0) & FLUID_BAKED) !== 0) {
          add(r.text('cache_directory'), 'cache', `Fluid domain "${fluidNames.get(block.address) ?? ''}"`);
        }
        break;
      case 'OceanModifierData':
        if ((r.int('cached') ?? 0) !== 0)
          add(r.text('cachepath'), 'cache', `Ocean modifier "${modifierName(r)}"`);
        break;
      case 'NodesModifierData':
        for (const bake of nodeBakeFolders(blend, r)) {
          add(
            bake.folder,
            'cache',
            `Geometry nodes bake ${bake.id} of modifier "${modifierName(r)}"`,
            'meta',
          );
        }
        break;
      case 'PointCache': {
        const flag = r.int('flag') ?? 0;
        const label = `Point cache "${r.text('name')}"`;
        if (flag & PTCACHE_EXTERNAL) add(r.text('path'), 'cache', label);
        else if (flag & PTCACHE_DISK_CACHE && flag & PTCACHE_BAKED) {
          const stem = nodePath.basename(file).replace(/\.blend\d*$/i, '');
          add(`//blendcache_${stem}/`, 'cache', label);
        }
        break;
      }
    }
  }
  return out;
}
