/**
 * Maya ASCII `.ma` files (MEL statements ending in `;`): `file -r` references, and the file attributes of the
 * node types that read files (file textures, Alembic and GPU caches, image planes, audio, and the proxies and
 * volumes of common renderers), set by `setAttr` after `createNode`.
 */
import { stat } from 'node:fs/promises';
import nodePath from 'node:path';
import { CorruptFileError } from '../errors.js';
import { DEFAULT_LIMITS, sizeText } from '../limits.js';
import type { ReferenceKind, ScanLimits, SceneSettings } from '../types.js';
import { type FormatResult, kindByExtension, type RawReference } from './common.js';
import { firstLine, headOf, melStatements, textChunks } from './text.js';

/** Node types and their file attributes (short and long names, as `.ma` files write either). */
const NODES: Record<string, { attrs: string[]; kind: ReferenceKind }> = {
  file: { attrs: ['ftn', 'fileTextureName'], kind: 'texture' },
  psdFileTex: { attrs: ['ftn', 'fileTextureName'], kind: 'texture' },
  imagePlane: { attrs: ['imn', 'imageName'], kind: 'texture' },
  AlembicNode: { attrs: ['fn', 'abc_File', 'abc_layerFiles'], kind: 'cache' },
  gpuCache: { attrs: ['cfn', 'cacheFileName'], kind: 'cache' },
  audio: { attrs: ['f', 'filename'], kind: 'sound' },
  cacheFile: { attrs: ['cp', 'cachePath'], kind: 'cache' },
  aiImage: { attrs: ['filename'], kind: 'texture' },
  aiStandIn: { attrs: ['dso'], kind: 'cache' },
  aiVolume: { attrs: ['fn', 'filename'], kind: 'volume' },
  aiPhotometricLight: { attrs: ['aiFilename', 'ai_filename'], kind: 'other' },
  VRayMesh: { attrs: ['fn', 'fileName'], kind: 'cache' },
  VRayVolumeGrid: { attrs: ['if', 'inFile', 'inPath'], kind: 'volume' },
  VRayLightIESShape: { attrs: ['iesFile'], kind: 'other' },
  RedshiftProxyMesh: { attrs: ['fn', 'fileName'], kind: 'cache' },
  RedshiftVolumeShape: { attrs: ['fn', 'fileName'], kind: 'volume' },
  RedshiftDomeLight: { attrs: ['tex0'], kind: 'texture' },
  RedshiftNormalMap: { attrs: ['tex0'], kind: 'texture' },
  RedshiftSprite: { attrs: ['tex0'], kind: 'texture' },
  RedshiftIESLight: { attrs: ['profile'], kind: 'other' },
  mayaUsdProxyShape: { attrs: ['fp', 'filePath'], kind: 'referenced-scene' },
  pxrUsdReferenceAssembly: { attrs: ['fp', 'filePath'], kind: 'referenced-scene' },
  // RenderMan for Maya (attribute names as RenderMan's node reference gives them; RfM writes long names only).
  PxrTexture: { attrs: ['filename'], kind: 'texture' },
  PxrPtexture: { attrs: ['filename'], kind: 'texture' },
  PxrNormalMap: { attrs: ['filename'], kind: 'texture' },
  PxrBump: { attrs: ['filename'], kind: 'texture' },
  PxrMultiTexture: { attrs: Array.from({ length: 10 }, (_, i) => `filename${i}`), kind: 'texture' },
  PxrDomeLight: { attrs: ['lightColorMap'], kind: 'texture' },
  PxrRectLight: { attrs: ['lightColorMap', 'iesProfile'], kind: 'other' },
  PxrDiskLight: { attrs: ['iesProfile'], kind: 'other' },
  PxrSphereLight: { attrs: ['iesProfile'], kind: 'other' },
  PxrCylinderLight: { attrs: ['iesProfile'], kind: 'other' },
  PxrMeshLight: { attrs: ['iesProfile'], kind: 'other' },
  PxrPortalLight: { attrs: ['lightColorMap', 'iesProfile'], kind: 'other' },
  PxrGoboLightFilter: { attrs: ['map'], kind: 'texture' },
  PxrCookieLightFilter: { attrs: ['map'], kind: 'texture' },
};

