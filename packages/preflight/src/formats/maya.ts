/**
 * Maya ASCII `.ma` files (MEL statements ending in `;`): `file -r` references, and the file attributes of the
 * node types that read files (file textures, Alembic and GPU caches, image planes, audio, and the proxies and
 * volumes of common renderers), set by `setAttr` after `createNode`.
 */
import nodePath from 'node:path';
import { CorruptFileError } from '../errors.js';
import { DEFAULT_LIMITS, sizeText } from '../limits.js';
import type { ReferenceKind, ScanLimits } from '../types.js';
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
  const baseDir = nodePath.dirname(file);
  const references: RawReference[] = [];
  const notes: string[] = [];
  const details: Record<string, string | number> = {};
  const seenRefs = new Set<string>();
  let node: { type: string; name: string } | undefined;
  let longValues = 0;
  let firstLong = 0;
  let dropped = 0;
  const add = (value: string, kind: ReferenceKind, name: string, line: number) => {
    if (value.trim() === '') return;
    if (value.length > limits.maxValueLength) {
      if (longValues++ === 0) firstLong = line;
      return;
    }
    if (references.length >= limits.maxReferences) {
      dropped++;
      return;
    }
    const unresolved = mayaUnresolved(value);
    references.push({
      path: value,
      baseDir,
      kind,
      location: { file, type: 'node', name, line },
      ...(unresolved ? { unresolved } : {}),
    });
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
        if (words[0] === 'createNode' || words[0] === 'select') node = undefined;
        if (matters && skipped++ === 0) firstSkipped = firstLine(record);
        continue;
      }
      // Most statements (mesh data, connections) cannot name a file: seen by their first word, not tokenized.
      const first = FIRST_WORD.exec(record.text)?.[1];
      if (first !== undefined && !COMMANDS.has(first)) continue;
      if (first === 'setAttr') {
        const spec = node === undefined ? undefined : NODES[node.type];
        if (spec === undefined) continue;
        // The attribute is the first quoted word; only a file attribute of the node type is tokenized.
        const attr = SET_ATTR.exec(record.text.slice(0, 1024))?.[1];
        if (attr !== undefined && !spec.attrs.includes(attr)) continue;
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
          const type = words[1]?.text ?? '';
          node = { type, name: flag(words, '-n', '-name') ?? type };
          continue;
        }
        if (command === 'select' || command === 'connectAttr' || command === 'relationship') {
          if (command === 'select') node = undefined;
          continue;
        }
        if (command === 'setAttr' && node) {
          const spec = NODES[node.type];
          if (!spec) continue;
          const attr = words.slice(1).find((w) => w.quoted && w.text.startsWith('.'));
          const attrName = attr?.text.slice(1).replace(/\[.*$/, '');
          if (!attrName || !spec.attrs.includes(attrName)) continue;
          const type = flag(words, '-type', '-typ');
          if (type !== 'string') continue;
          const value = words[words.length - 1]!;
          if (!value.quoted || value === attr) continue;
          add(
            value.text,
            kindByExtension(value.text, spec.kind),
            `${node.type} ${node.name}.${attrName}`,
            line,
          );
        }
      }
    }
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
  return { format: 'maya-ascii', scanned: true, details, references, notes };
}
