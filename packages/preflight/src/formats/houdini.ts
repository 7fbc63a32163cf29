/**
 * Houdini `.hip`, `.hipnc` and `.hiplc` files: a cpio archive (the "odc" ASCII header form) of text sections,
 * one per node file (`obj/geo1/file1.init`, `.parm`, ...). The string parameters of each node that hold file
 * paths are read; `$HIP`, `$HIPFILE`, `$HIPNAME` and the variables the file sets (`.variables`: `set -g JOB = ...`)
 * are expanded; `$F`/`$F4` stay sequence tokens; channels, backtick expressions and unknown variables are
 * reported as not resolvable. Output drivers (`/out`) name outputs and are not listed.
 */
import { readFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { CorruptFileError, TruncatedFileError } from '../errors.js';
import { type FormatResult, kindByExtension, type RawReference } from './common.js';

/** Parameters that name outputs, never inputs. */
const OUTPUT_PARMS = new Set([
  'sopoutput',
  'picture',
  'vm_picture',
  'ar_picture',
  'RS_outputFileNamePrefix',
  'lopoutput',
  'copoutput',
  'dopoutput',
  'savepath',
  'outputfile',
  'output',
  'vm_dcmfilename',
  'vm_deepresolver_file',
  'filename1',
  'soho_diskfile',
  'ri_display',
  'savefile',
  'backupdir',
]);

const PATH_LIKE = /\.[A-Za-z][A-Za-z0-9]{1,5}(\.(sc|gz|lzma|bz2|sz))?$/;

interface Section {
  name: string;
  data: Uint8Array;
  offset: number;
}

function octal(
  file: string,
  bytes: Uint8Array,
  at: number,
  len: number,
  offset: number,
  what: string,
): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 7)
      throw new CorruptFileError(file, `cpio header field ${what} is not octal`, { offset: offset + i - at });
    v = v * 8 + d;
  }
  return v;
}

/** The sections of a Houdini cpio archive. */
export function cpioSections(file: string, bytes: Uint8Array): Section[] {
  const sections: Section[] = [];
  let p = 0;
  const latin = new TextDecoder('latin1');
  for (;;) {
    if (p + 76 > bytes.length) {
      throw new TruncatedFileError(file, 'a cpio header needs 76 bytes', { offset: p });
    }
    const magic = latin.decode(bytes.subarray(p, p + 6));
    if (magic !== '070707') {
      throw new CorruptFileError(
        file,
        p === 0
          ? 'a .hip file is a cpio archive starting with "070707" (this one is not: a newer binary or compressed save?)'
          : `cpio header magic "${magic.replace(/[^\x20-\x7e]/g, '?')}" is not "070707"`,
        { offset: p },
      );
    }
    const nameSize = octal(file, bytes, p + 59, 6, p + 59, 'namesize');
    const fileSize = octal(file, bytes, p + 65, 11, p + 65, 'filesize');
    const nameAt = p + 76;
    const dataAt = nameAt + nameSize;
    if (nameSize < 1 || dataAt + fileSize > bytes.length) {
      throw new TruncatedFileError(file, `section of ${fileSize} bytes runs past the end`, { offset: p });
    }
    const name = latin.decode(bytes.subarray(nameAt, dataAt - 1));
    if (name === 'TRAILER!!!') break;
    sections.push({ name, data: bytes.subarray(dataAt, dataAt + fileSize), offset: dataAt });
    p = dataAt + fileSize;
  }
  return sections;
}

/** The parts of a Houdini MIME-form text file (`--HOUDINIMIMEBOUNDARY...` then `filename="..."` headers). */
export function mimeSections(text: string): Section[] {
  const sections: Section[] = [];
  const bytes = new TextEncoder();
  const marker = /^--HOUDINIMIMEBOUNDARY[^\n]*\n/gm;
  const starts = [...text.matchAll(marker)].map((m) => ({ at: m.index, end: m.index + m[0].length }));
  for (let k = 0; k < starts.length; k++) {
    const part = text.slice(starts[k]!.end, k + 1 < starts.length ? starts[k + 1]!.at : text.length);
    const blank = part.indexOf('\n\n');
    if (blank < 0) continue;
    const name = /filename="([^"]*)"/.exec(part.slice(0, blank))?.[1];
    if (name === undefined) continue;
    sections.push({ name, data: bytes.encode(part.slice(blank + 2)), offset: starts[k]!.end + blank + 2 });
  }
  return sections;
}

