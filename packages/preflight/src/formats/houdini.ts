/**
 * Houdini `.hip`, `.hipnc` and `.hiplc` files: a cpio archive (the "odc" ASCII header form) of text sections,
 * one per node file (`obj/geo1/file1.init`, `.parm`, ...). The string parameters of each node that hold file
 * paths are read; `$HIP`, `$HIPFILE`, `$HIPNAME` and the variables the file sets (`.variables`: `set -g JOB = ...`)
 * are expanded; `$F`/`$F4` stay sequence tokens; channels, backtick expressions and unknown variables are
 * reported as not resolvable. Output drivers (`/out`) name outputs and are not listed.
 */
import nodePath from 'node:path';
import { CorruptFileError, TruncatedFileError } from '../errors.js';
import { DEFAULT_LIMITS, sizeText } from '../limits.js';
import { ByteReader } from '../source.js';
import type { ScanLimits, SceneSettings } from '../types.js';
import { type FormatResult, kindByExtension, type RawReference } from './common.js';
import { headOf, lines, textChunks } from './text.js';

/**
 * Parameters that name files Houdini writes, never inputs: render and cache outputs (Mantra, Karma, Arnold,
 * Redshift, V-Ray, geometry, USD, composites, DOPs), deep and cryptomatte side files, and what Houdini itself
 * writes beside a scene (the Solaris render gallery of `/stage`, a TOP network's task graph and checkpoint files,
 * a scheduler's working and temporary folders).
 */
const OUTPUT_PARMS = new Set([
  'sopoutput',
  'picture',
  'vm_picture',
  'ar_picture',
  'ar_ass_file',
  'RS_outputFileNamePrefix',
  'RS_archive_file',
  'SettingsOutput_img_file_path',
  'lopoutput',
  'usdoutput',
  'copoutput',
  'dopoutput',
  'outputimage',
  'savetodirectory_directory',
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
  'rendergallerysource',
  'taskgraphfile',
  'checkpointfile',
  'pdg_workingdir',
  'pdg_transferroot',
  'pdg_tempdir',
  'pdg_scriptdir',
]);

/** Parameter names of deep and cryptomatte outputs (`vm_cryptolayeroutput1`, `cryptopicture`, `dcmfilename`). */
const OUTPUT_PARM =
  /^(?:vm_)?crypto\w*(?:output|sidecar|picture|file)\d*$|dcmfilename|^mtlcryptofile$|^primcryptofile$/i;

/** Node types that write files (ROPs in any network: `rop_geometry`, `usd_rop`, `Redshift_ROP`, TOP `ropfetch`): their paths are outputs. */
const WRITER_TYPE = /^(?:\w+::)?(?:rop|usd_?rop|usdrender_rop|filecache_?write)|_ROP$/i;

/** Variables that lead into Houdini's own installation, present wherever Houdini runs. */
const INSTALL_VARIABLE = /^\$\{?(?:HH|HFS)\}?(?:[\\/]|$)/;

/** Render ROP types (in `/out`) and the renderer and output parameter each names. */
const RENDER_ROPS: Record<string, { renderer: string; output: string }> = {
  ifd: { renderer: 'mantra', output: 'vm_picture' },
  karma: { renderer: 'karma', output: 'picture' },
  usdrender_rop: { renderer: 'usdrender', output: 'outputimage' },
  arnold: { renderer: 'arnold', output: 'ar_picture' },
  Redshift_ROP: { renderer: 'redshift', output: 'RS_outputFileNamePrefix' },
  vray_renderer: { renderer: 'vray', output: 'SettingsOutput_img_file_path' },
  opengl: { renderer: 'opengl', output: 'picture' },
};

/** The output parameters of the render ROPs, whose channel expressions are kept. */
const OUTPUT_CHANNELS = new Set(Object.values(RENDER_ROPS).map((r) => r.output));

const PATH_LIKE = /\.[A-Za-z][A-Za-z0-9]{1,5}(\.(sc|gz|lzma|bz2|sz))?$/;

