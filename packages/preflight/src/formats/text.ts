/**
 * Streaming text scene files within bounds: decoded chunks (a NUL byte is a typed error naming its line), lines,
 * and the statements of Maya ASCII and Nuke, each held only up to `maxRecordLength` characters. A longer unit is
 * passed over as it streams by, and reported with its first characters, so a reader can say what it skipped.
 */
import { isAscii } from 'node:buffer';
import { open } from 'node:fs/promises';
import { CorruptFileError } from '../errors.js';

const CHUNK = 256 * 1024;
/** Characters kept of a unit too long to hold: enough to see what it is. */
const HEAD = 4096;

/** The line (1-based) of byte `offset` of `file`, counted by reading it again (for error messages only). */
async function lineAt(file: string, offset: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    let line = 1;
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let at = 0; at < offset; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, offset - at), at);
      if (bytesRead === 0) break;
      for (let i = buffer.indexOf(10, 0); i >= 0 && i < bytesRead; i = buffer.indexOf(10, i + 1)) line++;
      at += bytesRead;
    }
    return line;
  } finally {
    await handle.close();
  }
}

/** The first `n` bytes of `file` as latin1 text (a format's magic line), read without decoding the rest. */
export async function headOf(file: string, n: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buffer, 0, n, 0);
    return buffer.toString('latin1', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The decoded text of `file`, chunk by chunk (UTF-8); a NUL byte is a {@link CorruptFileError} naming its line. */
export async function* textChunks(file: string, what: string): AsyncGenerator<string> {
  const handle = await open(file, 'r');
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  let ascii = true;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      const bytes = buffer.subarray(0, bytesRead);
      const nul = bytes.indexOf(0);
      if (nul >= 0) {
        const line = await lineAt(file, position + nul);
        throw new CorruptFileError(file, `a ${what} file is text; found a NUL byte (binary data)`, { line });
      }
      position += bytesRead;
      // ASCII text (the usual scene) is read as it is, until the first chunk that is not: UTF-8 from there on.
      if (ascii) ascii = isAscii(bytes);
      const text = ascii ? bytes.toString('latin1') : decoder.decode(bytes, { stream: true });
      if (text.length > 0) yield text;
    }
    const rest = ascii ? '' : decoder.decode();
    if (rest.length > 0) yield rest;
  } finally {
    await handle.close();
  }
}

/** One unit of text (a line, a statement), or the start of one too long to hold. */
export interface TextRecord {
  /** The unit's text, when it is no longer than the limit. */
  text: string | undefined;
  /** For a unit too long to hold: its first characters. */
  head: string;
  /** For a unit too long to hold: its last characters (up to 256). */
  tail: string;
  /** Its length in characters. */
  length: number;
  /** The line (1-based) it starts on. */
  line: number;
}

/** The line a unit's first non-blank character is on (its `line` is where the unit, blanks included, starts). */
export function firstLine(record: TextRecord): number {
  const text = record.text ?? record.head;
  let line = record.line;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c !== 32 && c !== 9 && c !== 13) break;
  }
  return line;
}

/** Collects the text of one unit, keeping at most `max` characters (then only the head and tail). */
class Collector {
  /** The unit's first piece: most units are one piece of one chunk, held without an array. */
  #first = '';
  #parts: string[] = [];
  #length = 0;
  #head = '';
  #tail = '';
  line = 1;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get length(): number {
    return this.#length;
  }

