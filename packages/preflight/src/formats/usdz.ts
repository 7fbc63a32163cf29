/**
 * USD packages (`.usdz`): a zip archive whose entries are stored uncompressed, the first entry being the root
 * layer (`.usda`, `.usdc` or `.usd`). The root layer is read, and the layers it names inside the package in turn,
 * each once, straight from the archive (no entry is extracted). Files found in the package travel with it and
 * are not listed (a note counts them); an asset path that leaves the package (absolute, or not among its entries)
 * is listed: a relative one as missing inside the package, since USD looks for it there only.
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
  size: number;
  /** Offset of the entry's local header. */
  header: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const LAYER = /\.(usd|usda|usdc)$/i;
const PACKAGE = /\.usdz$/i;
const TEXT_CHUNK = 256 * 1024;

/** Reads the central directory of the zip archive `file` (`size` bytes), within `limits`. */
async function entriesOf(archive: ByteRange, file: string, limits: ScanLimits): Promise<Entry[]> {
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
  const count = view.getUint16(end + 10, true);
  const cdSize = view.getUint32(end + 12, true);
  const cdOffset = view.getUint32(end + 16, true);
  const at = size - tailSize + end;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new CorruptFileError(file, 'a zip64 archive: a .usdz over 4 GiB or 65,535 files is not read here', {
      offset: at,
    });
  }
  if (cdOffset + cdSize > size || cdSize < count * 46) {
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
    if (p + 46 + nameLength > cd.length) {
      throw new CorruptFileError(file, `central directory entry ${i} runs past the directory`, {
        offset: cdOffset + p,
      });
    }
    entries.push({
      name: decoder.decode(cd.subarray(p + 46, p + 46 + nameLength)),
      method: dv.getUint16(p + 10, true),
      size: dv.getUint32(p + 20, true),
      header: dv.getUint32(p + 42, true),
    });
    p += 46 + nameLength + extra + comment;
  }
  return entries;
}

/** Where an entry's data starts: after its local header. */
async function dataStart(archive: ByteRange, file: string, entry: Entry): Promise<number> {
  const size = archive.size;
  if (entry.header + 30 > size) {
    throw new CorruptFileError(file, `entry ${entry.name}'s header lies outside the file`, {
      offset: entry.header,
    });
  }
  const local = await archive.read(entry.header, 30);
  const view = new DataView(local.buffer, local.byteOffset, local.byteLength);
  if (view.getUint32(0, true) !== LOCAL) {
    throw new CorruptFileError(file, `entry ${entry.name} has no local header`, { offset: entry.header });
  }
  const start = entry.header + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  if (start + entry.size > size) {
    throw new CorruptFileError(
      file,
      `entry ${entry.name} (${entry.size} bytes) runs past the end of the file`,
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
