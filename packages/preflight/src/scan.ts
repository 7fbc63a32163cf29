/**
 * `scanScene`: reads a scene file of any known format, resolves every reference it names against this machine
 * (after `pathMap`), checks the disk, matches sequences, and follows linked libraries and referenced scenes.
 */
import { realpath, stat } from 'node:fs/promises';
import nodePath from 'node:path';
import {
  type FrameRange,
  PRODUCT_SPEC_LIST,
  type ProductCode,
  parseFrames,
  productTables,
} from '@gm/products';
import { type LimitExceededError, SceneNotFoundError, UnsupportedFormatError } from './errors.js';
import { readBlend } from './formats/blend.js';
import type { FormatResult, RawReference } from './formats/common.js';
import { readHoudini } from './formats/houdini.js';
import { readMaya } from './formats/maya.js';
import { readNuke } from './formats/nuke.js';
import { readUsda } from './formats/usda.js';
import { readUsdc } from './formats/usdc.js';
import { readUsdz } from './formats/usdz.js';
import { readVrscene } from './formats/vrscene.js';
import { limitsOf } from './limits.js';
import { mapEntries, NATIVE, type PathFlavour, resolvePath } from './paths.js';
import { FolderCache, matchListed, sequenceToken } from './sequences.js';
import type {
  ScanLimits,
  ScanOptions,
  SceneFormat,
  SceneReference,
  SceneScan,
  SequenceMatch,
} from './types.js';

/** How preflight reads one scene format: its name and reader (none: the format cannot be read outside its application). */
interface FormatReader {
  format: SceneFormat;
  read?: (file: string, limits: ScanLimits) => Promise<FormatResult>;
}

/** A scene format by file extension: format, reader, and the product whose scenes have the extension. */
type FormatSpec = FormatReader & { product: ProductCode | undefined };

/**
 * The formats preflight reads, by extension (lower case, with the dot), in the order messages list them. Which
 * product an extension belongs to is not said here: the product specs of `@gm/products` say it.
 */
const READERS: Readonly<Record<string, FormatReader>> = {
  '.blend': { format: 'blend', read: readBlend },
  '.nk': { format: 'nuke', read: readNuke },
  '.ma': { format: 'maya-ascii', read: readMaya },
  '.mb': { format: 'maya-binary' },
  '.vrscene': { format: 'vrscene', read: readVrscene },
  '.usda': { format: 'usda', read: readUsda },
  '.usd': { format: 'usda', read: readUsda },
  '.usdc': { format: 'usdc', read: readUsdc },
  '.usdz': { format: 'usdz', read: readUsdz },
  '.hip': { format: 'houdini', read: readHoudini },
  '.hipnc': { format: 'houdini', read: readHoudini },
  '.hiplc': { format: 'houdini', read: readHoudini },
  '.c4d': { format: 'cinema4d' },
};

/**
 * Internal: preflight's extension table for the products' scene extensions (extension → product code, as
 * `productTables(specs).sceneExtensions` gives them): every format it reads with its product, and the product
 * extensions it has no format for (`missing`, none for the catalogue's products; a test holds it).
 */
export function formatTable(sceneExtensions: ReadonlyMap<string, string>): {
  formats: Readonly<Record<string, FormatSpec>>;
  missing: string[];
} {
  const formats: Record<string, FormatSpec> = {};
  for (const [ext, reader] of Object.entries(READERS)) {
    formats[ext] = { ...reader, product: sceneExtensions.get(ext) as ProductCode | undefined };
  }
  return { formats, missing: [...sceneExtensions.keys()].filter((ext) => !Object.hasOwn(READERS, ext)) };
}

const FORMATS = formatTable(productTables(PRODUCT_SPEC_LIST).sceneExtensions).formats;

/** The file extensions {@link scanScene} accepts (lower case, with the dot). */
export const SCENE_EXTENSIONS: readonly string[] = Object.keys(FORMATS);

/** Internal: the path flavour, for tests of Windows behaviour on any machine. */
export interface ScanInternals {
  flavour?: PathFlavour;
}

async function statIsDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function statExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a resolution waits for: a folder's listing or a file's `stat` not read yet. The resolution is made again once
 * it is there: every answer is cached, so most references resolve without waiting at all.
 */
class Wait {
  constructor(readonly until: Promise<unknown>) {}
}

