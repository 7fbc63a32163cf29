/**
 * USD packages (`.usdz`): a zip archive whose entries are stored uncompressed, the first entry being the root
 * layer (`.usda`, `.usdc` or `.usd`). The root layer is read, and the layers it names inside the package in turn,
 * each once, straight from the archive (no entry is extracted). Files found in the package travel with it and
 * are not listed (a note counts them); an asset path that leaves the package (absolute, or not among its entries)
 * is listed: a relative one as missing inside the package, since USD looks for it there only. Zip64 archives
 * (over 4 GiB or 65,535 files, or written by tools that always use zip64) are read through their zip64 end
 * record and extra fields; every offset, size and count is checked against the file before it is used, and
 * entries must lie one after another, none overlapping, before the central directory.
 */
import { open } from 'node:fs/promises';
import nodePath from 'node:path';
import { CorruptFileError, TruncatedFileError } from '../errors.js';
import { DEFAULT_LIMITS, sizeText } from '../limits.js';
import type { ScanLimits, SceneSettings } from '../types.js';
import type { FormatResult, RawReference } from './common.js';
import { layerSettings, usdaParser } from './usda.js';
import { type ByteRange, fileRange, readCrate } from './usdc.js';

/** One stored entry of the archive. */
interface Entry {
  name: string;
  /** Compression method: 0 stored (the only one a `.usdz` may use). */
  method: number;
  /** Bytes of the entry's data as stored. */
  size: number;
  /** Offset of the entry's local header. */
  header: number;
  /** Where the next entry's local header (or the central directory) starts: the entry's data ends before. */
  end: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_EXTRA = 0x0001;
/** The value a 32-bit (16-bit for counts) field holds when the real one is in a zip64 record or extra field. */
const MARK32 = 0xffffffff;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const LAYER = /\.(usd|usda|usdc)$/i;
const PACKAGE = /\.usdz$/i;
const TEXT_CHUNK = 256 * 1024;

/** Where the central directory is, as the end records give it. */
interface Directory {
  count: number;
  size: number;
  offset: number;
  /** Where the central directory must end: the zip64 end record, or the end record. */
  limit: number;
  /** Offset of the end record, for errors. */
  at: number;
}

/**
 * A 64-bit field of a zip64 record, as a number: `what` names it in the error thrown when it exceeds `max` (the
 * bytes of the file, which no offset, size or count of a sound archive exceeds).
 */
function u64(view: DataView, at: number, max: number, file: string, what: string, offset: number): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(max)) {
    throw new CorruptFileError(file, `${what} is ${value}, beyond the file's ${max} bytes`, { offset });
  }
  return Number(value);
}

/**
 * Finds the end of central directory record in the last 64 KiB of the archive and, when a zip64 locator
 * precedes it (as for archives over 4 GiB or 65,535 files, or written by tools that always use zip64), the
 * zip64 end record it points to, whose values then stand.
 */
async function directoryOf(archive: ByteRange, file: string): Promise<Directory> {
  const size = archive.size;
  if (size < 22)
    throw new TruncatedFileError(file, `a .usdz (zip) file has at least 22 bytes; this one has ${size}`, {
      offset: 0,
    });
  const tailSize = Math.min(size, 22 + 65535);
  const tail = await archive.read(size - tailSize, tailSize);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD) {
      end = i;
      break;
    }
  }
  if (end < 0)
    throw new CorruptFileError(file, 'a .usdz is a zip archive; no end of central directory found', {
      offset: size,
    });
  const at = size - tailSize + end;
  if (end >= 20 && view.getUint32(end - 20, true) === ZIP64_LOCATOR) {
    const locator = at - 20;
    const record = u64(view, end - 12, size, file, "the zip64 end record's offset", locator);
    if (record + 56 > locator) {
      throw new CorruptFileError(
        file,
        `the zip64 end record (at byte ${record}) does not lie before its locator (at byte ${locator})`,
        { offset: locator },
      );
    }
    const bytes = await archive.read(record, 56);
    const r = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (r.byteLength < 56 || r.getUint32(0, true) !== ZIP64_EOCD) {
      throw new CorruptFileError(file, `no zip64 end record at byte ${record}, where its locator points`, {
        offset: record,
      });
    }
    return {
      count: u64(r, 32, size, file, "the zip64 end record's entry count", record),
      size: u64(r, 40, size, file, "the zip64 end record's central directory size", record),
      offset: u64(r, 48, size, file, "the zip64 end record's central directory offset", record),
      limit: record,
      at: record,
    };
  }
  const directory = {
    count: view.getUint16(end + 10, true),
    size: view.getUint32(end + 12, true),
    offset: view.getUint32(end + 16, true),
    limit: at,
    at,
  };
  if (directory.size === MARK32 || directory.offset === MARK32) {
    throw new CorruptFileError(
      file,
      'the end of central directory defers to a zip64 end record, but no zip64 locator precedes it',
      { offset: at },
    );
  }
  return directory;
}