/**
 * Attributes that change how a node's file name is read, kept to apply once the node is read: a file node's UV
 * tiling mode (`.uvt`: 1 ZBrush `u0_v0`, 2 Mudbox `u1_v1`, 3 UDIM/Mari) and image sequence flag (`.ufe`), a
 * PxrTexture's atlas style (1 UDIM, 2 Mudbox, 3 ZBrush).
 */
const MODE_ATTRS: Record<string, string[]> = {
  file: ['uvt', 'uvTilingMode', 'ufe', 'useFrameExtension'],
  PxrTexture: ['atlasStyle'],
  PxrNormalMap: ['atlasStyle'],
  PxrBump: ['atlasStyle'],
};

/** The render settings nodes (`select -ne :defaultRenderGlobals;`) and the attributes read of them. */
const SETTINGS_ATTRS: Record<string, string[]> = {
  defaultRenderGlobals: ['fs', 'ef', 'bfs', 'an', 'ifp', 'imfkey', 'ren', 'startFrame', 'endFrame'],
  defaultResolution: ['w', 'h', 'width', 'height'],
  camera: ['rnd', 'renderable'],
};

/** The commands that can name a file or change the node `setAttr` sets: the others are passed over. */
const COMMANDS = new Set(['requires', 'file', 'createNode', 'select', 'setAttr']);

/** The first word of a statement that starts with one (no comment before it). */
const FIRST_WORD = /^[ \t\r\n]*([A-Za-z_]\w*)[ \t\r\n;]/;