/**
 * Whether `p` exists, from its folder's (cached) listing: one `readdir` per folder instead of one `stat` per
 * reference. A name that differs from a listed one only by case is settled by `stat` (case-insensitive disks), as
 * is a name in a folder that cannot be listed.
 */
function exists(p: string, context: Context): boolean | Wait {
  const known = context.exists.get(p);
  if (typeof known === 'boolean') return known;
  if (known) return new Wait(known);
  const dir = context.flavour.dirname(p);
  const listing = context.folders.settled(dir);
  if (!listing) return new Wait(context.folders.list(dir));
  let answer: boolean | undefined;
  if (listing.names !== undefined) {
    const name = context.flavour.basename(p);
    if (listing.has(name)) answer = true;
    else {
      const lower = name.toLowerCase();
      if (!listing.names.some((n) => n.toLowerCase() === lower)) answer = false;
    }
  }
  if (answer !== undefined) {
    context.exists.set(p, answer);
    return answer;
  }
  const pending = statExists(p).then((found) => {
    context.exists.set(p, found);
  });
  context.exists.set(p, pending);
  return new Wait(pending);
}

async function realKey(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    return p;
  }
}

/**
 * Reads the scene `file` and lists every external file it references, each resolved on this machine and
 * checked on disk. Linked libraries and referenced scenes (Blender libraries, USD layers, Maya `.ma` references,
 * Nuke precomps) are followed, each file once so that cycles end, and their references listed after the entry
 * that names them.
 *
 * Formats that cannot be read outside their application (`.c4d`, Maya binary `.mb`) give `scanned: false` with
 * a note saying so, never an empty list that looks complete.
 *
 * @throws {@link SceneNotFoundError} when `file` cannot be read; {@link UnsupportedFormatError} for an unknown
 * extension; {@link TruncatedFileError}, {@link CorruptFileError} or {@link DecompressionError} (naming the byte
 * offset or line) when the scene itself is damaged; {@link LimitExceededError} when reading it would go past a
 * limit of `options.limits` (a compression bomb). A damaged library or referenced scene is a note, not an error.
 * What a limit leaves unread (a too-long value or statement, references past the count, libraries past the depth
 * or the number) is said in `notes`. A `RangeError` names a limit of `options.limits` that is not a positive
 * number.
 */
