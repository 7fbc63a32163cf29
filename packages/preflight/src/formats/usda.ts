/**
 * USD ASCII layers (`.usda`, and `.usd` files that are text): every asset path `@...@` (or `@@@...@@@`) in
 * sublayers, references, payloads and asset-valued attributes. A `.usd` file in crate form is read by the crate
 * reader (`usdc.ts`).
 */
import { open } from 'node:fs/promises';
import nodePath from 'node:path';
import { CorruptFileError } from '../errors.js';
import { DEFAULT_LIMITS, sizeText } from '../limits.js';
import type { ScanLimits, SceneSettings } from '../types.js';
import { type FormatResult, kindByExtension, type RawReference } from './common.js';
import { textChunks } from './text.js';
import { readUsdc } from './usdc.js';

/**
 * Reads a USD ASCII layer, chunk by chunk, and lists its asset paths. An asset path longer than
 * `limits.maxValueLength` is left out with a note; after `limits.maxReferences` paths (sublayers included) the
 * rest are counted, not listed.
 */
export async function readUsda(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<FormatResult> {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(8);
  try {
    await handle.read(head, 0, 8, 0);
  } finally {
    await handle.close();
  }
  if (head.toString('latin1') === 'PXR-USDC') return readUsdc(file, limits);
  let first = true;
  let settings: SceneSettings = {};
  const parser = usdaParser(file, limits, nodePath.dirname(file), file);
  for await (const chunk of textChunks(file, 'USD ASCII')) {
    if (first && !chunk.startsWith('#usda ')) {
      throw new CorruptFileError(file, 'a USD ASCII layer starts with "#usda 1.0"', { line: 1 });
    }
    if (first) settings = layerSettings(chunk);
    first = false;
    parser.feed(chunk);
  }
  return { ...parser.end(first), settings };
}

/**
 * The frames of a layer, from its metadata (the parenthesised header before the first prim, within the first
 * chunk): `startTimeCode` and `endTimeCode`.
 */
export function layerSettings(chunk: string): SceneSettings {
  const prim = /^[ \t]*(?:def|over|class)\b/m.exec(chunk);
  const header = chunk.slice(0, prim ? prim.index : chunk.length);
  const code = (name: string) => {
    const m = new RegExp(`^[ \\t]*${name}[ \\t]*=[ \\t]*(-?\\d+(?:\\.\\d+)?)[ \\t]*$`, 'm').exec(header);
    return m ? Number(m[1]) : undefined;
  };
  const start = code('startTimeCode');
  const end = code('endTimeCode');
  if (start === undefined || end === undefined || start > end) return {};
  return { frames: { value: { start, end, step: 1 }, from: 'layer metadata startTimeCode/endTimeCode' } };
}

const WORD_START = /[A-Za-z_]/;

/** Whether `c` continues a word: a letter, digit, `_`, `:` or `.`. */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 95 || c === 46;
}

/**
 * The USD ASCII scanner of a layer (`file` in errors, `locationFile` in references' locations, relative paths
 * from `baseDir`), fed chunks: strings and comments are passed over, `@...@` and `@@@...@@@` asset paths are
 * listed with the key (`subLayers`, `references`, `payload`, or an attribute name) they are the value of, kept
 * until another key is assigned or the brackets it was assigned in close.
 */
