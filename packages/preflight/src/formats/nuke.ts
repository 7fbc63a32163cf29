/**
 * Nuke `.nk` scripts (TCL syntax): nodes are `Class { knob value ... }`; the file knobs of reading nodes are
 * listed. A value holding a TCL command (`[...]`) or variable (`$name`) is an expression: reported as not
 * resolvable, never guessed. `Root.project_directory` (when a plain path, or the usual
 * `[python {nuke.script_directory()}]`) is where relative paths start.
 */
import nodePath from 'node:path';
import { CorruptFileError } from '../errors.js';
import { DEFAULT_LIMITS, sizeText } from '../limits.js';
import type { ReferenceKind, ScanLimits } from '../types.js';
import { type FormatResult, kindByExtension, type RawReference } from './common.js';
import { firstLine, tclStatements, textChunks } from './text.js';

/** Node classes and their file knobs, with the kind their files are when the extension says nothing. */
const READERS: Record<string, { knobs: string[]; kind: ReferenceKind }> = {
  Read: { knobs: ['file', 'proxy'], kind: 'texture' },
  DeepRead: { knobs: ['file'], kind: 'texture' },
  ReadGeo: { knobs: ['file'], kind: 'cache' },
  ReadGeo2: { knobs: ['file'], kind: 'cache' },
  Camera: { knobs: ['file'], kind: 'cache' },
  Camera2: { knobs: ['file'], kind: 'cache' },
  Camera3: { knobs: ['file'], kind: 'cache' },
  Camera4: { knobs: ['file'], kind: 'cache' },
  Axis: { knobs: ['file'], kind: 'cache' },
  Axis2: { knobs: ['file'], kind: 'cache' },
  Axis3: { knobs: ['file'], kind: 'cache' },
  Light: { knobs: ['file'], kind: 'cache' },
  Light2: { knobs: ['file'], kind: 'cache' },
  Light3: { knobs: ['file'], kind: 'cache' },
  OCIOFileTransform: { knobs: ['file'], kind: 'other' },
  Vectorfield: { knobs: ['vfield_file'], kind: 'other' },
  AudioRead: { knobs: ['file'], kind: 'sound' },
  Precomp: { knobs: ['file'], kind: 'referenced-scene' },
  LiveGroup: { knobs: ['file'], kind: 'referenced-scene' },
  ParticleCache: { knobs: ['file'], kind: 'cache' },
  GeoImport: { knobs: ['file'], kind: 'cache' },
  BlinkScript: { knobs: ['kernelSourceFile'], kind: 'other' },
};

interface Token {
  type: 'word' | 'brace' | 'newline';
  text: string;
  line: number;
  /** For braces: the line the content starts on. */
  quoted?: boolean;
}

/** What {@link Lexer.next} found: the end of the text, a line break, a word, or a `{...}` group. */
const END = 0;
const NEWLINE = 1;
const WORD = 2;
const BRACE = 3;

/**
 * Splits TCL text into words, `{...}` groups (balanced, kept raw) and newlines, one at a time without an object per
 * token: {@link Lexer.next} says what comes next, {@link Lexer.text} reads its text only when it is wanted.
 */
class Lexer {
  private i = 0;
  private readonly n: number;
  /** The line of the token found last (for a group, the line its content starts on). */
  tokenLine = 0;
  /** Whether the word found last was a quoted string. */
  quoted = false;
  private start = 0;
  private end = 0;
  private escaped = false;

  constructor(
    private readonly file: string,
    private readonly source: string,
    /** The line the text starts on, then the line the lexer is at. */
    private line: number,
  ) {
    this.n = source.length;
  }

  /** The text of the word or group found last (a quoted string with its escapes read). */
  text(): string {
    const raw = this.source.slice(this.start, this.end);
    return this.escaped
      ? raw.replace(/\\(.)/gs, (_, e: string) => (e === 'n' ? '\n' : e === 't' ? '\t' : e))
      : raw;
  }

