/**
 * Nuke `.nk` scripts (TCL syntax): nodes are `Class { knob value ... }`; the file knobs of reading nodes are
 * listed. A value holding a TCL command (`[...]`) or variable (`$name`) is an expression: reported as not
 * resolvable, never guessed. `Root.project_directory` (when a plain path, or the usual
 * `[python {nuke.script_directory()}]`) is where relative paths start.
 */
import nodePath from 'node:path';
import { CorruptFileError } from '../errors.js';
import { DEFAULT_LIMITS, sizeText } from '../limits.js';
import type { ReferenceKind, ScanLimits, SceneSettings } from '../types.js';
import { type FormatResult, kindByExtension, type RawReference } from './common.js';
import { firstLine, tclStatements, textChunks } from './text.js';

/**
 * Node classes and their file knobs, with the kind their files are when the extension says nothing. Knob names
 * are those of Foundry's Nuke Reference Guide (learn.foundry.com/nuke/content/reference_guide/...: Read, DeepRead,
 * ReadGeo, Camera, Axis, Light, OCIOFileTransform, OCIOCDLTransform, Vectorfield, AudioRead, Precomp, LiveGroup,
 * ParticleCache, GeoImport, BlinkScript, FieldVolume). `fromFile`: the knob is read only when the node's
 * `read_from_file` knob is on (cameras, axes and lights keep a file knob they do not read otherwise).
 */
const READERS: Record<string, { knobs: string[]; kind: ReferenceKind; fromFile?: boolean }> = {
  Read: { knobs: ['file', 'proxy'], kind: 'texture' },
  DeepRead: { knobs: ['file'], kind: 'texture' },
  ReadGeo: { knobs: ['file'], kind: 'cache' },
  ReadGeo2: { knobs: ['file'], kind: 'cache' },
  Camera: { knobs: ['file'], kind: 'cache', fromFile: true },
  Camera2: { knobs: ['file'], kind: 'cache', fromFile: true },
  Camera3: { knobs: ['file'], kind: 'cache', fromFile: true },
  Camera4: { knobs: ['file'], kind: 'cache' },
  Axis: { knobs: ['file'], kind: 'cache', fromFile: true },
  Axis2: { knobs: ['file'], kind: 'cache', fromFile: true },
  Axis3: { knobs: ['file'], kind: 'cache', fromFile: true },
  Light: { knobs: ['file'], kind: 'cache', fromFile: true },
  Light2: { knobs: ['file'], kind: 'cache', fromFile: true },
  Light3: { knobs: ['file'], kind: 'cache', fromFile: true },
  OCIOFileTransform: { knobs: ['file'], kind: 'other' },
  OCIOCDLTransform: { knobs: ['file'], kind: 'other', fromFile: true },
  Vectorfield: { knobs: ['vfield_file'], kind: 'other' },
  AudioRead: { knobs: ['file'], kind: 'sound' },
  Precomp: { knobs: ['file'], kind: 'referenced-scene' },
  LiveGroup: { knobs: ['file'], kind: 'referenced-scene' },
  ParticleCache: { knobs: ['file'], kind: 'cache' },
  GeoImport: { knobs: ['file'], kind: 'cache' },
  BlinkScript: { knobs: ['kernelSourceFile'], kind: 'other' },
  FieldVolume: { knobs: ['file_name'], kind: 'volume' },
};

/** {@link READERS} as a map: a class name such as `toString` is no reading node. */
const READER_SPECS = new Map(Object.entries(READERS));

/** Nodes read for the job's settings, not for files they need. */
const SETTINGS_NODES = new Set(['Root', 'Write']);

