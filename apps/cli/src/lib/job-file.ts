/**
 * Job files: a YAML or JSON description of a project and its jobs, checked against the published schema
 * (`schema/job-file.schema.json`) and for dependencies, cycles and files.
 *
 * @module
 */
import { open, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { projectNameProblem } from '@gm/core';
import { projectRelative } from '@gm/core/internal';
import { didYouMean, type ProductCode } from '@gm/products';
import { Lexer, parse as parseYaml, YAMLParseError } from 'yaml';
import schemaJson from '../../schema/job-file.schema.json' with { type: 'json' };
import { type SchemaError, validate } from '../generated/job-file-validator.js';
import { UsageError } from './exit-codes.js';

/** The JSON Schema of job files, as published in `@gm/cli/job-file.schema.json`. */
export const JOB_FILE_SCHEMA: Record<string, unknown> = schemaJson as Record<string, unknown>;

/** One problem found in a job file: where (`jobs[0].budget.action`, `$` for the whole file) and what. */
export interface SchemaProblem {
  /** Path of the value, `$` for the root. */
  path: string;
  /** What is wrong. */
  message: string;
}

/** `/jobs/0/budget` as `jobs[0].budget` (`$` for the root). */
function pathOf(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(part) ? `[${part}]` : path === '' ? part : `.${part}`;
  }
  return path || '$';
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** An ajv error in words a user reads. */
function problemOf(error: SchemaError): SchemaProblem {
  const path = pathOf(error.instancePath);
  const p = error.params;
  switch (error.keyword) {
    case 'type':
      return { path, message: `must be ${String(p.type).replace(',', ' or ')}, not ${typeOf(error.data)}` };
    case 'enum':
      return { path, message: `must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'const':
      return { path, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'required':
      return { path, message: `is missing the required property "${String(p.missingProperty)}"` };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const near =
        known.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[_-]/g, '')) ??
        didYouMean(key, known);
      return {
        path: path === '$' ? key : `${path}.${key}`,
        message: `is not a known property${near ? ` (did you mean "${near}"?)` : ''}`,
      };
    }
    case 'minimum':
      return { path, message: `must be at least ${String(p.limit)}` };
    case 'exclusiveMinimum':
      return { path, message: `must be greater than ${String(p.limit)}` };
    case 'minLength':
      return {
        path,
        message: p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} characters`,
      };
    case 'minItems':
      return { path, message: `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    case 'pattern': {
      // The project name's rule is core's: say which character and how to fix it, not the regular expression.
      const named = path === 'name' ? projectNameProblem(error.data) : undefined;
      if (named) {
        return {
          path,
          message: `cannot name a project: ${named} (the project becomes a folder, on Windows too); rename it`,
        };
      }
      return { path, message: `has characters that are not allowed (${String(p.pattern)})` };
    }
    default:
      return { path, message: error.message ?? `fails the schema's ${error.keyword} rule` };
  }
}

/** Checks a value against the published job-file schema (compiled ahead of time); returns every problem. */
export function checkSchema(data: unknown): SchemaProblem[] {
  if (validate(data)) return [];
  const seen = new Set<string>();
  return (validate.errors ?? []).map(problemOf).filter((p) => {
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The product codes a job file can name: those of `@gm/products`. */
export type { ProductCode };

/** A credit budget of a job. */
export interface BudgetSpec {
  /** Credits. */
  value: number;
  /** What happens when the job has consumed `value` credits. */
  action: 'stop' | 'suspend' | 'alert';
}

/** One job of a job file (product-specific parameters are camelCase, as the `@gm/products` builders take them). */
export interface JobSpec {
  /** Unique job name. */
  name: string;
  /** Product code. */
  product: ProductCode;
  /** Product version (`appVersion`, as the builders name it). */
  appVersion: string;
  /** Scene file, relative to the project folder. */
  file: string;
  /** Operation (render by default). */
  operation?: string;
  /** Frame range. */
  frames: string;
  /** Requested machines at once. */
  instances?: number;
  /** Machine type id. */
  machineType?: string;
  /** Plugin codes. */
  plugins?: string[];
  /** Whether a GPU is needed. */
  gpu?: boolean;
  /** Names of jobs this one waits for. */
  dependsOn?: string[];
  /** Credit budget. */
  budget?: BudgetSpec;
  /** Extra wire parameters passed as they are. */
  params?: Record<string, unknown>;
  /** Product-specific parameters. */
  [key: string]: unknown;
}

/** A watch file rule: results matching `pattern` are downloaded into `folder`. */
export interface WatchFileSpec {
  /** Regular expression over remote paths; `{results}` stands for the remote results folder. */
  pattern: string;
  /** Local folder, relative to the job file. */
  folder: string;
}

/** Houdini project parameters. */
export interface HoudiniSpec {
  /** Summary log file path. */
  summaryLogFile?: string;
  /** Project output parameters. */
  paramOutput?: string[];
  /** Project output parameter mappings. */
  param?: Record<string, string>;
  /** Project environment variables. */
  env?: Record<string, string>;
}

/** A job file as written. */
export interface JobFile {
  /** Project name (the folder name when absent). */
  name?: string;
  /** Project folder, relative to the job file. */
  folder?: string;
  /** Files and folders to upload, relative to the project folder. */
  files?: string[];
  /** Submission name. */
  submissionName?: string;
  /** Results folder name. */
  outputFolderName?: string;
  /** Download results automatically (default true). */
  autoDownload?: boolean;
  /** Download rules. */
  watchFiles?: WatchFileSpec[];
  /** Houdini project parameters. */
  houdini?: HoudiniSpec;
  /** The jobs. */
  jobs: JobSpec[];
}

/** A job file read from disk, with its paths resolved. */
export interface LoadedJobFile {
  /** The file as written. */
  spec: JobFile;
  /** Absolute path of the job file. */
  path: string;
  /** Absolute project folder. */
  folder: string;
  /** Project name. */
  name: string;
  /** Jobs in an order where every job comes after the jobs it depends on. */
  order: JobSpec[];
}

/** Parses job file text (YAML, of which JSON is a subset); syntax errors become a {@link UsageError}. */
export function parseJobFileText(text: string, source = 'job file'): unknown {
  // Brackets nested past the bound are refused from the tokens, before the parser builds them (a megabyte of `[`
  // would take seconds and a gigabyte): quoted and plain scalars are one token each, so only real nesting counts.
  let depth = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') depth++;
    else if (token === ']' || token === '}') depth--;
    if (depth > MAX_JOB_FILE_DEPTH) {
      throw new UsageError(`${source}: [ ] or { } are nested more than ${MAX_JOB_FILE_DEPTH} levels deep.`, {
        hint: KEEP_SMALL,
      });
    }
  }
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (cause) {
    const message = cause instanceof YAMLParseError || cause instanceof Error ? cause.message : String(cause);
    throw new UsageError(`${source} is not valid YAML or JSON: ${message.split('\n')[0]}`, { cause });
  }
}

/** Orders jobs so dependencies come first; reports unknown names, duplicates and cycles as problems. */
export function orderJobs(jobs: readonly JobSpec[]): { order: JobSpec[]; problems: SchemaProblem[] } {
  const problems: SchemaProblem[] = [];
  const byName = new Map<string, JobSpec>();
  jobs.forEach((job, i) => {
    if (byName.has(job.name))
      problems.push({ path: `jobs[${i}].name`, message: `"${job.name}" is used twice` });
    else byName.set(job.name, job);
  });
  jobs.forEach((job, i) => {
    (job.dependsOn ?? []).forEach((dep, d) => {
      if (!byName.has(dep)) {
        problems.push({
          path: `jobs[${i}].dependsOn[${d}]`,
          message: `names no job in this file ("${dep}")`,
        });
      } else if (dep === job.name) {
        problems.push({ path: `jobs[${i}].dependsOn[${d}]`, message: 'a job cannot depend on itself' });
      }
    });
  });
  const order: JobSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles = new Set<string>();
  const visit = (job: JobSpec, trail: string[]) => {
    const s = state.get(job.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(job.name)), job.name].join(' -> ');
      if (!cycles.has(cycle)) {
        cycles.add(cycle);
        problems.push({ path: 'jobs', message: `dependencies form a cycle: ${cycle}` });
      }
      return;
    }
    state.set(job.name, 'visiting');
    for (const dep of job.dependsOn ?? []) {
      const target = byName.get(dep);
      if (target && dep !== job.name) visit(target, [...trail, job.name]);
    }
    state.set(job.name, 'done');
    order.push(job);
  };
  for (const job of byName.values()) visit(job, []);
  return { order, problems };
}

/** Formats problems as lines `path: message`. */
export function formatProblems(problems: readonly SchemaProblem[]): string[] {
  return problems.map((p) => `${p.path === '$' ? '(top level)' : p.path}: ${p.message}`);
}

async function exists(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

/** Whether `path` is `root` or below it: core's rule of "inside the project folder". */
const inside = (root: string, path: string) => projectRelative(root, path) !== undefined;

/**
 * Checks a parsed job file: the schema, job names, dependencies and cycles, and that the folder, the files
 * to upload and each job's scene file exist. Throws a {@link UsageError} listing every problem.
 */
export async function checkJobFile(data: unknown, path: string): Promise<LoadedJobFile> {
  const problems = checkSchema(data);
  if (problems.length > 0) {
    throw new UsageError(`${basename(path)} does not match the job file schema.`, {
      details: formatProblems(problems),
      hint: 'See the job file format in `gm submit --help` or the JSON Schema @gm/cli/job-file.schema.json.',
    });
  }
  const spec = data as JobFile;
  const { order, problems: depProblems } = orderJobs(spec.jobs);
  const found: SchemaProblem[] = [...depProblems];
  const folder = resolve(dirname(path), spec.folder ?? '.');
  const name = spec.name ?? basename(folder);
  if ((await exists(folder)) !== 'dir') {
    found.push({ path: 'folder', message: `the project folder ${folder} does not exist` });
  } else {
    for (const [i, file] of (spec.files ?? []).entries()) {
      const full = resolve(folder, file);
      if (!inside(folder, full))
        found.push({ path: `files[${i}]`, message: `${file} is outside the project folder` });
      else if (!(await exists(full))) found.push({ path: `files[${i}]`, message: `${full} does not exist` });
    }
    for (const [i, job] of spec.jobs.entries()) {
      const full = resolve(folder, job.file);
      if (!inside(folder, full)) {
        found.push({ path: `jobs[${i}].file`, message: `${job.file} is outside the project folder` });
      } else if ((await exists(full)) !== 'file') {
        found.push({ path: `jobs[${i}].file`, message: `${full} does not exist` });
      } else if (spec.files && !spec.files.some((f) => inside(resolve(folder, f), full))) {
        found.push({ path: `jobs[${i}].file`, message: `${job.file} is not among the files to upload` });
      }
    }
  }
  if (found.length > 0) {
    throw new UsageError(`${basename(path)} has ${found.length} problem${found.length === 1 ? '' : 's'}.`, {
      details: formatProblems(found),
    });
  }
  return { spec, path, folder, name, order };
}

/** The largest job file read, in bytes (4 MiB): a job file describes a project and its jobs in a few kilobytes. */
export const MAX_JOB_FILE_BYTES = 4 * 1024 * 1024;

/** The longest string a job file may hold, in characters (64 KiB): names, paths, frame ranges and parameters. */
export const MAX_JOB_FILE_STRING = 64 * 1024;

/** Values nested deeper than this are refused (a job file nests a few levels). */
const MAX_JOB_FILE_DEPTH = 64;

const KEEP_SMALL =
  'A job file names a project and its jobs in a few kilobytes: keep scripts and data in files of the project and name those files in the job file.';

/**
 * Checks that no string (key or value) of parsed job file data is longer than {@link MAX_JOB_FILE_STRING} and that
 * nothing is nested more than 64 deep; throws a {@link UsageError} naming the file, the value's path and the fix.
 */
export function checkJobFileBounds(data: unknown, source: string): void {
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > MAX_JOB_FILE_DEPTH) {
      throw new UsageError(`${source}: ${path} is nested more than ${MAX_JOB_FILE_DEPTH} levels deep.`, {
        hint: KEEP_SMALL,
      });
    }
    if (typeof value === 'string') {
      if (value.length > MAX_JOB_FILE_STRING) {
        throw new UsageError(
          `${source}: ${path} is a string of ${value.length} characters, longer than a job file string can be (${MAX_JOB_FILE_STRING}).`,
          { hint: KEEP_SMALL },
        );
      }
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(item, `${path}[${i}]`, depth + 1);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const at = path === '$' ? key : `${path}.${key}`;
        if (key.length > MAX_JOB_FILE_STRING) {
          throw new UsageError(
            `${source}: a key of ${key.length} characters in ${path}, longer than a job file string can be (${MAX_JOB_FILE_STRING}).`,
            { hint: KEEP_SMALL },
          );
        }
        visit(item, at, depth + 1);
      }
    }
  };
  visit(data, '$', 0);
}