/** The attribute a `setAttr` statement sets, when its first quoted word is a plain `".attr"` or `".attr[i]"`. */
const SET_ATTR = /^[ \t\r\n]*setAttr\s[^"]*"\.([A-Za-z_]\w*)(?:\[[^"]*\])?"/;

interface Word {
  text: string;
  quoted: boolean;
}

/** Splits MEL into statements of words (quoted strings unescaped), each with its first line. */
function* statements(file: string, text: string, firstLine = 1): Generator<{ words: Word[]; line: number }> {
  let i = 0;
  let line = firstLine;
  const n = text.length;
  let words: Word[] = [];
  let start = firstLine;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new CorruptFileError(file, 'a /* comment is never closed', { line });
      for (let j = i; j < end; j++) if (text[j] === '\n') line++;
      i = end + 2;
    } else if (c === ';') {
      if (words.length > 0) yield { words, line: start };
      words = [];
      i++;
    } else if (c === '"') {
      if (words.length === 0) start = line;
      const startLine = line;
      let out = '';
      i++;
      while (i < n && text[i] !== '"') {
        const d = text[i]!;
        if (d === '\\' && i + 1 < n) {
          const e = text[i + 1]!;
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
          continue;
        }
        if (d === '\n') line++;
        out += d;
        i++;
      }
      if (i >= n) throw new CorruptFileError(file, 'a quoted string is never closed', { line: startLine });
      i++;
      words.push({ text: out, quoted: true });
    } else {
      if (words.length === 0) start = line;
      const from = i;
      while (i < n && !' \t\r\n;"'.includes(text[i]!)) i++;
      words.push({ text: text.slice(from, i), quoted: false });
    }
  }
  if (words.length > 0) yield { words, line: start };
}

/** The value of flag `flag` in `words` (the word after it), if present. */
function flag(words: readonly Word[], ...names: string[]): string | undefined {
  for (let i = 0; i < words.length - 1; i++) {
    if (!words[i]!.quoted && names.includes(words[i]!.text)) return words[i + 1]!.text;
  }
  return undefined;
}

/** Why a Maya path cannot be resolved outside Maya, if it cannot. */
function mayaUnresolved(value: string): string | undefined {
  const variable = /\$\{?([A-Za-z_]\w*)\}?|%([A-Za-z_]\w*)%/.exec(value);
  if (variable)
    return `uses the environment variable ${variable[1] ?? variable[2]}: Maya expands it when the scene opens`;
  return undefined;
}

/**
 * Reads a Maya ASCII file, a statement at a time, and lists the files it references. A statement longer than
 * `limits.maxRecordLength` (mesh data, or a hostile value) is passed over, with a note when it could name a file;
 * a path longer than `limits.maxValueLength` is left out with a note.
 */
export async function readMaya(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<FormatResult> {
  const head = await headOf(file, 64);
  if (!head.startsWith('//Maya ASCII')) {
    if (head.includes('\0')) for await (const _ of textChunks(file, 'Maya ASCII')) break; // names the NUL's line
    throw new CorruptFileError(file, 'a Maya ASCII file starts with "//Maya ASCII"', { line: 1 });
  }
  // Relative paths are taken from the Maya project (the folder of the nearest workspace.mel above the scene),
  // then from the scene's folder.
  const sceneDir = nodePath.dirname(file);
  const workspace = await workspaceRoot(sceneDir);
  const baseDir = workspace ?? sceneDir;
  const alsoFrom = workspace !== undefined && workspace !== sceneDir ? sceneDir : undefined;
  const references: RawReference[] = [];
  const notes: string[] = [];
  const details: Record<string, string | number> = {};
  const seenRefs = new Set<string>();
  let node:
    | {
        type: string;
        name: string;
        parent: string | undefined;
        /** Attributes that change how its file names are read, or settings, by short name as written. */
        modes: Map<string, string>;
        refs: RawReference[];
      }
    | undefined;
  let longValues = 0;
  let firstLong = 0;
  let dropped = 0;
  const add = (value: string, kind: ReferenceKind, name: string, line: number): RawReference | undefined => {
    if (value.trim() === '') return undefined;
    if (value.length > limits.maxValueLength) {
      if (longValues++ === 0) firstLong = line;
      return undefined;
    }
    if (references.length >= limits.maxReferences) {
      dropped++;
      return undefined;
    }
    const unresolved = mayaUnresolved(value);
    const ref: RawReference = {
      path: value,
      baseDir,
      ...(alsoFrom !== undefined ? { alsoFrom } : {}),
      kind,
      location: { file, type: 'node', name, line },
      ...(unresolved ? { unresolved } : {}),
    };
    references.push(ref);
    return ref;
  };
  const render = new Map<string, string>();
  const cameras: { name: string; renderable: boolean }[] = [];
  /** The node being read is done: its file names are read in its modes, its settings kept. */
  const done = () => {
    if (!node) return;
    for (const ref of node.refs) {
      const target = expandedName(node.type, ref.path, node.modes);
      if (target !== undefined && target !== ref.path) ref.target = target;
    }
    if (node.type === 'defaultRenderGlobals' || node.type === 'defaultResolution') {
      for (const [k, v] of node.modes) render.set(`${node.type}.${k}`, v);
    } else if (node.type === 'camera' && cameras.length < 1000) {
      const rnd = node.modes.get('rnd') ?? node.modes.get('renderable');
      cameras.push({
        name: node.parent ?? node.name,
        renderable: rnd !== 'no' && rnd !== '0' && rnd !== 'false',
      });
    }
    node = undefined;
  };
  let skipped = 0;
  let firstSkipped = 0;
  for await (const batch of melStatements(textChunks(file, 'Maya ASCII'), limits.maxRecordLength))
    for (const record of batch) {
      if (record.text === undefined) {
        // Too long to hold: only a file reference or a file attribute of a node type that reads files matters.
        const words = record.head.trimStart().split(/\s+/, 2);
        const matters =
          words[0] === 'file' ||
          (words[0] === 'setAttr' && node !== undefined && NODES[node.type] !== undefined) ||
          words[0] === 'createNode';
        if (words[0] === 'createNode' || words[0] === 'select') done();
        if (matters && skipped++ === 0) firstSkipped = firstLine(record);
        continue;
      }
      // Most statements (mesh data, connections) cannot name a file: seen by their first word, not tokenized.
      const first = FIRST_WORD.exec(record.text)?.[1];
      if (first !== undefined && !COMMANDS.has(first)) continue;
      if (first === 'setAttr') {
        const wanted = node === undefined ? undefined : attrsOf(node.type);
        if (wanted === undefined) continue;
        // The attribute is the first quoted word; only an attribute read here of the node type is tokenized.
        const attr = SET_ATTR.exec(record.text.slice(0, 1024))?.[1];
        if (attr !== undefined && !wanted.includes(attr)) continue;
      }
      for (const { words, line } of statements(file, record.text, record.line)) {
        const command = words[0]!.text;
        if (command === 'requires' && words[1]?.text === 'maya') details.mayaVersion = words[2]?.text ?? '';
        if (command === 'file') {
          const isReference = words.some(
            (w) => !w.quoted && (w.text === '-r' || w.text === '-rdi' || w.text === '-reference'),
          );
          const last = words[words.length - 1]!;
          if (isReference && last.quoted) {
            const rfn =
              flag(words, '-rfn', '-referenceNode') ?? flag(words, '-ns', '-namespace') ?? 'reference';
            if (!seenRefs.has(last.text)) {
              seenRefs.add(last.text);
              add(last.text, 'referenced-scene', `reference ${rfn}`, line);
            }
          }
          continue;
        }
        if (command === 'createNode') {
          done();
          const type = words[1]?.text ?? '';
          const name = flag(words, '-n', '-name') ?? type;
          node = { type, name, parent: flag(words, '-p', '-parent'), modes: new Map(), refs: [] };
          continue;
        }
        if (command === 'select' || command === 'connectAttr' || command === 'relationship') {
          if (command === 'select') {
            done();
            // `select -ne :defaultRenderGlobals;`: the render settings node whose attributes follow.
            const target = words
              .slice(1)
              .find((w) => !w.text.startsWith('-'))
              ?.text.replace(/^:/, '');
            if (target !== undefined && SETTINGS_ATTRS[target] !== undefined)
              node = { type: target, name: target, parent: undefined, modes: new Map(), refs: [] };
          }
          continue;
        }
        if (command === 'setAttr' && node) {
          const wanted = attrsOf(node.type);
          if (!wanted) continue;
          const attr = words.slice(1).find((w) => w.quoted && w.text.startsWith('.'));
          const attrName = attr?.text.slice(1).replace(/\[.*$/, '');
          if (!attrName || !wanted.includes(attrName)) continue;
          const value = words[words.length - 1]!;
          if (value === attr) continue; // `setAttr -k on ".fs";` sets no value
          const type = flag(words, '-type', '-typ');
          const spec = NODES[node.type];
          if (spec?.attrs.includes(attrName)) {
            if (type !== 'string' || !value.quoted) continue;
            const ref = add(
              value.text,
              kindByExtension(value.text, spec.kind),
              `${node.type} ${node.name}.${attrName}`,
              line,
            );
            if (ref) node.refs.push(ref);
          } else node.modes.set(attrName, value.text);
        }
      }
    }
  done();
  if (workspace !== undefined) details.workspace = workspace;
  if (skipped > 0) {
    notes.push(
      `${skipped} statement(s) longer than ${sizeText(limits.maxRecordLength)} (limits.maxRecordLength) that could name a file were not read (the first at line ${firstSkipped})`,
    );
  }
  if (longValues > 0) {
    notes.push(
      `${longValues} path(s) longer than ${sizeText(limits.maxValueLength)} (limits.maxValueLength) were left out (the first at line ${firstLong})`,
    );
  }
  if (dropped > 0) {
    notes.push(
      `only the first ${limits.maxReferences} references are listed (limits.maxReferences): ${dropped} more left out`,
    );
  }
  return {
    format: 'maya-ascii',
    scanned: true,
    details,
    references,
    notes,
    settings: settingsOf(render, cameras),
  };
}

/** The attributes read of a node type: its file attributes, the modes of its file names, or settings. */
function attrsOf(type: string): string[] | undefined {
  const files = NODES[type]?.attrs;
  const modes = MODE_ATTRS[type];
  const settings = SETTINGS_ATTRS[type];
  if (!files && !settings) return undefined;
  return [...(files ?? []), ...(modes ?? []), ...(settings ?? [])];
}

/**
 * The file name Maya reads for a node's written name in the node's modes: tiles (`<UDIM>`, `<UVTILE>`) for UV
 * tiling modes, a frame pattern (`####`) for image sequences; `undefined` when the mode changes nothing.
 */
function expandedName(type: string, written: string, modes: ReadonlyMap<string, string>): string | undefined {
  const cut = Math.max(written.lastIndexOf('/'), written.lastIndexOf('\\')) + 1;
  const dir = written.slice(0, cut);
  let name = written.slice(cut);
  // Maya's own tile tokens: u<U>_v<V> (1-based, Mudbox), u<u>_v<v> (0-based, ZBrush).
  name = name.replace(/u<u>_v<v>/gi, '<UVTILE>');
  const mode =
    type === 'file'
      ? Number(modes.get('uvt') ?? modes.get('uvTilingMode') ?? 0)
      : ({ 1: 3, 2: 2, 3: 1 }[Number(modes.get('atlasStyle') ?? 0)] ?? 0);
  if (!/<UDIM>|<UVTILE>/i.test(name)) {
    if (mode === 3) {
      name = name.replace(/_MAPID_/, '<UDIM>');
      const tile = /(?<!\d)1\d{3}(?!\d)(?!.*(?<!\d)1\d{3}(?!\d))/.exec(name);
      if (tile) name = `${name.slice(0, tile.index)}<UDIM>${name.slice(tile.index + 4)}`;
    } else if (mode === 1 || mode === 2) {
      name = name.replace(/u\d+_v\d+(?!.*u\d+_v\d+)/i, '<UVTILE>');
    }
  }
  const sequence = modes.get('ufe') ?? modes.get('useFrameExtension');
  if (type === 'file' && (sequence === 'yes' || sequence === '1' || sequence === 'true')) {
    // The frame number is the last group of digits before the extension: ref.0001.jpg -> ref.####.jpg.
    const frame = /(\d+)(\.[^.\d]*)$/.exec(name);
    if (frame) name = `${name.slice(0, frame.index)}${'#'.repeat(frame[1]!.length)}${frame[2]}`;
  }
  const out = dir + name;
  return out === written ? undefined : out;
}

/** The folder of the nearest `workspace.mel` at or above `dir` (the Maya project), if any. */
async function workspaceRoot(dir: string): Promise<string | undefined> {
  let at = dir;
  for (let i = 0; i < 64; i++) {
    try {
      if ((await stat(nodePath.join(at, 'workspace.mel'))).isFile()) return at;
    } catch {
      // not here: one folder up
    }
    const up = nodePath.dirname(at);
    if (up === at) return undefined;
    at = up;
  }
  return undefined;
}

/**
 * What a render job needs from `defaultRenderGlobals` and `defaultResolution` (Maya writes only what differs
 * from its defaults: frames 1-10 step 1, 640x480) and the renderable cameras.
 */
function settingsOf(
  render: ReadonlyMap<string, string>,
  cameras: readonly { name: string; renderable: boolean }[],
): SceneSettings {
  const settings: SceneSettings = {};
  const g = (k: string) => render.get(`defaultRenderGlobals.${k}`);
  const num = (v: string | undefined) =>
    v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
  const start = num(g('fs') ?? g('startFrame'));
  const end = num(g('ef') ?? g('endFrame'));
  const step = num(g('bfs'));
  const animation = g('an');
  if (start !== undefined || end !== undefined || animation === 'yes' || animation === '1') {
    const value = { start: start ?? 1, end: end ?? 10, step: step && step > 0 ? step : 1 };
    if (value.start <= value.end)
      settings.frames = {
        value,
        from: `defaultRenderGlobals.startFrame/endFrame${step !== undefined ? '/byFrameStep' : ''}${start === undefined || end === undefined ? " (Maya's defaults where left out)" : ''}`,
      };
  }
  const r = (k: string) => render.get(`defaultResolution.${k}`);
  const width = num(r('w') ?? r('width'));
  const height = num(r('h') ?? r('height'));
  if (width !== undefined || height !== undefined) {
    settings.resolution = {
      value: { width: width ?? 640, height: height ?? 480 },
      from: 'defaultResolution.width/height',
    };
  }
  const prefix = g('ifp');
  if (prefix !== undefined && prefix !== '')
    settings.output = { value: prefix, from: 'defaultRenderGlobals.imageFilePrefix' };
  const format = g('imfkey');
  if (format !== undefined && format !== '')
    settings.format = { value: format, from: 'defaultRenderGlobals.imfPluginKey' };
  const renderer = g('ren');
  if (renderer !== undefined && renderer !== '')
    settings.renderer = { value: renderer, from: 'defaultRenderGlobals.currentRenderer' };
  // The renderable camera: one of the scene's own before Maya's default persp camera.
  const renderable = cameras.filter((c) => c.renderable);
  const camera = renderable.find((c) => c.name !== 'persp') ?? renderable[0];
  if (camera) settings.camera = { value: camera.name, from: `${camera.name} camera (renderable)` };
  return settings;
}