  next(): number {
    const text = this.source;
    const n = this.n;
    let i = this.i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        this.tokenLine = this.line++;
        this.i = i + 1;
        return NEWLINE;
      }
      if (c === 32 || c === 9 || c === 13 || c === 59) {
        i++;
      } else if (c === 35 && atCommandStart(text, i)) {
        // A comment to the end of the line.
        while (i < n && text.charCodeAt(i) !== 10) i++;
      } else if (c === 123) {
        const start = i + 1;
        const startLine = this.line;
        let line = this.line;
        let depth = 1;
        i++;
        while (i < n && depth > 0) {
          const d = text.charCodeAt(i);
          if (d === 92) i++;
          else if (d === 123) depth++;
          else if (d === 125) depth--;
          else if (d === 10) line++;
          i++;
        }
        if (depth > 0) throw new CorruptFileError(this.file, 'a "{" is never closed', { line: startLine });
        return this.found(BRACE, start, i - 1, i, startLine, line, false, false);
      } else if (c === 125) {
        throw new CorruptFileError(this.file, 'a "}" closes nothing', { line: this.line });
      } else if (c === 34) {
        const startLine = this.line;
        let line = this.line;
        const start = i + 1;
        let j = start;
        let escaped = false;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === 34) break;
          if (d === 92) {
            escaped = true;
            if (text.charCodeAt(j + 1) === 10) line++;
            j += 2;
            continue;
          }
          if (d === 10) line++;
          j++;
        }
        if (j >= n)
          throw new CorruptFileError(this.file, 'a quoted string is never closed', { line: startLine });
        return this.found(WORD, start, j, j + 1, startLine, line, true, escaped);
      } else {
        const start = i;
        let line = this.line;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 32 || d === 9 || d === 10 || d === 13 || d === 59 || d === 123 || d === 125) break;
          if (d === 92) i++;
          else if (d === 91) {
            // A command substitution [ ... ] is part of the word, spaces included.
            let depth = 0;
            while (i < n) {
              const e = text.charCodeAt(i);
              if (e === 91) depth++;
              else if (e === 93 && --depth === 0) break;
              else if (e === 10) line++;
              i++;
            }
          }
          i++;
        }
        // A word's line is where the lexer is once it is read (a substitution over lines counts them first).
        return this.found(WORD, start, Math.min(i, n), i, line, line, false, false);
      }
    }
    this.i = i;
    return END;
  }

  private found(
    kind: number,
    start: number,
    end: number,
    after: number,
    tokenLine: number,
    line: number,
    quoted: boolean,
    escaped: boolean,
  ): number {
    this.start = start;
    this.end = end;
    this.i = after;
    this.tokenLine = tokenLine;
    this.line = line;
    this.quoted = quoted;
    this.escaped = escaped;
    return kind;
  }
}

/** Splits TCL text into words, `{...}` groups (balanced, kept raw) and newlines. */
function* tokens(file: string, text: string, firstLine: number): Generator<Token> {
  const lexer = new Lexer(file, text, firstLine);
  for (let kind = lexer.next(); kind !== END; kind = lexer.next()) {
    if (kind === NEWLINE) yield { type: 'newline', text: '\n', line: lexer.tokenLine };
    else if (kind === BRACE) yield { type: 'brace', text: lexer.text(), line: lexer.tokenLine };
    else if (lexer.quoted) yield { type: 'word', text: lexer.text(), line: lexer.tokenLine, quoted: true };
    else yield { type: 'word', text: lexer.text(), line: lexer.tokenLine };
  }
}