/**
 * The values of a central directory entry that are marked (0xFFFFFFFF) and held in its zip64 extra field, in the
 * order the zip format gives: uncompressed size, compressed size, local header offset.
 */
function zip64Values(
  dv: DataView,
  extraAt: number,
  extraEnd: number,
  marked: boolean[],
  file: string,
  label: string,
  max: number,
): (number | undefined)[] {
  for (let q = extraAt; q + 4 <= extraEnd; ) {
    const id = dv.getUint16(q, true);
    const length = dv.getUint16(q + 2, true);
    if (q + 4 + length > extraEnd) break;
    if (id === ZIP64_EXTRA) {
      let r = q + 4;
      return marked.map((isMarked, i) => {
        if (!isMarked) return undefined;
        if (r + 8 > q + 4 + length) {
          throw new CorruptFileError(file, `${label}'s zip64 extra field is too short for its values`, {
            offset: q,
          });
        }
        const what = `${label}'s ${['size', 'stored size', 'header offset'][i]}`;
        const value = u64(dv, r, max, file, what, q);
        r += 8;
        return value;
      });
    }
    q += 4 + length;
  }
  throw new CorruptFileError(
    file,
    `${label} marks its sizes or offset as zip64 but has no zip64 extra field`,
    {
      offset: extraAt,
    },
  );
}

/** Reads the central directory of the zip archive `file` (`size` bytes), within `limits`. */
async function entriesOf(archive: ByteRange, file: string, limits: ScanLimits): Promise<Entry[]> {
  const size = archive.size;
  const { count, size: cdSize, offset: cdOffset, limit, at } = await directoryOf(archive, file);
  if (cdOffset + cdSize > limit || cdSize < count * 46) {
    throw new CorruptFileError(
      file,
      `the central directory (${count} entries, ${cdSize} bytes at byte ${cdOffset}) does not fit the file`,
      {
        offset: at,
      },
    );
  }
  if (cdSize > limits.maxRecordLength * 64) {
    throw new CorruptFileError(file, `a central directory of ${sizeText(cdSize)}`, { offset: at });
  }
  const cd = await archive.read(cdOffset, cdSize);
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: Entry[] = [];
  const decoder = new TextDecoder();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CENTRAL) {
      throw new CorruptFileError(file, `central directory entry ${i} is damaged`, { offset: cdOffset + p });
    }
    const nameLength = dv.getUint16(p + 28, true);
    const extra = dv.getUint16(p + 30, true);
    const comment = dv.getUint16(p + 32, true);
    if (p + 46 + nameLength + extra > cd.length) {
      throw new CorruptFileError(file, `central directory entry ${i} runs past the directory`, {
        offset: cdOffset + p,
      });
    }
    const name = decoder.decode(cd.subarray(p + 46, p + 46 + nameLength));
    let stored = dv.getUint32(p + 20, true);
    let header = dv.getUint32(p + 42, true);
    const marked = [dv.getUint32(p + 24, true), stored, header].map((v) => v === MARK32);
    if (marked.some(Boolean)) {
      const extraAt = p + 46 + nameLength;
      const [, big, offset] = zip64Values(dv, extraAt, extraAt + extra, marked, file, `entry ${name}`, size);
      stored = big ?? stored;
      header = offset ?? header;
    }
    entries.push({ name, method: dv.getUint16(p + 10, true), size: stored, header, end: cdOffset });
    p += 46 + nameLength + extra + comment;
  }
  return laidOut(entries, file, cdOffset);
}