  add(piece: string): void {
    if (piece.length === 0) return;
    const wasEmpty = this.#length === 0;
    // Whether the unit so far is held whole (it has pieces and is within the limit).
    const held = !wasEmpty && this.#length <= this.#max;
    this.#length += piece.length;
    if (this.#length <= this.#max) {
      if (wasEmpty) this.#first = piece;
      else {
        if (this.#parts.length === 0) this.#parts.push(this.#first);
        this.#parts.push(piece);
      }
      return;
    }
    if (held) {
      this.#head = (this.#parts.length > 0 ? this.#parts.join('') : this.#first).slice(0, HEAD);
      this.#parts = [];
      this.#first = '';
    }
    if (this.#head.length < HEAD) this.#head += piece.slice(0, HEAD - this.#head.length);
    this.#tail = (this.#tail + piece).slice(-256);
  }

  /** Drops the unit collected so far (not wanted), and a fresh start on line `next`. */
  drop(next: number): void {
    if (this.#parts.length > 0) this.#parts = [];
    this.#first = '';
    this.#length = 0;
    this.#head = '';
    this.#tail = '';
    this.line = next;
  }

  /** The unit collected so far, and a fresh start on line `next`. */
  take(next: number): TextRecord {
    const whole = this.#length <= this.#max;
    const text = whole ? (this.#parts.length > 0 ? this.#parts.join('') : this.#first) : undefined;
    const record: TextRecord = {
      text,
      head: whole ? '' : this.#head,
      tail: whole ? '' : this.#tail,
      length: this.#length,
      line: this.line,
    };
    if (this.#parts.length > 0) this.#parts = [];
    this.#first = '';
    this.#length = 0;
    this.#head = '';
    this.#tail = '';
    this.line = next;
    return record;
  }
}

/** What ends a run of MEL code that needs no look: `;`, a quote, a slash, a line break. */
const MEL_CODE = /[;"/\n]/g;
/** What ends a run inside a quoted string: a quote, a backslash, a line break. */
const QUOTED = /["\\\n]/g;

/** The index before the next character of `chunk` after `i` that `stop` matches (the chunk's last when none). */
function jump(stop: RegExp, chunk: string, i: number): number {
  stop.lastIndex = i + 1;
  const m = stop.exec(chunk);
  return (m ? m.index : chunk.length) - 1;
}

/** The lines of `chunks` (without their `\n`), each held up to `max` characters, in batches. */
export async function* lines(chunks: AsyncIterable<string>, max: number): AsyncGenerator<TextRecord[]> {
  const unit = new Collector(max);
  const out: TextRecord[] = [];
  let line = 1;
  for await (const chunk of chunks) {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      unit.add(chunk.slice(from, nl));
      line++;
      out.push(unit.take(line));
      from = nl + 1;
    }
    unit.add(chunk.slice(from));
    if (out.length > 0) yield out.splice(0);
  }
  if (unit.length > 0) out.push(unit.take(line));
  if (out.length > 0) yield out;
}

/**
 * Maya ASCII (MEL) statements: the text up to and with each `;` that is outside strings and comments. Text after
 * the last `;` comes as a last unit.
 */
export async function* melStatements(
  chunks: AsyncIterable<string>,
  max: number,
): AsyncGenerator<TextRecord[]> {
  const unit = new Collector(max);
  const out: TextRecord[] = [];
  let line = 1;
  // 0 code, 1 string, 2 string after "\", 3 line comment, 4 block comment, 5 block comment after "*",
  // 6 code after "/"
  let state = 0;
  for await (const chunk of chunks) {
    let from = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) line++;
      switch (state) {
        case 0:
          if (c === 59) {
            unit.add(chunk.slice(from, i + 1));
            from = i + 1;
            out.push(unit.take(line));
          } else if (c === 34) state = 1;
          else if (c === 47) state = 6;
          else if (c !== 10) i = jump(MEL_CODE, chunk, i);
          break;
        case 6:
          state = c === 47 ? 3 : c === 42 ? 4 : 0;
          if (state === 0) i--; // read the character again as code
          if (state === 0 && c === 10) line--;
          break;
        case 1:
          if (c === 92) state = 2;
          else if (c === 34) state = 0;
          else if (c !== 10) i = jump(QUOTED, chunk, i);
          break;
        case 2:
          state = 1;
          break;
        case 3:
          if (c === 10) state = 0;
          break;
        case 4:
          if (c === 42) state = 5;
          break;
        case 5:
          state = c === 47 ? 0 : c === 42 ? 5 : 4;
          break;
      }
    }
    unit.add(chunk.slice(from));
    if (out.length > 0) yield out.splice(0);
  }
  if (unit.length > 0) out.push(unit.take(line));
  if (out.length > 0) yield out;
}

/**
 * Nuke (TCL) top-level statements: split at a newline or `;` outside braces, quotes and brackets, and after each
 * brace group that closes at the top level, so that several nodes on one line come as several units. With
 * `skipEmpty`, units that hold nothing but blanks, `;` and comments (such as the line break after each node) are
 * passed over instead of coming as units.
 */
export async function* tclStatements(
  chunks: AsyncIterable<string>,
  max: number,
  { skipEmpty = false }: { skipEmpty?: boolean } = {},
): AsyncGenerator<TextRecord[]> {
  const unit = new Collector(max);
  const out: TextRecord[] = [];
  let line = 1;
  let depth = 0; // braces
  let brackets = 0;
  let quoted = false;
  let escaped = false;
  let comment = false;
  let atStart = true; // at the start of a command (only blanks so far)
  for await (const chunk of chunks) {
    let from = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) line++;
      if (escaped) {
        escaped = false;
        continue;
      }
      if (comment) {
        if (c === 10) {
          comment = false;
          atStart = true;
        }
        continue;
      }
      if (c === 92) {
        escaped = true;
        atStart = false;
        continue;
      }
      if (depth > 0) {
        if (c === 123) depth++;
        else if (c === 125) {
          if (--depth === 0) {
            unit.add(chunk.slice(from, i + 1));
            from = i + 1;
            out.push(unit.take(line));
            atStart = true;
          }
        } else {
          // A run inside braces up to the next brace or backslash, its line breaks counted on the way (a loop over
          // the characters: most runs are one short line, where a regular expression costs more to start).
          let j = i + 1;
          for (; j < n; j++) {
            const d = chunk.charCodeAt(j);
            if (d === 123 || d === 125 || d === 92) break;
            if (d === 10) line++;
          }
          i = j - 1;
        }
        continue;
      }
      if (quoted) {
        if (c === 34) quoted = false;
        else if (c !== 10) i = jump(QUOTED, chunk, i);
        continue;
      }
      if (c === 10 || c === 59) {
        if (brackets > 0) continue;
        // Only blanks, `;` and comments since the unit started (`atStart` holds through comments).
        if (skipEmpty && atStart) unit.drop(line);
        else {
          unit.add(chunk.slice(from, i + 1));
          out.push(unit.take(line));
        }
        from = i + 1;
        atStart = true;
        continue;
      }
      if (c === 32 || c === 9 || c === 13) continue;
      if (c === 35 && atStart) {
        comment = true;
        continue;
      }
      atStart = false;
      if (c === 123) depth = 1;
      else if (c === 34) quoted = true;
      else if (c === 91) brackets++;
      else if (c === 93 && brackets > 0) brackets--;
    }
    unit.add(chunk.slice(from));
    if (out.length > 0) yield out.splice(0);
  }
  if (unit.length > 0 && !(skipEmpty && atStart)) out.push(unit.take(line));
  if (out.length > 0) yield out;
}