function atCommandStart(text: string, i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const c = text.charCodeAt(j);
    if (c === 10 || c === 59) return true;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** The knobs {@link knobsOf} keeps of every reading node (its file knobs are kept too). */
const KEPT_KNOBS = new Set(['name', 'first', 'last', 'project_directory']);

/**
 * The knobs of a node's body that the reader uses (its name, frame range, file knobs, the Root's project folder),
 * each with its first value. Knobs and values pair up, several pairs on a line if need be; a line break ends an
 * unpaired knob. Other knobs are passed over without their text being read.
 */
function knobsOf(
  file: string,
  body: string,
  line: number,
  cls: string,
): Map<string, { value: string; quoted: boolean; line: number }> {
  const fileKnobs = READERS[cls]?.knobs ?? [];
  const knobs = new Map<string, { value: string; quoted: boolean; line: number }>();
  const lexer = new Lexer(file, body, line);
  let knob: string | undefined;
  let knobLine = 0;
  for (let kind = lexer.next(); kind !== END; kind = lexer.next()) {
    if (kind === NEWLINE) {
      knob = undefined;
    } else if (knob === undefined) {
      if (kind === WORD) {
        const name = lexer.text();
        knob = KEPT_KNOBS.has(name) || fileKnobs.includes(name) ? name : '';
        knobLine = lexer.tokenLine;
      }
    } else {
      if (knob !== '' && !knobs.has(knob)) {
        knobs.set(knob, { value: lexer.text(), quoted: lexer.quoted, line: knobLine });
      }
      knob = undefined;
    }
  }
  return knobs;
}

/** Why a knob value cannot be resolved outside Nuke, if it cannot. */
export function nukeExpression(value: string): string | undefined {
  if (value.includes('[')) return 'set by a TCL expression ([...]): evaluate it in Nuke';
  const variable = /\$(env\([^)]*\)|\{?[A-Za-z_]\w*\}?)/.exec(value);
  if (variable) return `uses the variable $${variable[1]}: evaluate it in Nuke`;
  return undefined;
}

/**
 * Reads a Nuke script, a top-level statement at a time (several nodes on one line are several statements), and
 * lists the files its reading nodes name. A node longer than `limits.maxRecordLength` is passed over, with a note
 * when it is a reading node; a path longer than `limits.maxValueLength` is left out with a note.
 */
