import { parseFrameList } from '../frames.js';
import type { JobRequest } from '../generated/envoy.js';
import { nameProblem } from '../names.js';
import { FrameList } from '../ranges.js';
import type { Fail } from './product.js';

const EXT: ReadonlyMap<string, string> = new Map([
  ['jpeg', 'jpg'],
  ['jpeg2000', 'jp2'],
  ['open_exr', 'exr'],
  ['open_exr_multilayer', 'exr'],
  ['openexr', 'exr'],
  ['targa', 'tga'],
  ['targa_raw', 'tga'],
  ['tiff', 'tiff'],
]);

/**
 * Longest file extension an output format may give: a 200-byte prefix, `_`, a sign, 16 digits, `.` and the
 * extension still fit the 255 bytes file systems allow for a name.
 */
export const MAX_EXTENSION = 32;

/** File extension for an output format (`png` when none is given or it holds no letter or digit). */
export function extensionFor(format: string | undefined): string {
  const f = (format ?? '').trim().toLowerCase().replace(/^\./, '');
  return EXT.get(f) ?? (f.replace(/[^a-z0-9]/g, '') || 'png');
}

/** Default results folder name: `YYYY-MM-DD_HH-MM-SS_micro`. */
export function defaultOutputDir(date = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}_${p(date.getHours())}-${p(
    date.getMinutes(),
  )}-${p(date.getSeconds())}_${p(date.getMilliseconds() * 1000, 6)}`;
}

/** Frames, results folder and output file name of a job, as far as they are valid. */
export interface OutputsCheck {
  frames: FrameList;
  outputDir: string;
  ext: string;
}

/**
 * Checks a job's frames, instances and the names that become its output files: the results folder
 * (`output_dir_name`, default `defaultDir`), the file prefix and the extension the output format gives.
 */
export function checkOutputs(job: JobRequest, defaultDir: string, fail: Fail): OutputsCheck {
  const params = job.params ?? {};
  let frames = new FrameList([[1, 1, 1]]);
  if (params.frames !== undefined) {
    const parsed = parseFrameList(String(params.frames));
    if (parsed.ok) frames = parsed.list;
    else fail('params.frames', `malformed frame range: ${parsed.message}`);
  }
  if (params.instances !== undefined && !(Number.isInteger(params.instances) && params.instances >= 1)) {
    fail('params.instances', 'must be an integer of at least 1');
  }
  const dir = params.output_dir_name ?? defaultDir;
  const dirProblem = typeof dir === 'string' ? nameProblem(dir, true) : 'must be a string';
  if (dirProblem) fail('params.output_dir_name', dirProblem);
  const prefixName = params.output_prefix;
  // An empty prefix means the default, `frame`.
  if (prefixName !== undefined && prefixName !== '') {
    const problem = typeof prefixName === 'string' ? nameProblem(prefixName, true) : 'must be a string';
    if (problem) fail('params.output_prefix', problem);
  }
  const ext = extensionFor(params.output_format);
  if (typeof params.output_format === 'string' && ext.length > MAX_EXTENSION) {
    fail('params.output_format', `gives a file extension longer than ${MAX_EXTENSION} characters`);
  }
  return { frames, outputDir: dir, ext };
}
