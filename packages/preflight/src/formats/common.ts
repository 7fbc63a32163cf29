import type { ReferenceKind, ReferenceLocation, SceneFormat, SceneSettings } from '../types.js';

/** A reference as a format reader found it, before it is resolved against the disk. */
export interface RawReference {
  /** The path exactly as written. */
  path: string;
  /** The path text to resolve, when it differs from `path` (Blender's `//` removed, a frame number made `####`). */
  target?: string;
  /** The folder relative paths start from. */
  baseDir: string;
  /** What the file is to the scene. */
  kind: ReferenceKind;
  /** Where it was found. */
  location: ReferenceLocation;
  /** Why the path cannot be resolved outside the application (an expression, a variable). */
  unresolved?: string;
  /** The frames the scene reads of this sequence (a Nuke Read's `first`/`last`), inclusive. */
  within?: readonly [first: number, last: number];
  /** A second folder relative paths are looked for in when not found from `baseDir` (a Maya scene's own folder). */
  alsoFrom?: string;
  /** The tiles a `<UDIM>` path declares (a Blender Image's tiles): each one not on disk counts as missing. */
  tiles?: readonly number[];
  /**
   * An entry the resolved folder must hold for the reference to count at all (a geometry-nodes bake's `meta`
   * folder): when the folder or that entry is not on disk, the reference is left out, not reported missing.
   */
  onlyWith?: string;
}

/** What a format reader returns. */
export interface FormatResult {
  format: SceneFormat;
  scanned: boolean;
  details: Record<string, string | number>;
  references: RawReference[];
  notes: string[];
  /** What a render job needs from the scene, where it is written (see {@link SceneSettings}). */
  settings?: SceneSettings;
}

const IMAGE = new Set([
  'png',
  'jpg',
  'jpeg',
  'exr',
  'tif',
  'tiff',
  'tx',
  'tga',
  'bmp',
  'hdr',
  'dpx',
  'cin',
  'psd',
  'gif',
  'webp',
  'rat',
  'tex',
  'iff',
  'sgi',
  'rgb',
  'jp2',
  'dds',
  'ptx',
  'pic',
  'ktx',
]);
const MOVIE = new Set([
  'mov',
  'mp4',
  'avi',
  'mkv',
  'mxf',
  'webm',
  'm4v',
  'mpg',
  'mpeg',
  'r3d',
  'braw',
  'ari',
]);
const SOUND = new Set(['wav', 'aif', 'aiff', 'mp3', 'flac', 'ogg', 'm4a']);
const CACHE = new Set([
  'abc',
  'bgeo',
  'sc',
  'gz',
  'geo',
  'bhclassic',
  'vrmesh',
  'rs',
  'ass',
  'mcx',
  'mcc',
  'xml',
  'ptc',
  'pc2',
  'fbx',
  'obj',
  'bphys',
  'sim',
  'prt',
  'bin',
]);
const SCENE = new Set([
  'usd',
  'usda',
  'usdc',
  'usdz',
  'ma',
  'mb',
  'nk',
  'hip',
  'hipnc',
  'hiplc',
  'blend',
  'c4d',
  'vrscene',
]);
const FONT = new Set(['ttf', 'otf', 'woff', 'woff2', 'pfb']);

/** The kind a file's extension suggests; `fallback` when it suggests none. */
export function kindByExtension(p: string, fallback: ReferenceKind): ReferenceKind {
  const name = p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1).toLowerCase();
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  if (ext === 'vdb' || ext === 'f3d' || ext === 'vdbc' || ext === 'aur') return 'volume';
  if (IMAGE.has(ext)) return 'texture';
  if (MOVIE.has(ext)) return 'movie';
  if (SOUND.has(ext)) return 'sound';
  if (FONT.has(ext)) return 'font';
  if (SCENE.has(ext)) return 'referenced-scene';
  if (CACHE.has(ext)) return 'cache';
  return fallback;
}
