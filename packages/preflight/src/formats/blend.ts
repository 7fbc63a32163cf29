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
import type { ReferenceKind, ScanLimits } from '../types.js';
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

/** A kept block: its code, SDNA index, count, data and file offset. */
interface Block {
  code: string;
  sdna: number;
  data: Uint8Array;
  offset: number;
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

/** The result of reading a .blend: its header and the file-naming datablocks. */
export interface BlendFile {
  header: BlendHeader;
  compression: string;
  blocks: Block[];
  sdna: Sdna;
  /** Datablocks naming files that were not kept: past `maxReferences` of them, or `MAX_KEPT` bytes in all. */
  dropped: number;
}

/**
 * Reads the header, every block header, the kept blocks and the SDNA of `file`. A block longer than what the data
 * can still hold (the file's size; for compressed files, what the frames declare or the limits allow) is an error
 * at its header, found before any of it is read or skipped.
 */
export async function readBlendBlocks(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<BlendFile> {
  const reader = await ByteReader.open(file, limits);
  try {
    const first = await reader.read(12, 'the .blend header');
    let headerBytes = first.slice();
    if (first[7]! >= 0x30 && first[7]! <= 0x39) {
      headerBytes = new Uint8Array([...first, ...(await reader.read(5, 'the .blend header'))]);
    }
    const header = parseHeader(file, headerBytes);
    const blocks: Block[] = [];
    let sdna: Sdna | undefined;
    let keptBytes = 0;
    let dropped = 0;
    for (;;) {
      const at = reader.offset;
      const bh = await reader.read(header.blockHeaderSize, 'a block header');
      const view = new DataView(bh.buffer, bh.byteOffset, bh.byteLength);
      const code = String.fromCharCode(bh[0]!, bh[1]!, bh[2]!, bh[3]!).replace(/\0+$/, '');
      let len: number;
      let sdnaIndex: number;
      if (header.large) {
        sdnaIndex = view.getInt32(4, true);
        const big = view.getBigInt64(16, true);
        len = big > BigInt(Number.MAX_SAFE_INTEGER) || big < 0n ? -1 : Number(big);
      } else {
        len = view.getInt32(4, header.littleEndian);
        sdnaIndex = view.getInt32(8 + header.pointerSize, header.littleEndian);
      }
      if (code === 'ENDB') break;
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
      const kept = code.length === 2 && DATABLOCKS[code] !== undefined;
      if (code === 'DNA1') {
        if (len > MAX_DNA_BLOCK)
          throw new CorruptFileError(file, `SDNA block of ${len} bytes`, { offset: at });
        const data = await reader.read(len, 'the SDNA block');
        sdna = new Sdna(file, data, header, at + header.blockHeaderSize);
      } else if (kept) {
        if (len > MAX_ID_BLOCK) {
          throw new CorruptFileError(file, `datablock "${code}" of ${len} bytes (expected a few KB)`, {
            offset: at,
          });
        }
        if (blocks.length >= limits.maxReferences || keptBytes + len > MAX_KEPT) {
          dropped++;
          await reader.skip(len, `the ${code} datablock`);
          continue;
        }
        const data = (await reader.read(len, `the ${code} datablock`)).slice();
        keptBytes += len;
        blocks.push({ code, sdna: sdnaIndex, data, offset: at });
      } else {
        await reader.skip(len, `block "${printable(code)}"`);
      }
    }
    if (!sdna)
      throw new CorruptFileError(file, 'no SDNA (DNA1) block before ENDB', { offset: reader.offset });
    return { header, compression: reader.compression, blocks, sdna, dropped };
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
    if (!pathField || pathField.pointer) continue;
    const written = cString(data, pathField.offset, pathField.size);
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
    references.push({ path: written, ...(target !== undefined ? { target } : {}), baseDir, kind, location });
  }
  if (blend.dropped > 0) {
    notes.push(
      `${blend.dropped} datablock(s) naming files were not read: more than ${limits.maxReferences} (limits.maxReferences) or ${MAX_KEPT / 1024 / 1024} MiB of them`,
    );
  }
  if (packed > 0) notes.push(`${packed} packed file(s) inside the .blend: not external, nothing to upload`);
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
  };
}