/** Nuke's defaults of knobs a script leaves out when they are unchanged. */
const DEFAULTS = { readFirst: 1, rootFirst: 1, rootLast: 100 } as const;

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
    /** Where in `source` the text starts and ends (default: all of it), so that a node's body is not copied. */
    private readonly from = 0,
    to = source.length,
  ) {
    this.i = from;
    this.n = to;
  }

  /** The text of the word or group found last (a quoted string with its escapes read). */
  text(): string {
    const raw = this.source.slice(this.start, this.end);
    return this.escaped
      ? raw.replace(/\\(.)/gs, (_, e: string) => (e === 'n' ? '\n' : e === 't' ? '\t' : e))
      : raw;
  }

  /** Which of `names` the word found last is (compared in place, without copying its text), if any. */
  oneOf(names: readonly string[]): string | undefined {
    if (this.escaped) {
      const text = this.text();
      return names.includes(text) ? text : undefined;
    }
    const length = this.end - this.start;
    for (const name of names) {
      if (name.length === length && this.source.startsWith(name, this.start)) return name;
    }
    return undefined;
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
      } else if (c === 35 && atCommandStart(text, i, this.from)) {
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

/** Whether `text[i]` starts a command: only blanks before it on its line, back to `from` (the text's start). */
function atCommandStart(text: string, i: number, from: number): boolean {
  for (let j = i - 1; j >= from; j--) {
    const c = text.charCodeAt(j);
    if (c === 10 || c === 59) return true;
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** A node's knobs that the reader keeps, each with its first value, whether it was quoted, and its line. */
type Knobs = Map<string, { value: string; quoted: boolean; line: number }>;

/** A node's body: `text` from `from` to `to` (without its braces), starting on `line`. */
interface Body {
  text: string;
  from: number;
  to: number;
  line: number;
}

/**
 * The knobs {@link knobsOf} keeps of every node it reads (a reading node's file knobs are kept too): its name and
 * frame range, whether it reads from a file or is disabled, and what Root and Write nodes say of the render.
 */
const KEPT_KNOBS = [
  'name',
  'first',
  'last',
  'disable',
  'read_from_file',
  'project_directory',
  'first_frame',
  'last_frame',
  'format',
  'OCIO_config',
  'customOCIOConfigPath',
  'file',
  'file_type',
  'use_limit',
];

/**
 * The knobs of a node's body that the reader uses (its name, frame range, file knobs, the Root's project folder),
 * each with its first value. Knobs and values pair up, several pairs on a line if need be; a line break ends an
 * unpaired knob. Other knobs are passed over without their text being read.
 */
function knobsOf(file: string, body: Body, cls: string): Knobs {
  const wanted = wantedKnobs(cls);
  const knobs: Knobs = new Map();
  const lexer = new Lexer(file, body.text, body.line, body.from, body.to);
  let knob: string | undefined;
  let knobLine = 0;
  for (let kind = lexer.next(); kind !== END; kind = lexer.next()) {
    if (kind === NEWLINE) {
      knob = undefined;
    } else if (knob === undefined) {
      if (kind === WORD) {
        knob = lexer.oneOf(wanted) ?? '';
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

/** The knobs {@link knobsOf} keeps of a node of class `cls`: {@link KEPT_KNOBS} and its file knobs. */
function wantedKnobs(cls: string): readonly string[] {
  let wanted = WANTED_KNOBS.get(cls);
  if (!wanted) {
    wanted = [...new Set([...KEPT_KNOBS, ...(READER_SPECS.get(cls)?.knobs ?? [])])];
    WANTED_KNOBS.set(cls, wanted);
  }
  return wanted;
}

const WANTED_KNOBS = new Map<string, readonly string[]>();

/** Why a knob value cannot be resolved outside Nuke, if it cannot. */
export function nukeExpression(value: string): string | undefined {
  if (value.includes('[')) return 'set by a TCL expression ([...]): evaluate it in Nuke';
  const variable = /\$(env\([^)]*\)|\{?[A-Za-z_]\w*\}?)/.exec(value);
  if (variable) return `uses the variable $${variable[1]}: evaluate it in Nuke`;
  return undefined;
}

/** An integer knob value as written, or `undefined` (left out, an expression, not an integer). */
function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*-?\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/**
 * The frames a reading node reads: its `first`/`last` knobs; a Read or DeepRead leaves out `first` when it is
 * Nuke's default (1), and a Read with neither reads the script's range (Root's `first_frame`/`last_frame`).
 */
function frameRange(
  f: { cls: string; first: string | undefined; last: string | undefined },
  rootFirst: number,
  rootLast: number,
): [number, number] | undefined {
  const defaults = f.cls === 'Read' || f.cls === 'DeepRead';
  let first = integer(f.first);
  let last = integer(f.last);
  if (defaults && f.first === undefined && f.last === undefined) [first, last] = [rootFirst, rootLast];
  else if (defaults && f.first === undefined) first = DEFAULTS.readFirst;
  return first !== undefined && last !== undefined && first <= last ? [first, last] : undefined;
}

/**
 * What a render job needs from the script: the frame range (Root's, or the first enabled Write's own when it
 * limits it), the resolution (Root's format), and the first enabled Write's file and file type.
 */
function settingsOf(
  root: { first?: string; last?: string; format?: string } | undefined,
  writes: readonly { name: string; knobs: Map<string, { value: string }> }[],
): SceneSettings {
  const settings: SceneSettings = {};
  const write = writes.find((w) => w.knobs.get('disable')?.value !== 'true');
  const knob = (k: string) => write?.knobs.get(k)?.value;
  const limitFirst = integer(knob('first'));
  const limitLast = integer(knob('last'));
  if (write && knob('use_limit') === 'true' && limitFirst !== undefined && limitLast !== undefined) {
    settings.frames = {
      value: { start: limitFirst, end: limitLast, step: 1 },
      from: `Write ${write.name}.first/last (use_limit)`,
    };
  } else if (root) {
    const first = integer(root.first);
    const last = integer(root.last);
    if (
      (root.first === undefined || first !== undefined) &&
      (root.last === undefined || last !== undefined)
    ) {
      const start = first ?? DEFAULTS.rootFirst;
      const end = last ?? DEFAULTS.rootLast;
      if (start <= end) {
        settings.frames = {
          value: { start, end, step: 1 },
          from:
            root.first === undefined || root.last === undefined
              ? "Root.first_frame/last_frame (Nuke's defaults where left out)"
              : 'Root.first_frame/last_frame',
        };
      }
    }
  }
  const size = /^\s*(\d+)\s+(\d+)/.exec(root?.format ?? '');
  if (size) {
    settings.resolution = {
      value: { width: Number(size[1]), height: Number(size[2]) },
      from: 'Root.format',
    };
  }
  const output = knob('file');
  if (write && output !== undefined && output.trim() !== '') {
    settings.output = { value: output.trim(), from: `Write ${write.name}.file` };
    const type = knob('file_type') ?? /\.([A-Za-z0-9]+)$/.exec(output.trim())?.[1];
    if (type) {
      settings.format = {
        value: type,
        from: knob('file_type') !== undefined ? `Write ${write.name}.file_type` : `Write ${write.name}.file`,
      };
    }
  }
  return settings;
}

/**
 * Reads a Nuke script, a top-level statement at a time (several nodes on one line are several statements), and
 * lists the files its reading nodes name. A node longer than `limits.maxRecordLength` is passed over, with a note
 * when it is a reading node; a path longer than `limits.maxValueLength` is left out with a note.
 */
export async function readNuke(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<FormatResult> {
  const parser = new NukeParser(file, limits);
  for await (const batch of tclStatements(textChunks(file, 'Nuke script'), limits.maxRecordLength, {
    skipEmpty: true,
  }))
    for (const record of batch) {
      if (record.text !== undefined) parser.feed(record.text, record.line);
      else parser.tooLong(record.head, record.length, firstLine(record));
    }
  return parser.result();
}

/**
 * The start of a statement that is a node: its class, then its brace; or a cloned node, `clone <id>|<class>|<n>`
 * then its class and brace (a clone of a clone, `clone $C1 {`, only places a copy: its knobs are the first's).
 */
const NODE_HEAD = /^[ \t\r\n]*(?:clone[ \t]+[^\s{$][^\s{]*[ \t]+)?([A-Za-z_][\w.]*)[ \t\r]*\{/g;

/**
 * Where the class of a statement that starts a node ends and its body starts, or `undefined`: {@link NODE_HEAD}
 * tested without a match array (one per node otherwise), the class read back from before the brace.
 */
function nodeHead(text: string): { cls: string; body: number } | undefined {
  NODE_HEAD.lastIndex = 0;
  if (!NODE_HEAD.test(text)) return undefined;
  const body = NODE_HEAD.lastIndex;
  let end = body - 1; // the brace
  for (let c = text.charCodeAt(end - 1); c === 32 || c === 9 || c === 13; c = text.charCodeAt(end - 1)) end--;
  let start = end;
  while (start > 0 && isClassChar(text.charCodeAt(start - 1))) start--;
  return { cls: text.slice(start, end), body };
}

/** A character of a node class name: a letter, a digit, `_` or `.` (`\w` and `.`). */
function isClassChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46;
}

/** Most Write nodes kept for the job's output settings (the first enabled one is what counts). */
const MAX_WRITES = 1000;

/** A file knob of a reading node, as read (resolved against the script's folder at the end). */
interface FoundFile {
  cls: string;
  name: string;
  knob: string;
  value: string;
  quoted: boolean;
  line: number;
  /** The node's `first` and `last` knobs as written (`undefined`: left out, at Nuke's default). */
  first: string | undefined;
  last: string | undefined;
}

/** Root's knobs that matter here. */
interface RootKnobs {
  first?: string;
  last?: string;
  format?: string;
  ocio?: string;
  ocioPath?: string;
  line: number;
}

/** Whether a node of class `cls` is read: a reading node (its file knobs), Root or Write (the job's settings). */
function isRead(cls: string): boolean {
  return READ_CLASSES.has(cls);
}

const READ_CLASSES = new Set([...SETTINGS_NODES, ...READER_SPECS.keys()]);

/** A Nuke script parser fed one top-level statement at a time. */
class NukeParser {
  readonly #file: string;
  readonly #limits: ScanLimits;
  readonly #scriptDir: string;
  /** Where relative paths start: the script's folder, or Root's `project_directory`. */
  #baseDir: string;
  readonly #notes: string[] = [];
  readonly #found: FoundFile[] = [];
  readonly #details: Record<string, string | number> = {};
  /** Root's knobs that matter here, once Root is read. */
  #root: RootKnobs | undefined;
  /** Write nodes, for the job's output settings: up to the first enabled one (at most {@link MAX_WRITES}). */
  readonly #writes: { name: string; knobs: Knobs }[] = [];
  #writeFound = false;
  #nodes = 0;
  #tooLong = 0;
  #firstTooLong = '';
  #longValues = 0;
  #firstLongValue = '';
  #dropped = 0;

  constructor(file: string, limits: ScanLimits) {
    this.#file = file;
    this.#limits = limits;
    this.#scriptDir = nodePath.dirname(file);
    this.#baseDir = this.#scriptDir;
  }

  /** Reads one top-level statement starting on `line`. */
  feed(text: string, line: number): void {
    // A blank statement (the line break after a node) holds nothing to read.
    let last = text.length - 1;
    for (let c = text.charCodeAt(last); c === 32 || c === 9 || c === 10 || c === 13 || c === 59; )
      c = text.charCodeAt(--last);
    if (last < 0) return;
    // A statement that is one node, `Class { ... }` (the usual one), is read without tokenizing it at the top.
    const head = text.charCodeAt(last) === 125 ? nodeHead(text) : undefined;
    if (head) {
      this.#nodes++;
      const cls = head.cls;
      if (!isRead(cls)) return; // no knob to read: its body is not looked at
      const from = head.body;
      let at = line;
      for (let i = text.indexOf('\n'); i >= 0 && i < from; i = text.indexOf('\n', i + 1)) at++;
      this.#node(cls, { text, from, to: last, line: at });
      return;
    }
    this.#walk(text, line, 0);
  }

  /** Counts a statement too long to hold (its first characters `head`), with a note when it is a reading node. */
  tooLong(head: string, length: number, line: number): void {
    const cls = /^\s*(?:clone\s+[^\s{$][^\s{]*\s+)?([^\s{]+)/.exec(head)?.[1] ?? '';
    if (/^\s*(?:clone\s+\S+\s+)?[^\s{]+\s*\{/.test(head)) this.#nodes++;
    if (cls === 'Root' || READER_SPECS.has(cls)) {
      if (this.#tooLong++ === 0) this.#firstTooLong = `${cls} node of ${length} characters at line ${line}`;
    }
  }

  /** What the script holds: its references, notes, details and the job's settings. */
  result(): FormatResult {
    const references = this.#references();
    this.#ocioReference(references);
    const notes = [...this.#notes, ...this.#limitNotes()];
    this.#details.nodes = this.#nodes;
    return {
      format: 'nuke',
      scanned: true,
      details: this.#details,
      references,
      notes,
      settings: settingsOf(this.#root, this.#writes),
    };
  }

  /**
   * A statement read token by token: the `version` line, nodes among other commands, and cloned nodes
   * (`clone node7f..|Read|21972 Read { knobs }` is a node; its clones, `clone $C.. { xpos .. }`, share it).
   */
  #walk(body: string, firstLine: number, depth: number): void {
    if (depth > 64)
      throw new CorruptFileError(this.#file, 'nodes nested more than 64 deep', { line: firstLine });
    let previous: Token | undefined;
    let statementStart = true;
    let command: Token | undefined;
    let words = 0;
    for (const token of tokens(this.#file, body, firstLine)) {
      if (token.type === 'newline') {
        statementStart = true;
        previous = undefined;
        continue;
      }
      if (statementStart) {
        command = token;
        statementStart = false;
        words = 0;
        if (token.type === 'word' && token.text === 'version' && depth === 0) this.#details.nukeVersion = '';
      }
      if (depth === 0 && command?.text === 'version' && token !== command && token.type === 'word') {
        this.#details.nukeVersion = `${this.#details.nukeVersion} ${token.text}`.trim();
      }
      if (token.type === 'word') words++;
      if (token.type === 'brace' && previous?.type === 'word' && previous === command) {
        this.#nodes++;
        this.#nodeText(previous.text, token.text, token.line);
      } else if (token.type === 'brace' && command?.text === 'clone' && previous?.type === 'word') {
        this.#nodes++;
        if (words === 3) this.#nodeText(previous.text, token.text, token.line);
      }
      previous = token;
    }
  }

  #nodeText(cls: string, body: string, line: number): void {
    if (isRead(cls)) this.#node(cls, { text: body, from: 0, to: body.length, line });
  }

  /** Reads a node that {@link isRead} says is read. */
  #node(cls: string, body: Body): void {
    if (cls === 'Write') {
      // Only the first enabled Write counts: the ones after it are not read.
      if (this.#writeFound || this.#writes.length >= MAX_WRITES) return;
      const knobs = knobsOf(this.#file, body, cls);
      this.#writes.push({ name: knobs.get('name')?.value ?? cls, knobs });
      this.#writeFound = knobs.get('disable')?.value !== 'true';
      return;
    }
    if (cls !== 'Root' && this.#found.length >= this.#limits.maxReferences) {
      this.#dropped++; // past the cap: counted, not read
      return;
    }
    const knobs = knobsOf(this.#file, body, cls);
    if (cls === 'Root') this.#readRoot(knobs, body.line);
    const spec = READER_SPECS.get(cls);
    if (spec) this.#readFiles(cls, spec, knobs);
  }

  /** Root: the script's frame range, format and OCIO config, and the folder relative paths start from. */
  #readRoot(knobs: Knobs, line: number): void {
    const knob = (k: string) => knobs.get(k)?.value;
    this.#root = {
      ...(knob('first_frame') !== undefined ? { first: knob('first_frame') } : {}),
      ...(knob('last_frame') !== undefined ? { last: knob('last_frame') } : {}),
      ...(knob('format') !== undefined ? { format: knob('format') } : {}),
      ...(knob('OCIO_config') !== undefined ? { ocio: knob('OCIO_config') } : {}),
      ...(knob('customOCIOConfigPath') !== undefined ? { ocioPath: knob('customOCIOConfigPath') } : {}),
      line: knobs.get('customOCIOConfigPath')?.line ?? line,
    };
    const dir = knob('project_directory');
    if (dir === undefined || dir === '') return;
    if (
      /nuke\.script_directory\(\)/.test(dir) &&
      /^\[python \{?nuke\.script_directory\(\)\}?\]$/.test(dir.trim())
    ) {
      this.#baseDir = this.#scriptDir;
    } else if (nukeExpression(dir) === undefined) {
      this.#baseDir = nodePath.resolve(this.#scriptDir, dir);
    } else {
      this.#notes.push(
        `Root.project_directory "${dir}" is an expression: relative paths are taken from the script's folder`,
      );
    }
  }

  /** A reading node's file knobs, within the limits (a value too long, references past the count). */
  #readFiles(cls: string, spec: (typeof READERS)[string], knobs: Knobs): void {
    if (spec.fromFile && knobs.get('read_from_file')?.value !== 'true') return; // its file knob is not read
    const name = knobs.get('name')?.value ?? cls;
    for (const k of spec.knobs) {
      const v = knobs.get(k);
      if (!v || v.value.trim() === '') continue;
      if (v.value.length > this.#limits.maxValueLength) {
        if (this.#longValues++ === 0) this.#firstLongValue = `${cls} ${name}.${k} at line ${v.line}`;
        continue;
      }
      if (this.#found.length >= this.#limits.maxReferences) {
        this.#dropped++;
        break;
      }
      this.#found.push({
        cls,
        name,
        knob: k,
        value: v.value.trim(),
        quoted: v.quoted,
        line: v.line,
        first: knobs.get('first')?.value,
        last: knobs.get('last')?.value,
      });
    }
  }

  /** The files found, as references (frame ranges and expressions read now that Root is known). */
  #references(): RawReference[] {
    const rootFirst = integer(this.#root?.first) ?? DEFAULTS.rootFirst;
    const rootLast = integer(this.#root?.last) ?? DEFAULTS.rootLast;
    const baseDir = this.#baseDir;
    const file = this.#file;
    return this.#found.map((f) => {
      const spec = READER_SPECS.get(f.cls)!;
      const unresolved = nukeExpression(f.value);
      const within = frameRange(f, rootFirst, rootLast);
      const reference: RawReference = {
        path: f.value,
        baseDir,
        kind: kindByExtension(f.value, spec.kind),
        location: { file, type: 'node', name: `${f.cls} ${f.name}.${f.knob}`, line: f.line },
      };
      if (within) reference.within = within;
      if (unresolved) reference.unresolved = unresolved;
      return reference;
    });
  }

  /** Root's custom OCIO config, which every colour operation of the script reads, added to `references`. */
  #ocioReference(references: RawReference[]): void {
    const root = this.#root;
    if (root?.ocio !== 'custom' || root.ocioPath === undefined || root.ocioPath.trim() === '') return;
    if (root.ocioPath.length > this.#limits.maxValueLength) {
      if (this.#longValues++ === 0) this.#firstLongValue = `Root.customOCIOConfigPath at line ${root.line}`;
    } else if (references.length < this.#limits.maxReferences) {
      const unresolved = nukeExpression(root.ocioPath);
      references.push({
        path: root.ocioPath.trim(),
        baseDir: this.#baseDir,
        kind: 'other',
        location: { file: this.#file, type: 'node', name: 'Root.customOCIOConfigPath', line: root.line },
        ...(unresolved ? { unresolved } : {}),
      });
    } else this.#dropped++;
  }

  /** The notes of what a limit left unread. */
  #limitNotes(): string[] {
    const limits = this.#limits;
    const notes: string[] = [];
    if (this.#tooLong > 0) {
      notes.push(
        `${this.#tooLong} reading node(s) longer than ${sizeText(limits.maxRecordLength)} (limits.maxRecordLength) were not read (the first: ${this.#firstTooLong})`,
      );
    }
    if (this.#longValues > 0) {
      notes.push(
        `${this.#longValues} path(s) longer than ${sizeText(limits.maxValueLength)} (limits.maxValueLength) were left out (the first: ${this.#firstLongValue})`,
      );
    }
    if (this.#dropped > 0) {
      notes.push(
        `only the first ${limits.maxReferences} references are listed (limits.maxReferences): ${this.#dropped} more reading node(s) not read`,
      );
    }
    return notes;
  }
}