/** A section of a Houdini file: its name, its text when it is one read here, and its offset. */
interface Section {
  name: string;
  /** The section's bytes, for the sections read (`.parm`, `.init`, `.variables`) no longer than the limit. */
  data: Uint8Array | undefined;
  /** The section's size in bytes. */
  size: number;
  offset: number;
}

/** Whether a section's content is read (the others are skipped as they stream by). */
function wanted(name: string): boolean {
  return (
    name === '.variables' ||
    name === '.start' ||
    name.endsWith('.parm') ||
    name.endsWith('.init') ||
    (name.startsWith('out/') && name.endsWith('.chn'))
  );
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

/**
 * The sections of a Houdini cpio archive, streamed: the content of the sections read here (up to `maxRecordLength`
 * bytes each) is held, every other section is seeked over.
 */
async function* cpioSections(file: string, limits: ScanLimits): AsyncGenerator<Section> {
  const reader = await ByteReader.open(file, limits);
  const latin = new TextDecoder('latin1');
  try {
    for (;;) {
      const p = reader.offset;
      if (p + 76 > reader.bound) {
        throw new TruncatedFileError(file, 'a cpio header needs 76 bytes', { offset: p });
      }
      const header = await reader.read(76, 'a cpio header');
      const magic = latin.decode(header.subarray(0, 6));
      if (magic !== '070707') {
        throw new CorruptFileError(
          file,
          p === 0
            ? 'a .hip file is a cpio archive starting with "070707" (this one is not: a newer binary or compressed save?)'
            : `cpio header magic "${magic.replace(/[^\x20-\x7e]/g, '?')}" is not "070707"`,
          { offset: p },
        );
      }
      const nameSize = octal(file, header, 59, 6, p + 59, 'namesize');
      const fileSize = octal(file, header, 65, 11, p + 65, 'filesize');
      const nameAt = p + 76;
      const dataAt = nameAt + nameSize;
      if (nameSize < 1 || dataAt + fileSize > reader.bound) {
        throw new TruncatedFileError(file, `section of ${fileSize} bytes runs past the end`, { offset: p });
      }
      if (nameSize > limits.maxValueLength) {
        throw new CorruptFileError(file, `a section name of ${nameSize} bytes`, { offset: p });
      }
      const name = latin.decode((await reader.read(nameSize, 'a section name')).subarray(0, nameSize - 1));
      if (name === 'TRAILER!!!') break;
      if (wanted(name) && fileSize <= limits.maxRecordLength) {
        const data = (await reader.read(fileSize, `section ${name}`)).slice();
        yield { name, data, size: fileSize, offset: dataAt };
      } else {
        await reader.skip(fileSize, `section ${name}`);
        yield { name, data: undefined, size: fileSize, offset: dataAt };
      }
    }
  } finally {
    await reader.close();
  }
}

/** The parts of a Houdini MIME-form text file (`--HOUDINIMIMEBOUNDARY...` then `filename="..."` headers), streamed. */
async function* mimeSections(file: string, limits: ScanLimits): AsyncGenerator<Section> {
  const encoder = new TextEncoder();
  let name: string | undefined;
  let inHeaders = false;
  let parts: string[] = [];
  let size = 0;
  let offset = 0;
  const done = (): Section | undefined => {
    if (name === undefined) return undefined;
    const keep = wanted(name) && size <= limits.maxRecordLength;
    const section = { name, data: keep ? encoder.encode(parts.join('\n')) : undefined, size, offset };
    name = undefined;
    parts = [];
    size = 0;
    return section;
  };
  for await (const batch of lines(textChunks(file, 'Houdini'), limits.maxRecordLength))
    for (const record of batch) {
      const text = record.text ?? record.head;
      if (text.startsWith('--HOUDINIMIMEBOUNDARY')) {
        const section = done();
        if (section) yield section;
        inHeaders = true;
        continue;
      }
      if (inHeaders) {
        if (text === '' || text === '\r') {
          inHeaders = false;
          offset = record.line;
          continue;
        }
        const m = /filename="([^"]*)"/.exec(text);
        if (m) name = m[1];
        continue;
      }
      if (name === undefined) continue;
      size += record.length + 1;
      if (wanted(name) && size <= limits.maxRecordLength && record.text !== undefined)
        parts.push(record.text);
    }
  const section = done();
  if (section) yield section;
}