/**
 * Checks that the entries lie one after another before the central directory (`cdOffset`), none overlapping
 * another, and gives each the offset its data must end by; the entries are returned in their directory order.
 */
function laidOut(entries: Entry[], file: string, cdOffset: number): Entry[] {
  const inFile = [...entries].sort((a, b) => a.header - b.header);
  for (let i = 0; i < inFile.length; i++) {
    const entry = inFile[i]!;
    const next = inFile[i + 1];
    entry.end = next ? next.header : cdOffset;
    if (entry.header + 30 + entry.size > entry.end) {
      throw new CorruptFileError(
        file,
        next
          ? `entries ${entry.name} (${entry.size} bytes at byte ${entry.header}) and ${next.name} (at byte ${next.header}) overlap`
          : `entry ${entry.name} (${entry.size} bytes at byte ${entry.header}) runs into the central directory (at byte ${cdOffset})`,
        { offset: entry.header },
      );
    }
  }
  return entries;
}

/** Where an entry's data starts: after its local header. */
async function dataStart(archive: ByteRange, file: string, entry: Entry): Promise<number> {
  const local = await archive.read(entry.header, 30);
  const view = new DataView(local.buffer, local.byteOffset, local.byteLength);
  if (view.getUint32(0, true) !== LOCAL) {
    throw new CorruptFileError(file, `entry ${entry.name} has no local header`, { offset: entry.header });
  }
  const start = entry.header + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  if (start + entry.size > entry.end) {
    throw new CorruptFileError(
      file,
      `entry ${entry.name} (${entry.size} bytes from byte ${start}) runs past the next entry or the central directory (at byte ${entry.end})`,
      {
        offset: entry.header,
      },
    );
  }
  return start;
}

/** `a/b/../c.usd` → `a/c.usd`; `undefined` when the path climbs out of the package. */
function packagePath(from: string, written: string): string | undefined {
  const parts: string[] = [];
  for (const part of nodePath.posix.join(nodePath.posix.dirname(from), written).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** Whether a written asset path leaves any package: absolute, a drive, a UNC path or a URI. */
function isAbsolute(p: string): boolean {
  return (
    p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p) || /^[a-z][a-z0-9+.-]*:\/\//i.test(p)
  );
}

/** Reads the package `file` and lists what its layers name outside it. */
export async function readUsdz(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<FormatResult> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const found: Package = { references: [], notes: [], packaged: 0, layers: 0 };
    const details = await readPackage(fileRange(handle, 0, size), file, file, limits, found, 0);
    if (found.packaged > 0) {
      found.notes.push(
        `${found.packaged} file(s) named by the layers are inside the .usdz: they travel with it`,
      );
    }
    return {
      format: 'usdz',
      scanned: true,
      details,
      references: found.references,
      notes: found.notes,
      settings: found.settings ?? {},
    };
  } finally {
    await handle.close();
  }
}

/** What the layers of a package (and of the packages inside it) name. */
interface Package {
  references: RawReference[];
  notes: string[];
  /** Files named by the layers and found in the package. */
  packaged: number;
  /** Layers read, against `maxLibraries`. */
  layers: number;
  /** The frames the package's root layer gives (the first layer read), as a layer file gives them. */
  settings?: SceneSettings;
}

/**
 * Reads the package in `archive` (the file itself, or a `.usdz` stored in one), named `name` in locations; a
 * package whose root is itself a package (or that names one inside it) is read in turn, `depth` deep.
 */
