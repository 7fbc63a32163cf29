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

/** What the scanner is reading: code; a string; a comment; an asset path; a word; blanks after a word. */
type Mode = 'code' | 'string' | 'comment' | 'asset' | 'word' | 'afterWord';

/** A step that reached the end of the chunk: the rest (if any) waits in `pending` for the next one. */
const STOP = -1;

/**
 * The state of {@link usdaParser}, one method per {@link Mode}: each reads from `text[i]` and returns where to go
 * on, or {@link STOP}.
 */
class UsdaScanner {
  readonly references: RawReference[] = [];
  #mode: Mode = 'code';
  #line = 1;
  #depth = 0;
  /** Characters of a closing or opening run (`@@`, `''`) split across chunks. */
  #pending = '';
  // The key the values being read belong to: its name, the bracket depth it was assigned at, whether the line
  // has the type `asset` (or `asset[]`) before it, and the word being read (a key when "=" follows).
  #key = '';
  #keyDepth = 0;
  #keyIsAsset = false;
  #assetOnLine = false;
  #word = '';
  // The string or asset path being read: its quote (one or three of `"`, `'` or `@`), the line it opened at,
  // its text.
  #quote = '';
  #openedAt = 0;
  #value: string[] = [];
  #valueLength = 0;
  // Value clips (`clips = { dictionary <set> = { string templateAssetPath = "..." } }`): the depth `clips` was
  // assigned at while inside its dictionary, the clip set being read, and whether the string being read is a
  // template (kept in the value, as an asset path is).
  #clipsDepth = -1;
  #clipSet = '';
  #template = false;
  // What was left out: asset paths too long (and the line of the first), and those past `maxReferences`.
  #longValues = 0;
  #firstLong = 0;
  #dropped = 0;

  constructor(
    readonly file: string,
    readonly limits: ScanLimits,
    readonly baseDir: string,
    readonly locationFile: string,
  ) {}

  /** Reads the next chunk of the layer. */
  feed(input: string): void {
    const text = this.#pending + input;
    this.#pending = '';
    for (let i = 0; i < text.length; ) {
      i = this.#step(text, i);
      if (i === STOP) return;
    }
  }