/** Parses the parameter lines of a `.parm` section: name, and the string values or channel references. */
function parms(text: string): { name: string; values: { text: string; channel: boolean }[]; line: number }[] {
  const out: { name: string; values: { text: string; channel: boolean }[]; line: number }[] = [];
  const lines = text.split('\n');
  for (let l = 0; l < lines.length; l++) {
    const m = /^\s*([A-Za-z_]\w*)\s+\[[^\]]*\]\s+\(\s*(.*?)\s*\)\s*$/.exec(lines[l]!);
    if (!m) continue;
    const values: { text: string; channel: boolean }[] = [];
    const body = m[2]!;
    for (const v of body.matchAll(/"((?:[^"\\]|\\.)*)"|\[\s*([^\]]*)\]|(\S+)/g)) {
      if (v[1] !== undefined) values.push({ text: v[1].replace(/\\(.)/g, '$1'), channel: false });
      else if (v[2] !== undefined) values.push({ text: v[2].trim(), channel: true });
      else values.push({ text: v[3]!, channel: false });
    }
    out.push({ name: m[1]!, values, line: l + 1 });
  }
  return out;
}

/** Reads a Houdini scene file and lists the file parameters it could read. */
export async function readHoudini(file: string): Promise<FormatResult> {
  const bytes = await readFile(file);
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512));
  const sections = /HOUDINIMIMEBOUNDARY/.test(head)
    ? mimeSections(new TextDecoder().decode(bytes))
    : cpioSections(file, bytes);
  const baseDir = nodePath.dirname(file);
  const notes: string[] = [];
  const references: RawReference[] = [];
  const decoder = new TextDecoder();
  const vars = new Map<string, string>([
    ['HIP', baseDir],
    ['HIPFILE', file],
    ['HIPNAME', nodePath.basename(file).replace(/\.[^.]+$/, '')],
  ]);
  const types = new Map<string, string>();
  let binary = 0;
  let outputs = 0;
  const details: Record<string, string | number> = { sections: sections.length };
  for (const s of sections) {
    if (s.name === '.variables') {
      for (const m of decoder.decode(s.data).matchAll(/^set\s+-g\s+(\w+)\s*=\s*'((?:[^']|'\\'')*)'/gm)) {
        if (m[1] !== 'HIP' && m[1] !== 'HIPFILE' && m[1] !== 'HIPNAME')
          vars.set(m[1]!, m[2]!.replace(/'\\''/g, "'"));
      }
    } else if (s.name === '.application') {
      // Holds the commands Houdini runs on load; nothing to list.
    } else if (s.name.endsWith('.init')) {
      const m = /^type\s*=\s*(\S+)/m.exec(decoder.decode(s.data));
      if (m) types.set(s.name.slice(0, -5), m[1]!);
    }
  }
  const expand = (value: string): { target?: string; unresolved?: string } => {
    if (value.includes('`')) return { unresolved: 'set by a backtick expression: evaluate it in Houdini' };
    let unknown: string | undefined;
    const target = value.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (whole, name: string) => {
      if (/^F\d*$/.test(name)) return whole;
      const v = vars.get(name);
      if (v === undefined) {
        unknown ??= name;
        return whole;
      }
      return v;
    });
    if (unknown)
      return {
        unresolved: `uses the variable $${unknown}, which the file does not set: evaluate it in Houdini`,
      };
    return target === value ? {} : { target };
  };
  for (const s of sections) {
    if (!s.name.endsWith('.parm')) continue;
    if (s.data.includes(0)) {
      binary++;
      continue;
    }
    const node = s.name.slice(0, -5);
    if (node.startsWith('out/')) {
      outputs++;
      continue;
    }
    const type = types.get(node) ?? 'node';
    for (const p of parms(decoder.decode(s.data))) {
      if (OUTPUT_PARMS.has(p.name)) continue;
      for (const v of p.values) {
        const location = { file, type: 'node' as const, name: `${type} /${node}.${p.name}` };
        if (v.channel) {
          if (/file|tex|map|path/i.test(p.name)) {
            references.push({
              path: `[${v.text}]`,
              baseDir,
              kind: 'other',
              location,
              unresolved: 'set by a channel expression: evaluate it in Houdini',
            });
          }
          continue;
        }
        const text = v.text;
        if (text === '' || text.startsWith('op:') || text.startsWith('opdef:') || text.startsWith('oplib:'))
          continue;
        if (!PATH_LIKE.test(text) || !(/[\\/]/.test(text) || text.startsWith('$'))) continue;
        const expanded = expand(text);
        references.push({
          path: text,
          ...(expanded.target !== undefined ? { target: expanded.target } : {}),
          baseDir,
          kind: kindByExtension(text, 'other'),
          location,
          ...(expanded.unresolved !== undefined ? { unresolved: expanded.unresolved } : {}),
        });
      }
    }
  }
  if (binary > 0) notes.push(`${binary} parameter section(s) are binary and were not read`);
  if (outputs > 0) notes.push(`${outputs} output driver(s) in /out name outputs, not inputs: not listed`);
  notes.push(
    'Houdini: only parameters holding a literal file path are listed; paths built by expressions, HDA contents and Python are not seen',
  );
  return { format: 'houdini', scanned: true, details, references, notes };
}