async function readPackage(
  archive: ByteRange,
  file: string,
  name: string,
  limits: ScanLimits,
  out: Package,
  depth: number,
): Promise<Record<string, string | number>> {
  const entries = await entriesOf(archive, file, limits);
  const root = entries[0];
  if (!root || !(LAYER.test(root.name) || PACKAGE.test(root.name))) {
    throw new CorruptFileError(
      file,
      `a .usdz's first file is its root layer (.usda, .usdc or .usd); found ${root ? `"${root.name}"` : 'no file'}`,
      {
        offset: 0,
      },
    );
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const baseDir = nodePath.dirname(file);
  const visited = new Set<string>([root.name]);
  const queue: Entry[] = [root];
  const packaged = new Set<string>();
  while (queue.length > 0) {
    const entry = queue.shift()!;
    if (entry.method !== 0) {
      out.notes.push(
        `${name}[${entry.name}]: stored compressed (a .usdz's files are stored uncompressed): not read`,
      );
      continue;
    }
    if (++out.layers > limits.maxLibraries) {
      out.notes.push(`layers in the package past ${limits.maxLibraries} (limits.maxLibraries) were not read`);
      break;
    }
    const start = await dataStart(archive, file, entry);
    const locationFile = `${name}[${entry.name}]`;
    const range: ByteRange = {
      size: entry.size,
      read: (offset, n) => archive.read(start + offset, n),
    };
    if (PACKAGE.test(entry.name)) {
      if (depth + 1 > limits.maxLibraryDepth) {
        out.notes.push(
          `${locationFile}: packages nested more than ${limits.maxLibraryDepth} deep (limits.maxLibraryDepth): not read`,
        );
      } else {
        await readPackage(range, file, locationFile, limits, out, depth + 1);
      }
      continue;
    }
    const head = entry.size >= 8 ? String.fromCharCode(...(await range.read(0, 8))) : '';
    let found: RawReference[];
    if (head === 'PXR-USDC') {
      const layer = await readCrate(range, { file, locationFile, baseDir, limits });
      out.settings ??= layer.settings;
      found = layer.references;
      out.notes.push(...layer.notes.map((n) => `${locationFile}: ${n}`));
    } else {
      if (!head.startsWith('#usda ')) {
        out.notes.push(`${locationFile}: neither a crate nor a text layer: not read`);
        continue;
      }
      const parser = usdaParser(file, limits, baseDir, locationFile);
      const decoder = new TextDecoder();
      for (let at = 0; at < entry.size; at += TEXT_CHUNK) {
        const n = Math.min(TEXT_CHUNK, entry.size - at);
        const chunk = decoder.decode(await range.read(at, n), { stream: true });
        if (at === 0) out.settings ??= layerSettings(chunk);
        parser.feed(chunk);
      }
      parser.feed(decoder.decode());
      const layer = parser.end(false);
      found = layer.references;
      out.notes.push(...layer.notes.map((n) => `${locationFile}: ${n}`));
    }
    for (const ref of found) {
      if (isAbsolute(ref.path)) {
        out.references.push(ref);
        continue;
      }
      const inside = packagePath(entry.name, ref.path.replace(/\\/g, '/'));
      const target = inside === undefined ? undefined : byName.get(inside);
      if (target) {
        if (!packaged.has(target.name)) out.packaged++;
        packaged.add(target.name);
        if ((LAYER.test(target.name) || PACKAGE.test(target.name)) && !visited.has(target.name)) {
          visited.add(target.name);
          queue.push(target);
        }
        continue;
      }
      // Not in the package: USD looks for it inside the package only, so it is listed there (and missing).
      out.references.push(
        inside === undefined
          ? { ...ref, unresolved: `climbs out of ${nodePath.basename(file)}, where USD does not look` }
          : { ...ref, baseDir: file, target: inside },
      );
    }
  }
  return { encoding: 'usdz', rootLayer: root.name, files: entries.length };
}
