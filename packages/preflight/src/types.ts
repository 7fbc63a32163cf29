import type { ProductCode } from '@gm/products';

/** The scene formats `@gm/preflight` recognises. */
export type SceneFormat =
  | 'blend'
  | 'nuke'
  | 'maya-ascii'
  | 'maya-binary'
  | 'vrscene'
  | 'usda'
  | 'usdc'
  | 'usdz'
  | 'houdini'
  | 'cinema4d';

/** What an external file is to the scene. */
export type ReferenceKind =
  | 'texture'
  | 'linked-library'
  | 'referenced-scene'
  | 'cache'
  | 'volume'
  | 'sound'
  | 'movie'
  | 'font'
  | 'include'
  | 'other';

/** Where in the scene a reference was found. */
export interface ReferenceLocation {
  /** The scene file that holds the reference (a linked library's own file for references found in it). */
  file: string;
  /** `datablock` for Blender, `node` for node-based formats, `line` where only the line is known. */
  type: 'datablock' | 'node' | 'line';
  /** The datablock (`Image "wood"`), node (`Read1.file`) or statement that holds the path. */
  name: string;
  /** The line (1-based) in text formats. */
  line?: number;
}

/** How a sequence reference (`####`, `%04d`, `$F4`, `<UDIM>`, `<UVTILE>`) matched the disk. */
export interface SequenceMatch {
  /** The token found in the path, such as `####`, `%04d`, `$F4`, `<UDIM>`. */
  token: string;
  /** Files on disk that belong to the sequence (within the frame range, for frame sequences given one). */
  found: number;
  /**
   * Files missing: frames of the frame range not on disk, or (without a range) gaps between the first and last
   * frame found. Tiles (`<UDIM>`, `<UVTILE>`) count as missing only where the scene declares its tiles (a
   * Blender Image's tiles); otherwise they have no expected set: 0.
   */
  missing: number;
  /** Up to 20 missing frame (or declared tile) numbers, ascending. */
  missingFrames: number[];
  /**
   * The frames found, as ascending ranges (`[[1001, 1003], [1005, 1005]]`), at most 20 ranges (frame sequences
   * only; tiles have none).
   */
  foundFrames: [first: number, last: number][];
  /** The files found, absolute (frames in order, tiles by name). */
  files: string[];
}

/** One external file (or file sequence) a scene needs. */
export interface SceneReference {
  /** The path exactly as written in the scene. */
  path: string;
  /**
   * Where the path leads on this machine: absolute, native, after `pathMap`; for a sequence, the pattern.
   * `undefined` when the path cannot be resolved here (an expression, or a foreign absolute path no `pathMap`
   * entry covers).
   */
  resolved: string | undefined;
  /** What the file is to the scene. */
  kind: ReferenceKind;
  /** Where in the scene the path was found. */
  location: ReferenceLocation;
  /** Whether the file exists (for a sequence: at least one file found and none missing). */
  exists: boolean;
  /**
   * `true` for a sequence partly on disk: some of its files found, some missing (`exists` is `false`; `sequence`
   * says how many of each, as in "4 of 5 frames").
   */
  partial?: boolean;
  /** For sequences: how the pattern matched the disk. */
  sequence?: SequenceMatch;
  /** Why the path could not be resolved (an expression, a variable, a foreign absolute path). */
  unresolved?: string;
  /**
   * What kind of path could not be resolved: `expression` (set by an expression or variable only the application
   * evaluates) or `foreign-path` (an absolute path of another machine that no `pathMap` entry covers).
   */
  unresolvedKind?: 'expression' | 'foreign-path';
  /** The `pathMap` prefix that was applied, if any. */
  mappedFrom?: string;
}

/** What {@link scanScene} found in one scene file. */
export interface SceneScan {
  /** The scene file, absolute. */
  file: string;
  /** The product whose scene this is (`blender`, `nuke`, `maya`, `vray`, `hou`, `c4d`), when known. */
  product: ProductCode | undefined;
  /** The scene format. */
  format: SceneFormat;
  /** Whether the file was read; `false` for formats that cannot be read outside their application. */
  scanned: boolean;
  /** Format details read from the file (for Blender: `version`, `pointerSize`, `endianness`, `compression`). */
  details: Record<string, string | number>;
  /** Every external reference, in the order found (linked libraries' references after the library). */
  references: SceneReference[];
  /** What could not be read or checked, in words (unscanned format, unreadable library, skipped sections). */
  notes: string[];
  /** What a render job needs from the scene, where the scene writes it down (empty when it says nothing). */
  settings: SceneSettings;
}