export function usdaParser(file: string, limits: ScanLimits, baseDir: string, locationFile: string) {
  const references: RawReference[] = [];
  let line = 1;
  let key = '';
  let keyDepth = 0;
  let keyIsAsset = false;
  let depth = 0;
  /** Whether the current line has the type `asset` (or `asset[]`) before the key. */
  let assetOnLine = false;
  // State: code; a string (quote, triple); a comment; an asset path (triple); a word; after a word (waiting for
  // "=" past blanks).
  let mode: 'code' | 'string' | 'comment' | 'asset' | 'word' | 'afterWord' = 'code';
  let quote = '';
  let openedAt = 0;
  let value: string[] = [];
  let valueLength = 0;
  let word = '';
  let pending = ''; // characters of a closing or opening run ("@@", "''") split across chunks
  let longValues = 0;
  let firstLong = 0;
  let dropped = 0;
  // Value clips (`clips = { dictionary <set> = { string templateAssetPath = "..." } }`): the depth `clips` was
  // assigned at while inside its dictionary, the clip set being read, and whether a string being read is a
  // template (kept in `value`, as an asset path is).
  let clipsDepth = -1;
  let clipSet = '';
  let template = false;
  const addAsset = (text: string, at: number, name?: string) => {
    if (text === '') return;
    if (references.length >= limits.maxReferences) {
      dropped++;
      return;
    }
    const composition =
      key === 'subLayers' || key === 'references' || key === 'payload' || name !== undefined;
    references.push({
      path: text,
      baseDir,
      kind: composition ? 'referenced-scene' : kindByExtension(text, 'other'),
      location: {
        file: locationFile,
        type: 'line',
        name: name ?? (key === '' ? 'asset' : keyIsAsset ? `asset ${key}` : key),
        line: at,
      },
    });
  };
  /** One character of a template string, up to `maxValueLength` of them. */
  const keep = (ch: string) => {
    if (++valueLength <= limits.maxValueLength) value.push(ch);
  };
  /** The end of a string: a template is listed (or counted as too long), once. */
  const endTemplate = () => {
    if (!template) return;
    template = false;
    if (valueLength > limits.maxValueLength) {
      if (longValues++ === 0) firstLong = openedAt;
    } else addAsset(value.join(''), openedAt, `clips:${clipSet}:templateAssetPath`);
    value = [];
    key = '';
  };
  const endWord = () => {
    if (word === 'asset') assetOnLine = true;
  };
  const feed = (input: string) => {
    const text = pending + input;
    pending = '';
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text[i]!;
      if (mode === 'string') {
        if (c === '\\') {
          if (i + 1 >= n) {
            pending = c;
            return;
          }
          if (text[i + 1] === '\n') line++;
          if (template) keep(text[i + 1]!);
          i += 2;
          continue;
        }
        if (c === '\n') line++;
        if (c === quote[0]) {
          if (quote.length === 3) {
            if (i + 3 > n) {
              pending = text.slice(i);
              return;
            }
            if (text.startsWith(quote, i)) {
              mode = 'code';
              i += 3;
              endTemplate();
              continue;
            }
          } else {
            mode = 'code';
            i++;
            endTemplate();
            continue;
          }
        }
        if (template) keep(c);
        i++;
        continue;
      }
      if (mode === 'comment') {
        const nl = text.indexOf('\n', i);
        if (nl < 0) return;
        mode = 'code';
        i = nl;
        continue;
      }
      if (mode === 'asset') {
        const close = quote;
        const end = text.indexOf(close, i);
        const stop = end < 0 ? n - (close.length - 1) : end;
        const piece = text.slice(i, Math.max(i, stop));
        if (close.length === 1 && piece.includes('\n')) {
          throw new CorruptFileError(file, 'an asset path @... is never closed', { line: openedAt });
        }
        for (let j = piece.indexOf('\n'); j >= 0; j = piece.indexOf('\n', j + 1)) line++;
        valueLength += piece.length;
        if (valueLength <= limits.maxValueLength) value.push(piece);
        else value = [];
        if (end < 0) {
          pending = text.slice(Math.max(i, stop));
          return;
        }
        i = end + close.length;
        mode = 'code';
        if (valueLength > limits.maxValueLength) {
          if (longValues++ === 0) firstLong = openedAt;
        } else addAsset(value.join(''), openedAt);
        value = [];
        continue;
      }
      if (mode === 'word') {
        let j = i;
        while (j < n && isWordChar(text.charCodeAt(j))) j++;
        if (word.length < 256) word += text.slice(i, Math.min(j, i + 256));
        if (j >= n) return;
        i = j;
        mode = 'afterWord';
        continue;
      }
      if (mode === 'afterWord') {
        if (c === ' ' || c === '\t') {
          i++;
          continue;
        }
        if (c === '=') {
          key = word;
          keyDepth = depth;
          keyIsAsset = assetOnLine;
          if (word === 'clips') {
            clipsDepth = depth;
            clipSet = '';
          } else if (clipsDepth >= 0 && depth === clipsDepth + 1) clipSet = word;
        }
        endWord();
        mode = 'code';
        continue;
      }
      // code
      if (c === '\n') {
        line++;
        assetOnLine = false;
        i++;
      } else if (c === '#') {
        mode = 'comment';
      } else if (c === '"' || c === "'" || c === '@') {
        if (i + 3 > n && text.slice(i) === c.repeat(n - i)) {
          pending = text.slice(i); // a run that may go on in the next chunk
          return;
        }
        const triple = text.startsWith(c.repeat(3), i);
        quote = triple ? c.repeat(3) : c;
        openedAt = line;
        i += quote.length;
        if (c === '@') {
          mode = 'asset';
          value = [];
          valueLength = 0;
        } else {
          mode = 'string';
          template =
            key === 'templateAssetPath' && keyDepth === depth && clipsDepth >= 0 && depth > clipsDepth;
          value = [];
          valueLength = 0;
        }
      } else if (c === '[' || c === '(' || c === '{') {
        depth++;
        i++;
      } else if (c === ']' || c === ')' || c === '}') {
        depth--;
        if (depth < keyDepth) {
          key = '';
          keyDepth = 0;
        }
        if (depth <= clipsDepth) clipsDepth = -1;
        i++;
      } else if (WORD_START.test(c)) {
        word = '';
        mode = 'word';
      } else {
        i++;
      }
    }
  };
  const end = (empty: boolean): FormatResult => {
    if (empty) throw new CorruptFileError(file, 'a USD ASCII layer starts with "#usda 1.0"', { line: 1 });
    if (pending !== '') feed('\n');
    if (mode === 'string') throw new CorruptFileError(file, 'a string is never closed', { line: openedAt });
    if (mode === 'asset') {
      throw new CorruptFileError(file, 'an asset path @... is never closed', { line: openedAt });
    }
    const notes: string[] = [];
    if (longValues > 0) {
      notes.push(
        `${longValues} asset path(s) longer than ${sizeText(limits.maxValueLength)} (limits.maxValueLength) were left out (the first at line ${firstLong})`,
      );
    }
    if (dropped > 0) {
      notes.push(
        `only the first ${limits.maxReferences} asset paths are listed (limits.maxReferences): ${dropped} more left out`,
      );
    }
    return { format: 'usda', scanned: true, details: {}, references, notes };
  };
  return { feed, end };
}