export async function readNuke(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<FormatResult> {
  const parser = nukeParser(file, limits);
  for await (const batch of tclStatements(textChunks(file, 'Nuke script'), limits.maxRecordLength))
    for (const record of batch) {
      if (record.text !== undefined) parser.feed(record.text, record.line);
      else parser.tooLong(record.head, record.length, firstLine(record));
    }
  return parser.result();
}

/** The start of a statement that is a node: its class, then its brace. */
const NODE_HEAD = /^[ \t\r\n]*([A-Za-z_][\w.]*)[ \t\r]*\{/;

/** A Nuke script parser fed one top-level statement at a time. */
function nukeParser(file: string, limits: ScanLimits) {
  const scriptDir = nodePath.dirname(file);
  let baseDir = scriptDir;
  const notes: string[] = [];
  const found: {
    cls: string;
    name: string;
    knob: string;
    value: string;
    quoted: boolean;
    line: number;
    within?: [number, number];
  }[] = [];
  const details: Record<string, string | number> = {};
  let nodes = 0;
  let tooLong = 0;
  let firstTooLong = '';
  let longValues = 0;
  let firstLongValue = '';
  let dropped = 0;
  const walk = (body: string, firstLine: number, depth: number) => {
    if (depth > 64) throw new CorruptFileError(file, 'nodes nested more than 64 deep', { line: firstLine });
    let previous: Token | undefined;
    let statementStart = true;
    let command: Token | undefined;
    for (const token of tokens(file, body, firstLine)) {
      if (token.type === 'newline') {
        statementStart = true;
        previous = undefined;
        continue;
      }
      if (statementStart) {
        command = token;
        statementStart = false;
        if (token.type === 'word' && token.text === 'version' && depth === 0) details.nukeVersion = '';
      }
      if (depth === 0 && command?.text === 'version' && token !== command && token.type === 'word') {
        details.nukeVersion = `${details.nukeVersion} ${token.text}`.trim();
      }
      if (token.type === 'brace' && previous?.type === 'word' && previous === command) {
        nodes++;
        node(previous.text, token.text, token.line);
      }
      previous = token;
    }
  };
  const node = (cls: string, body: string, line: number) => {
    if (cls !== 'Root' && READERS[cls] === undefined) return; // no file knob to read
    if (cls !== 'Root' && found.length >= limits.maxReferences) {
      dropped++; // past the cap: counted, not read
      return;
    }
    const knobs = knobsOf(file, body, line, cls);
    const name = knobs.get('name')?.value ?? cls;
    if (cls === 'Root') {
      const dir = knobs.get('project_directory')?.value;
      if (dir !== undefined && dir !== '') {
        if (
          /nuke\.script_directory\(\)/.test(dir) &&
          /^\[python \{?nuke\.script_directory\(\)\}?\]$/.test(dir.trim())
        ) {
          baseDir = scriptDir;
        } else if (nukeExpression(dir) === undefined) {
          baseDir = nodePath.resolve(scriptDir, dir);
        } else {
          notes.push(
            `Root.project_directory "${dir}" is an expression: relative paths are taken from the script's folder`,
          );
        }
      }
    }
    const spec = READERS[cls];
    if (spec) {
      const first = Number(knobs.get('first')?.value);
      const last = Number(knobs.get('last')?.value);
      const within: [number, number] | undefined =
        Number.isInteger(first) && Number.isInteger(last) && first <= last ? [first, last] : undefined;
      for (const k of spec.knobs) {
        const v = knobs.get(k);
        if (!v || v.value.trim() === '') continue;
        if (v.value.length > limits.maxValueLength) {
          if (longValues++ === 0) firstLongValue = `${cls} ${name}.${k} at line ${v.line}`;
          continue;
        }
        if (found.length >= limits.maxReferences) {
          dropped++;
          break;
        }
        found.push({
          cls,
          name,
          knob: k,
          value: v.value.trim(),
          quoted: v.quoted,
          line: v.line,
          ...(within ? { within } : {}),
        });
      }
    }
    if (cls === 'Group' || cls === 'Gizmo' || cls === 'LiveGroup') {
      // Group bodies hold knobs only; their nodes follow at the top level until end_group.
    }
  };
  const feed = (text: string, line: number) => {
    // A blank statement (the line break after a node) holds nothing to read.
    let last = text.length - 1;
    for (let c = text.charCodeAt(last); c === 32 || c === 9 || c === 10 || c === 13 || c === 59; )
      c = text.charCodeAt(--last);
    if (last < 0) return;
    // A statement that is one node, `Class { ... }` (the usual one), is read without tokenizing it at the top.
    const head = NODE_HEAD.exec(text);
    if (head && text.charCodeAt(last) === 125) {
      let at = line;
      for (let i = text.indexOf('\n'); i >= 0 && i < head[0].length; i = text.indexOf('\n', i + 1)) at++;
      nodes++;
      node(head[1]!, text.slice(head[0].length, text.lastIndexOf('}')), at);
      return;
    }
    walk(text, line, 0);
  };
  const skip = (head: string, length: number, line: number) => {
    const cls = /^\s*([^\s{]+)/.exec(head)?.[1] ?? '';
    if (/^\s*[^\s{]+\s*\{/.test(head)) nodes++;
    if (cls === 'Root' || READERS[cls] !== undefined) {
      if (tooLong++ === 0) firstTooLong = `${cls} node of ${length} characters at line ${line}`;
    }
  };
  const result = (): FormatResult => {
    const references: RawReference[] = found.map((f) => {
      const spec = READERS[f.cls]!;
      const unresolved = nukeExpression(f.value);
      return {
        path: f.value,
        baseDir,
        kind: kindByExtension(f.value, spec.kind),
        location: { file, type: 'node', name: `${f.cls} ${f.name}.${f.knob}`, line: f.line },
        ...(f.within ? { within: f.within } : {}),
        ...(unresolved ? { unresolved } : {}),
      };
    });
    if (tooLong > 0) {
      notes.push(
        `${tooLong} reading node(s) longer than ${sizeText(limits.maxRecordLength)} (limits.maxRecordLength) were not read (the first: ${firstTooLong})`,
      );
    }
    if (longValues > 0) {
      notes.push(
        `${longValues} path(s) longer than ${sizeText(limits.maxValueLength)} (limits.maxValueLength) were left out (the first: ${firstLongValue})`,
      );
    }
    if (dropped > 0) {
      notes.push(
        `only the first ${limits.maxReferences} references are listed (limits.maxReferences): ${dropped} more reading node(s) not read`,
      );
    }
    details.nodes = nodes;
    return { format: 'nuke', scanned: true, details, references, notes };
  };
  return { feed, tooLong: skip, result };
}