/** One value of {@link SceneSettings}, with where in the scene it was read. */
export interface SceneSetting<T> {
  /** The value. */
  value: T;
  /**
   * Where it was read: a node and knob, an attribute or a datablock property (`Root.first_frame/last_frame`,
   * `defaultRenderGlobals.startFrame`, `scenes["Shot"].frame_start/frame_end/frame_step`).
   */
  from: string;
}

/**
 * What a render job needs from a scene, as the scene writes it down: every reader fills what its format holds,
 * in this one shape, and leaves out what the scene does not say.
 */
export interface SceneSettings {
  /** The frames rendered: first, last (inclusive) and step. */
  frames?: SceneSetting<{ start: number; end: number; step: number }>;
  /** Where the render is written: the output path as the scene writes it (a pattern or a prefix). */
  output?: SceneSetting<string>;
  /** The output image format (`exr`, `png`, ...), as the scene names it. */
  format?: SceneSetting<string>;
  /** The output resolution in pixels. */
  resolution?: SceneSetting<{ width: number; height: number }>;
  /** The camera rendered. */
  camera?: SceneSetting<string>;
  /** The renderer (`arnold`, `vray`, `karma`, ...), as the scene names it. */
  renderer?: SceneSetting<string>;
}

/** A prefix mapping: paths starting with `from` (a foreign absolute folder) lead to `to` (a local folder). */
export type PathMap = Readonly<Record<string, string>> | readonly (readonly [from: string, to: string])[];

/** Options of {@link scanScene}. */
export interface ScanOptions {
  /**
   * Foreign absolute prefixes mapped onto local folders, such as `{ 'C:\\proj\\': '/home/me/proj' }` or
   * `{ '/mnt/proj/': projectFolder }`. Matching ignores the slash direction and, for drive-letter paths, case.
   * The longest matching prefix wins.
   */
  pathMap?: PathMap;
  /** The project folder: relative paths that do not exist beside the scene are also looked for here. */
  projectFolder?: string;
  /** The job's frame range (Envoy format, `"1 100"`, `"1 10,20 30 2"`): frame sequences are counted within it. */
  frames?: string;
  /**
   * Follow linked libraries and referenced scenes and scan them too, each file once (default `true`): Blender
   * libraries, USD sublayers, references and payloads, Maya `.ma` references, Nuke precomps.
   */
  followLibraries?: boolean;
  /** Bounds on what a scan reads (see {@link ScanLimits}); each one left out keeps its default. */
  limits?: Partial<ScanLimits>;
}

/**
 * The bounds of a scan. Whatever a scene file holds, a scan reads it in chunks and within these bounds: what goes
 * past a bound is skipped with a note on the result, or (for compressed data) ends the scan with a
 * {@link LimitExceededError} naming the file, the byte offset and the limit to raise.
 */
export interface ScanLimits {
  /** Longest single value kept (a path, a knob or attribute value), in characters. Default 64 KiB. */
  maxValueLength: number;
  /**
   * Longest unit of a text scene held to be read (a Nuke node, a Maya statement, a USD or V-Ray line, a Houdini
   * section), in characters. Longer ones are passed over, with a note when they could name a file. Default 1 MiB.
   */
  maxRecordLength: number;
  /** Most references listed by one scan, libraries included; the rest are left out with a note. Default 100,000. */
  maxReferences: number;
  /** Most sections read in one Houdini file; the rest are left out with a note. Default 200,000. */
  maxSections: number;
  /**
   * Most linked libraries and referenced scenes (Blender libraries, USD layers, Maya references, Nuke precomps,
   * V-Ray includes) read by one scan, besides the scene itself; the others are listed but not read, with a note.
   * Default 256.
   */
  maxLibraries: number;
  /** Deepest chain of libraries followed (a library of a library ...). Default 16. */
  maxLibraryDepth: number;
  /** Largest ratio of decompressed to compressed size of a gzip or zstd scene. Default 100. */
  maxExpansion: number;
  /** Most bytes decompressed from one compressed scene. Default 1 GiB. */
  maxDecompressedBytes: number;
  /** Largest zstd window (the memory a zstd frame asks its reader for). Default 32 MiB. */
  maxZstdWindow: number;
}