export async function scanScene(
  file: string,
  options: ScanOptions = {},
  internals: ScanInternals = {},
): Promise<SceneScan> {
  const flavour = internals.flavour ?? NATIVE;
  const limits = limitsOf(options.limits);
  const abs = flavour.resolve(file);
  try {
    const info = await stat(abs);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (error) {
    throw new SceneNotFoundError(abs, { cause: error });
  }
  const spec = FORMATS[nodePath.extname(abs).toLowerCase()];
  if (!spec) {
    throw new UnsupportedFormatError(
      abs,
      `"${nodePath.extname(abs) || '(no extension)'}" is not a scene format known here (known: ${SCENE_EXTENSIONS.join(', ')})`,
    );
  }
  const frames: readonly FrameRange[] | undefined = options.frames ? parseFrames(options.frames) : undefined;
  const context: Context = {
    flavour,
    pathMap: mapEntries(options.pathMap),
    projectFolder: options.projectFolder === undefined ? undefined : flavour.resolve(options.projectFolder),
    frames,
    folders: new FolderCache(),
    follow: options.followLibraries !== false,
    exists: new Map(),
    sequences: new Map(),
    outcomes: new Map(),
    visited: new Set([await realKey(abs)]),
    limits,
    unread: 0,
    tooDeep: 0,
    dropped: 0,
  };
  if (!spec.read) {
    return {
      file: abs,
      product: spec.product,
      format: spec.format,
      scanned: false,
      details: {},
      references: [],
      notes: [notReadable(spec.format)],
      settings: {},
    };
  }
  const result = await spec.read(abs, context.limits);
  const references: SceneReference[] = [];
  const notes = [...result.notes];
  await collect(result.references, context, references, notes, 0);
  if (context.unread > 0) {
    notes.push(
      `${context.unread} linked librar(ies) or referenced scene(s) not read: more than ${limits.maxLibraries} read in one scan (limits.maxLibraries); their own references are not listed`,
    );
  }
  if (context.tooDeep > 0) {
    notes.push(
      `${context.tooDeep} linked librar(ies) or referenced scene(s) not read: nested more than ${limits.maxLibraryDepth} deep (limits.maxLibraryDepth)`,
    );
  }
  if (context.dropped > 0) {
    notes.push(
      `only the first ${limits.maxReferences} references are listed (limits.maxReferences): ${context.dropped} more left out`,
    );
  }
  return {
    file: abs,
    product: spec.product,
    format: result.format,
    scanned: result.scanned,
    details: result.details,
    references,
    notes,
    settings: result.settings ?? {},
  };
}

interface Context {
  flavour: PathFlavour;
  pathMap: [string, string][];
  projectFolder: string | undefined;
  frames: readonly FrameRange[] | undefined;
  folders: FolderCache;
  follow: boolean;
  /** Existence answers by absolute path (a pending `stat` while one is under way). */
  exists: Map<string, boolean | Promise<void>>;
  /** Sequence matches by absolute pattern. */
  sequences: Map<string, SequenceMatch | undefined>;
  /** Resolution outcomes by folder and written path (a promise while one waits for the disk). */
  outcomes: Map<string, Outcome | Promise<Outcome>>;
  visited: Set<string>;
  limits: ScanLimits;
  /** Libraries not read: past `maxLibraries`. */
  unread: number;
  /** Libraries not read: deeper than `maxLibraryDepth`. */
  tooDeep: number;
  /** References left out: past `maxReferences`. */
  dropped: number;
}

async function collect(
  raws: readonly RawReference[],
  context: Context,
  out: SceneReference[],
  notes: string[],
  depth: number,
): Promise<void> {
  for (const raw of raws) {
    if (out.length >= context.limits.maxReferences) {
      context.dropped++;
      continue;
    }
    const found = resolveReference(raw, context);
    const ref = found instanceof Promise ? await found : found;
    if (raw.onlyWith !== undefined) {
      // Counts only once what it names is there (a bake folder holding its `meta`): otherwise nothing to list.
      if (!ref.exists || ref.resolved === undefined) continue;
      if (!(await statIsDirectory(context.flavour.join(ref.resolved, raw.onlyWith)))) continue;
    }
    out.push(ref);
    if (!context.follow || !ref.exists || ref.resolved === undefined) continue;
    // A Blender library is a .blend file whatever its name; another scene is read by its extension's reader.
    const spec =
      raw.kind === 'linked-library'
        ? FORMATS['.blend']
        : raw.kind === 'referenced-scene'
          ? FORMATS[nodePath.extname(ref.resolved).toLowerCase()]
          : undefined;
    if (!spec) continue;
    const key = await realKey(ref.resolved);
    if (context.visited.has(key)) continue;
    if (depth + 1 > context.limits.maxLibraryDepth) {
      context.tooDeep++;
      continue;
    }
    if (context.visited.size > context.limits.maxLibraries) {
      context.unread++;
      continue;
    }
    context.visited.add(key);
    if (!spec.read) {
      notes.push(`${ref.resolved}: ${notReadable(spec.format)}`);
      continue;
    }
    try {
      const scene = await spec.read(ref.resolved, context.limits);
      notes.push(...scene.notes.map((n) => `${ref.resolved}: ${n}`));
      await collect(scene.references, context, out, notes, depth + 1);
    } catch (error) {
      const what = raw.kind === 'linked-library' ? 'linked library' : 'referenced scene';
      notes.push(`${what} ${ref.resolved} could not be read: ${(error as Error).message}`);
    }
  }
}

/** The note for a scene format that cannot be read outside its application. */
function notReadable(format: SceneFormat): string {
  const app = format === 'cinema4d' ? 'Cinema 4D' : 'Maya binary';
  const save = format === 'maya-binary' ? '; save the scene as Maya ASCII (.ma) to have it scanned' : '';
  return `not scanned: format not readable (${app} files can only be read by their application${save}): check its references in the application`;
}

/** Where a written path leads and what is there: shared by every reference with the same path and folder. */
type Outcome = Omit<SceneReference, 'path' | 'kind' | 'location'>;

/**
 * Resolves one raw reference against the disk (once per distinct path and folder): at once when what it needs is
 * known already, else a promise.
 */
function resolveReference(raw: RawReference, context: Context): SceneReference | Promise<SceneReference> {
  if (raw.unresolved !== undefined) {
    return {
      path: raw.path,
      kind: raw.kind,
      location: raw.location,
      resolved: undefined,
      exists: false,
      unresolved: raw.unresolved,
      unresolvedKind: 'expression',
    };
  }
  const target = raw.target ?? raw.path;
  const key = `${raw.baseDir}\0${raw.alsoFrom ?? ''}\0${target}\0${raw.within?.join(' ') ?? ''}\0${raw.tiles?.join(' ') ?? ''}`;
  let outcome = context.outcomes.get(key);
  if (!outcome) {
    const now = outcomeOf(target, raw.baseDir, context, raw.within, raw.alsoFrom, raw.tiles);
    outcome =
      now instanceof Wait
        ? settle(now, target, raw, context).then((settled) => {
            context.outcomes.set(key, settled);
            return settled;
          })
        : now;
    context.outcomes.set(key, outcome);
  }
  return outcome instanceof Promise
    ? outcome.then((settled) => referenceOf(raw, settled))
    : referenceOf(raw, outcome);
}

function referenceOf(raw: RawReference, outcome: Outcome): SceneReference {
  return { path: raw.path, kind: raw.kind, location: raw.location, ...outcome };
}

/** The outcome of a resolution that waits for the disk: made again each time what it waited for is there. */
async function settle(wait: Wait, target: string, raw: RawReference, context: Context): Promise<Outcome> {
  for (let now: Outcome | Wait = wait; ; ) {
    await now.until;
    now = outcomeOf(target, raw.baseDir, context, raw.within, raw.alsoFrom, raw.tiles);
    if (!(now instanceof Wait)) return now;
  }
}

/** Where `target` leads and what is there, or what must be read from the disk first. */
function outcomeOf(
  target: string,
  baseDir: string,
  context: Context,
  within: RawReference['within'],
  alsoFrom: string | undefined,
  tiles: RawReference['tiles'],
): Outcome | Wait {
  const resolution = resolvePath(
    target,
    baseDir,
    { pathMap: context.pathMap, projectFolder: context.projectFolder, alsoFrom },
    context.flavour,
  );
  const mapped = resolution.mappedFrom !== undefined ? { mappedFrom: resolution.mappedFrom } : {};
  if (resolution.candidates.length === 0) {
    return {
      resolved: undefined,
      exists: false,
      unresolved: resolution.unresolved ?? 'cannot be resolved',
      unresolvedKind: 'foreign-path',
      ...mapped,
    };
  }
  if (sequenceToken(target) !== undefined) {
    let best: Outcome | undefined;
    for (const candidate of resolution.candidates) {
      const matched = sequenceOf(candidate, context, within, tiles);
      if (matched instanceof Wait) return matched;
      if (!matched) continue;
      const outcome: Outcome = {
        resolved: candidate,
        exists: matched.found > 0 && matched.missing === 0,
        ...(matched.found > 0 && matched.missing > 0 ? { partial: true } : {}),
        sequence: matched,
        ...mapped,
      };
      if (matched.found > 0) return outcome;
      best ??= outcome;
    }
    if (best) return best;
  }
  for (const candidate of resolution.candidates) {
    const found = exists(candidate, context);
    if (found instanceof Wait) return found;
    if (found) return { resolved: candidate, exists: true, ...mapped };
  }
  return { resolved: resolution.candidates[0], exists: false, ...mapped };
}

/** The sequence `candidate` names as its folder holds it (once per pattern, frames and tiles). */
function sequenceOf(
  candidate: string,
  context: Context,
  within: RawReference['within'],
  tiles: RawReference['tiles'],
): SequenceMatch | undefined | Wait {
  const key = `${candidate}\0${within?.join(' ') ?? ''}\0${tiles?.join(' ') ?? ''}`;
  if (context.sequences.has(key)) return context.sequences.get(key);
  const dir = context.flavour.dirname(candidate);
  const listing = context.folders.settled(dir);
  if (!listing) return new Wait(context.folders.list(dir));
  const matched = matchListed(candidate, listing.names ?? [], context.flavour, context.frames, within, tiles);
  context.sequences.set(key, matched);
  return matched;
}

/**
 * The product version a scene was saved with, as its scan reads it: Blender's header (`3.4`), Maya ASCII's
 * `requires maya` (`2022`), Nuke's `version` line (`13.2 v4`, written `13.2v4` as the service names it);
 * `undefined` when the scene does not say.
 */
export function savedVersion(scan: SceneScan): string | undefined {
  const d = scan.details;
  const saved = d.version ?? d.mayaVersion ?? d.nukeVersion;
  return typeof saved === 'string' && saved.trim() !== '' ? saved.replace(/\s+/g, '') : undefined;
}