/**
 * Reads, parses and checks a job file (see {@link checkJobFile}). A file larger than {@link MAX_JOB_FILE_BYTES} is
 * refused before it is read, and a string longer than {@link MAX_JOB_FILE_STRING} once it is parsed, each with a
 * {@link UsageError} naming the file and the fix.
 */
export async function loadJobFile(path: string, cwd = process.cwd()): Promise<LoadedJobFile> {
  const full = resolve(cwd, path);
  let text: string;
  try {
    const handle = await open(full, 'r');
    try {
      const info = await handle.stat();
      if (info.isFile() && info.size > MAX_JOB_FILE_BYTES) {
        throw new UsageError(
          `The job file ${full} has ${info.size} bytes, more than a job file can have (${MAX_JOB_FILE_BYTES}).`,
          { hint: KEEP_SMALL },
        );
      }
      // A pipe or a device has no size to check first: at most one byte past the bound is read.
      const buffer = Buffer.alloc(MAX_JOB_FILE_BYTES + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > MAX_JOB_FILE_BYTES) {
          throw new UsageError(
            `The job file ${full} has more than ${MAX_JOB_FILE_BYTES} bytes, more than a job file can have.`,
            { hint: KEEP_SMALL },
          );
        }
      }
      text = buffer.toString('utf8', 0, length);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    if (cause instanceof UsageError) throw cause;
    throw new UsageError(`Cannot read the job file ${full}.`, {
      hint: 'Check the path; job files are YAML (.yaml, .yml) or JSON (.json).',
      cause,
    });
  }
  const ext = extname(full).toLowerCase();
  let data: unknown;
  if (ext === '.json') {
    try {
      data = JSON.parse(text);
    } catch (cause) {
      throw new UsageError(`${basename(full)} is not valid JSON: ${(cause as Error).message}`, { cause });
    }
  } else {
    data = parseJobFileText(text, basename(full));
  }
  checkJobFileBounds(data, full);
  return checkJobFile(data, full);
}