  /** The result, once the last chunk was fed (`empty` when there was none). */
  end(empty: boolean): FormatResult {
    if (empty)
      throw new CorruptFileError(this.file, 'a USD ASCII layer starts with "#usda 1.0"', { line: 1 });
    if (this.#pending !== '') this.feed('\n');
    if (this.#mode === 'string') {
      throw new CorruptFileError(this.file, 'a string is never closed', { line: this.#openedAt });
    }
    if (this.#mode === 'asset') {
      throw new CorruptFileError(this.file, 'an asset path @... is never closed', { line: this.#openedAt });
    }
    return { format: 'usda', scanned: true, details: {}, references: this.references, notes: this.#notes() };
  }

  #step(text: string, i: number): number {
    switch (this.#mode) {
      case 'string':
        return this.#inString(text, i);
      case 'comment':
        return this.#inComment(text, i);
      case 'asset':
        return this.#inAsset(text, i);
      case 'word':
        return this.#inWord(text, i);
      case 'afterWord':
        return this.#afterWord(text, i);
      default:
        return this.#inCode(text, i);
    }
  }

  /** Code: line ends, comments, strings and asset paths opening, brackets, words. */
  #inCode(text: string, i: number): number {
    const c = text[i]!;
    if (c === '\n') {
      this.#line++;
      this.#assetOnLine = false;
      return i + 1;
    }
    if (c === '#') {
      this.#mode = 'comment';
      return i;
    }
    if (c === '"' || c === "'" || c === '@') return this.#open(text, i, c);
    if (c === '[' || c === '(' || c === '{') {
      this.#depth++;
    } else if (c === ']' || c === ')' || c === '}') {
      this.#depth--;
      if (this.#depth < this.#keyDepth) {
        this.#key = '';
        this.#keyDepth = 0;
      }
      if (this.#depth <= this.#clipsDepth) this.#clipsDepth = -1;
    } else if (WORD_START.test(c)) {
      this.#word = '';
      this.#mode = 'word';
      return i;
    }
    return i + 1;
  }

  /** A string or an asset path opening at `text[i]` (`c`, once or three times). */
  #open(text: string, i: number, c: string): number {
    const n = text.length;
    if (i + 3 > n && text.slice(i) === c.repeat(n - i)) {
      this.#pending = text.slice(i); // a run that may go on in the next chunk
      return STOP;
    }
    this.#quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
    this.#openedAt = this.#line;
    this.#value = [];
    this.#valueLength = 0;
    if (c === '@') this.#mode = 'asset';
    else {
      this.#mode = 'string';
      this.#template =
        this.#key === 'templateAssetPath' &&
        this.#keyDepth === this.#depth &&
        this.#clipsDepth >= 0 &&
        this.#depth > this.#clipsDepth;
    }
    return i + this.#quote.length;
  }

  /** A string: escapes, its closing quote; a clip template's characters are kept. */
  #inString(text: string, i: number): number {
    const c = text[i]!;
    const n = text.length;
    if (c === '\\') {
      if (i + 1 >= n) {
        this.#pending = c;
        return STOP;
      }
      if (text[i + 1] === '\n') this.#line++;
      if (this.#template) this.#keep(text[i + 1]!);
      return i + 2;
    }
    if (c === '\n') this.#line++;
    if (c === this.#quote[0]) {
      if (this.#quote.length === 1) return this.#closeString(i + 1);
      if (i + 3 > n) {
        this.#pending = text.slice(i);
        return STOP;
      }
      if (text.startsWith(this.#quote, i)) return this.#closeString(i + 3);
    }
    if (this.#template) this.#keep(c);
    return i + 1;
  }

  /** The end of a string, before `next`: a template is listed (or counted as too long), once. */
  #closeString(next: number): number {
    this.#mode = 'code';
    if (this.#template) {
      this.#template = false;
      this.#listValue(`clips:${this.#clipSet}:templateAssetPath`);
      this.#key = '';
    }
    return next;
  }

  /** A comment: passed over to the line end, which code reads. */
  #inComment(text: string, i: number): number {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return STOP;
    this.#mode = 'code';
    return nl;
  }

  /** An asset path: its text up to the closing `@` (or `@@@`, which may span lines), then listed. */
  #inAsset(text: string, i: number): number {
    const close = this.#quote;
    const end = text.indexOf(close, i);
    const stop = end < 0 ? text.length - (close.length - 1) : end;
    const piece = text.slice(i, Math.max(i, stop));
    if (close.length === 1 && piece.includes('\n')) {
      throw new CorruptFileError(this.file, 'an asset path @... is never closed', { line: this.#openedAt });
    }
    for (let j = piece.indexOf('\n'); j >= 0; j = piece.indexOf('\n', j + 1)) this.#line++;
    this.#valueLength += piece.length;
    if (this.#valueLength <= this.limits.maxValueLength) this.#value.push(piece);
    else this.#value = [];
    if (end < 0) {
      this.#pending = text.slice(Math.max(i, stop));
      return STOP;
    }
    this.#mode = 'code';
    this.#listValue();
    return end + close.length;
  }

  /** A word (at most 256 characters of it kept): a type such as `asset`, or a key when "=" follows. */
  #inWord(text: string, i: number): number {
    let j = i;
    while (j < text.length && isWordChar(text.charCodeAt(j))) j++;
    if (this.#word.length < 256) this.#word += text.slice(i, Math.min(j, i + 256));
    if (j >= text.length) return STOP;
    this.#mode = 'afterWord';
    return j;
  }

  /** Blanks after a word, then "=" (the word is the key of what follows) or anything else (code reads it). */
  #afterWord(text: string, i: number): number {
    const c = text[i]!;
    if (c === ' ' || c === '\t') return i + 1;
    const word = this.#word;
    if (c === '=') {
      this.#key = word;
      this.#keyDepth = this.#depth;
      this.#keyIsAsset = this.#assetOnLine;
      if (word === 'clips') {
        this.#clipsDepth = this.#depth;
        this.#clipSet = '';
      } else if (this.#clipsDepth >= 0 && this.#depth === this.#clipsDepth + 1) this.#clipSet = word;
    }
    if (word === 'asset') this.#assetOnLine = true;
    this.#mode = 'code';
    return i;
  }

  /** One character of a template string, up to `maxValueLength` of them. */
  #keep(ch: string): void {
    if (++this.#valueLength <= this.limits.maxValueLength) this.#value.push(ch);
  }

  /** The value read (an asset path, or a template under `name`): listed, or counted when too long. */
  #listValue(name?: string): void {
    if (this.#valueLength > this.limits.maxValueLength) {
      if (this.#longValues++ === 0) this.#firstLong = this.#openedAt;
    } else this.#add(this.#value.join(''), this.#openedAt, name);
    this.#value = [];
  }

  /** An asset path at line `at`, under the current key (or `name`); counted past `maxReferences`. */
  #add(text: string, at: number, name?: string): void {
    if (text === '') return;
    if (this.references.length >= this.limits.maxReferences) {
      this.#dropped++;
      return;
    }
    const key = this.#key;
    const composition =
      key === 'subLayers' || key === 'references' || key === 'payload' || name !== undefined;
    this.references.push({
      path: text,
      baseDir: this.baseDir,
      kind: composition ? 'referenced-scene' : kindByExtension(text, 'other'),
      location: {
        file: this.locationFile,
        type: 'line',
        name: name ?? (key === '' ? 'asset' : this.#keyIsAsset ? `asset ${key}` : key),
        line: at,
      },
    });
  }

  /** Notes of what was left out. */
  #notes(): string[] {
    const notes: string[] = [];
    const { maxValueLength, maxReferences } = this.limits;
    if (this.#longValues > 0) {
      notes.push(
        `${this.#longValues} asset path(s) longer than ${sizeText(maxValueLength)} (limits.maxValueLength) were left out (the first at line ${this.#firstLong})`,
      );
    }
    if (this.#dropped > 0) {
      notes.push(
        `only the first ${maxReferences} asset paths are listed (limits.maxReferences): ${this.#dropped} more left out`,
      );
    }
    return notes;
  }
}

/**
 * The USD ASCII scanner of a layer (`file` in errors, `locationFile` in references' locations, relative paths
 * from `baseDir`), fed chunks: strings and comments are passed over, `@...@` and `@@@...@@@` asset paths are
 * listed with the key (`subLayers`, `references`, `payload`, or an attribute name) they are the value of, kept
 * until another key is assigned or the brackets it was assigned in close.
 */
export function usdaParser(
  file: string,
  limits: ScanLimits,
  baseDir: string,
  locationFile: string,
): { feed(chunk: string): void; end(empty: boolean): FormatResult } {
  const scanner = new UsdaScanner(file, limits, baseDir, locationFile);
  return { feed: (chunk) => scanner.feed(chunk), end: (empty) => scanner.end(empty) };
}