/** Parses the parameter lines of a `.parm` section: name, and the string values or channel references. */
function parms(
  text: string,
  maxLine: number,
): { name: string; values: { text: string; channel: boolean }[]; line: number }[] {
  const out: { name: string; values: { text: string; channel: boolean }[]; line: number }[] = [];
  const lines = text.split('\n');
  for (let l = 0; l < lines.length; l++) {
    if (lines[l]!.length > maxLine) continue;
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

/** A file parameter value found in a `.parm` section, listed once the whole file is read. */
interface Candidate {
  node: string;
  parm: string;
  text: string;
  channel: boolean;
}

/**
 * Reads a Houdini scene file, a section at a time, and lists the file parameters it could read. At most
 * `limits.maxSections` sections are read; a parameter section longer than `limits.maxRecordLength` is passed over;
 * both with a note.
 */
export async function readHoudini(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<FormatResult> {
  const sections = /HOUDINIMIMEBOUNDARY/.test(await headOf(file, 512))
    ? mimeSections(file, limits)
    : cpioSections(file, limits);
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
  const candidates: Candidate[] = [];
  /** What the job needs: the playbar (`.start`), render ROPs' parameters and channels, cameras' resolutions. */
  let playbar: { start: number; end: number; step: number } | undefined;
  const rops: { node: string; type: string; parms: Map<string, { text: string; channel: boolean }[]> }[] = [];
  const expressions = new Map<string, string>();
  const resolutions = new Map<string, [number, number]>();
  let binary = 0;
  let outputs = 0;
  /** Paths the scene writes (output parameters, and any path of a ROP). */
  let written = 0;
  let count = 0;
  let tooLong = 0;
  let dropped = 0;
  let stopped = false;
  for await (const s of sections) {
    if (count >= limits.maxSections) {
      stopped = true;
      break;
    }
    count++;
    if (s.name === '.variables') {
      if (!s.data) continue;
      for (const m of decoder.decode(s.data).matchAll(/^set\s+-g\s+(\w+)\s*=\s*'((?:[^']|'\\'')*)'/gm)) {
        if (m[1] !== 'HIP' && m[1] !== 'HIPFILE' && m[1] !== 'HIPNAME')
          vars.set(m[1]!, m[2]!.replace(/'\\''/g, "'"));
      }
    } else if (s.name === '.start') {
      if (s.data) playbar = playbarOf(decoder.decode(s.data));
    } else if (s.name.endsWith('.chn')) {
      // A render ROP's channels: the expression of its output parameter (`$HIP/render/$HIPNAME.$OS.$F4.exr`).
      if (!s.data) continue;
      const node = s.name.slice(0, -4);
      const chunks = decoder.decode(s.data).split(/\bchannel\s+(?=\w+\s*\{)/);
      for (const chunk of chunks.slice(1)) {
        const m = /^(\w+)[\s\S]*?\bexpr\s*=\s*\\"((?:[^"\\]|\\[^"])*)\\"/.exec(chunk);
        // Only a render ROP's output parameter is kept, for at most as many ROPs as are read.
        if (m && OUTPUT_CHANNELS.has(m[1]!) && expressions.size < 1000)
          expressions.set(`${node}.${m[1]}`, m[2]!);
      }
    } else if (s.name.endsWith('.init')) {
      if (!s.data) continue;
      const m = /^type\s*=\s*(\S+)/m.exec(decoder.decode(s.data));
      if (m) types.set(s.name.slice(0, -5), m[1]!);
    } else if (s.name.endsWith('.parm')) {
      const node = s.name.slice(0, -5);
      if (s.data?.includes(0)) {
        binary++;
        continue;
      }
      if (node.startsWith('out/')) {
        outputs++;
        const type = types.get(node) ?? '';
        if (s.data && RENDER_ROPS[type] !== undefined && rops.length < 1000) {
          const values = new Map(
            parms(decoder.decode(s.data), limits.maxValueLength).map((p) => [p.name, p.values]),
          );
          rops.push({ node, type, parms: values });
        }
        continue;
      }
      if (!s.data) {
        tooLong++;
        continue;
      }
      for (const p of parms(decoder.decode(s.data), limits.maxValueLength)) {
        if (p.name === 'res' && p.values.length === 2 && resolutions.size < 10_000) {
          const [w, h] = p.values.map((v) => Number(v.channel ? v.text.split(/\s+/)[1] : v.text));
          if (Number.isInteger(w) && Number.isInteger(h)) resolutions.set(node, [w!, h!]);
        }
        if (OUTPUT_PARMS.has(p.name) || OUTPUT_PARM.test(p.name)) {
          if (p.values.some((v) => !v.channel && isPath(v.text))) written++;
          continue;
        }
        for (const v of p.values) {
          if (v.channel ? !/file|tex|map|path/i.test(p.name) : !isPath(v.text)) continue;
          if (candidates.length >= limits.maxReferences) dropped++;
          else candidates.push({ node, parm: p.name, text: v.text, channel: v.channel });
        }
      }
    }
  }
  const details: Record<string, string | number> = { sections: count };
  const expand = (value: string): { target?: string; unresolved?: string } => {
    if (value.includes('`')) return { unresolved: 'set by a backtick expression: evaluate it in Houdini' };
    if (/[*?]/.test(value.slice(Math.max(value.lastIndexOf('/'), value.lastIndexOf('\\')) + 1)))
      return { unresolved: 'a file pattern (glob): Houdini matches it when the node cooks' };
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
  let installed = 0;
  for (const c of candidates) {
    const type = types.get(c.node) ?? 'node';
    if (WRITER_TYPE.test(type)) {
      written++; // a ROP's paths are what it writes
      continue;
    }
    if (!c.channel && INSTALL_VARIABLE.test(c.text)) {
      installed++; // shipped with Houdini (a parameter's default such as $HH/geo/defgeo.bgeo)
      continue;
    }
    const location = { file, type: 'node' as const, name: `${type} /${c.node}.${c.parm}` };
    if (c.channel) {
      references.push({
        path: `[${c.text}]`,
        baseDir,
        kind: 'other',
        location,
        unresolved: 'set by a channel expression: evaluate it in Houdini',
      });
      continue;
    }
    const expanded = expand(c.text);
    references.push({
      path: c.text,
      ...(expanded.target !== undefined ? { target: expanded.target } : {}),
      baseDir,
      kind: kindByExtension(c.text, 'other'),
      location,
      ...(expanded.unresolved !== undefined ? { unresolved: expanded.unresolved } : {}),
    });
  }
  if (binary > 0) notes.push(`${binary} parameter section(s) are binary and were not read`);
  if (outputs > 0) notes.push(`${outputs} output driver(s) in /out name outputs, not inputs: not listed`);
  if (written > 0) {
    notes.push(
      `${written} path(s) the scene writes (render and cache outputs, ROPs, the render gallery, task graphs) are outputs: not listed`,
    );
  }
  if (installed > 0) {
    notes.push(
      `${installed} path(s) into Houdini's own installation ($HH, $HFS) are not listed: Houdini brings them wherever it runs`,
    );
  }
  if (tooLong > 0) {
    notes.push(
      `${tooLong} parameter section(s) longer than ${sizeText(limits.maxRecordLength)} (limits.maxRecordLength) were not read`,
    );
  }
  if (stopped) {
    notes.push(
      `only the first ${limits.maxSections} sections were read (limits.maxSections): the rest of the file was not`,
    );
  }
  if (dropped > 0) {
    notes.push(
      `only the first ${limits.maxReferences} references are listed (limits.maxReferences): ${dropped} more left out`,
    );
  }
  notes.push(
    'Houdini: only parameters holding a literal file path are listed; paths built by expressions, HDA contents and Python are not seen',
  );
  return {
    format: 'houdini',
    scanned: true,
    details,
    references,
    notes,
    settings: settingsOf(playbar, rops, expressions, resolutions),
  };
}

/** The playbar range of a `.start` section: `frange <start> <end>` and `fplayback ... -s <step>`. */
function playbarOf(text: string): { start: number; end: number; step: number } | undefined {
  const range = /^frange\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*$/m.exec(text);
  if (!range) return undefined;
  const step = Number(/^fplayback\b.*\s-s\s+(\d+(?:\.\d+)?)/m.exec(text)?.[1] ?? 1);
  const start = Number(range[1]);
  const end = Number(range[2]);
  return start <= end ? { start, end, step: step > 0 ? step : 1 } : undefined;
}

/**
 * What a render job needs from a Houdini scene: the first render ROP in `/out` (its frame range when it renders
 * one, its output, camera and renderer), the camera's resolution (or the ROP's override), and otherwise the
 * playbar range.
 */
function settingsOf(
  playbar: { start: number; end: number; step: number } | undefined,
  rops: readonly { node: string; type: string; parms: Map<string, { text: string; channel: boolean }[]> }[],
  expressions: ReadonlyMap<string, string>,
  resolutions: ReadonlyMap<string, [number, number]>,
): SceneSettings {
  const settings: SceneSettings = {};
  const rop = rops[0];
  // A value as written, or a channel's value at save time (`[ f1 1 ]`).
  const value = (v: { text: string; channel: boolean } | undefined) =>
    v === undefined ? undefined : v.channel ? v.text.replace(/^\S+\s*/, '') : v.text;
  const get = (name: string, i = 0) => value(rop?.parms.get(name)?.[i]);
  const trange = get('trange');
  const f = [0, 1, 2].map((i) => Number(get('f', i)));
  if (rop && trange !== undefined && trange !== 'off' && trange !== '0' && f.every(Number.isFinite)) {
    settings.frames = {
      value: { start: f[0]!, end: f[1]!, step: f[2]! > 0 ? f[2]! : 1 },
      from: `/${rop.node}.f (Valid Frame Range: ${trange})`,
    };
  } else if (playbar) {
    settings.frames = {
      value: playbar,
      from: rop
        ? `playbar range (frange; /${rop.node} renders the current frame only)`
        : 'playbar range (frange)',
    };
  }
  if (!rop) return settings;
  const spec = RENDER_ROPS[rop.type]!;
  settings.renderer = { value: spec.renderer, from: `/${rop.node} (${rop.type})` };
  const output = expressions.get(`${rop.node}.${spec.output}`) ?? get(spec.output);
  if (output !== undefined && output !== '')
    settings.output = { value: output, from: `/${rop.node}.${spec.output}` };
  const camera = get('camera');
  if (camera !== undefined && camera !== '') {
    settings.camera = { value: camera, from: `/${rop.node}.camera` };
    const override = get('override_camerares');
    const res = rop.parms.get('res_override');
    const size: [number, number] | undefined =
      override === 'on' || override === '1'
        ? [Number(value(res?.[0])), Number(value(res?.[1]))]
        : resolutions.get(camera.replace(/^\//, ''));
    if (size?.every((n) => Number.isInteger(n) && n > 0)) {
      settings.resolution = {
        value: { width: size[0], height: size[1] },
        from: override === 'on' || override === '1' ? `/${rop.node}.res_override` : `${camera}.res`,
      };
    }
  }
  return settings;
}

/** Whether a parameter's literal value is a file path worth listing. */
function isPath(text: string): boolean {
  if (text === '' || text.startsWith('op:') || text.startsWith('opdef:') || text.startsWith('oplib:'))
    return false;
  return PATH_LIKE.test(text) && (/[\\/]/.test(text) || text.startsWith('$'));
}
