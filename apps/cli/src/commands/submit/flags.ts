import { stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { PRODUCT_CODES, productsForFile } from '@gm/products';
import { UsageError } from '../../lib/exit-codes.js';
import { checkJobFile, type JobFile, type LoadedJobFile } from '../../lib/job-file.js';

/** The flags that describe a single job without a job file. */
export interface JobFlags {
  product?: string;
  appVersion?: string;
  file?: string;
  folder?: string;
  frames?: string;
  instances?: string;
  machine?: string;
  name?: string;
  project?: string;
  plugin?: string[];
  gpu?: boolean;
  operation?: string;
  outputPrefix?: string;
  outputFormat?: string;
  engine?: string;
  set?: string[];
  param?: string[];
  budget?: string;
  budgetAction?: string;
  submissionName?: string;
  outputFolderName?: string;
}

/** Parses `key=value`; numbers and booleans become values of their type. */
export function parseAssignment(text: string, flag: string): [string, unknown] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`${flag} takes key=value, not "${text}".`);
  const key = text.slice(0, at);
  const raw = text.slice(at + 1);
  let value: unknown = raw;
  if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
  else if (raw === 'true' || raw === 'false') value = raw === 'true';
  return [key, value];
}

function integer(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new UsageError(`${flag} must be a whole number, not "${text}".`);
  return n;
}

/** Builds a one-job job file from flags and checks it like any job file. */
export async function jobFileFromFlags(flags: JobFlags, cwd: string): Promise<LoadedJobFile> {
  const missing = [
    !flags.file && '--file',
    !flags.appVersion && '--version',
    !flags.frames && '--frames',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new UsageError(`Without a job file, gm submit needs ${missing.join(', ')}.`, {
      hint: 'For example: gm submit --file scene.blend --version 4.2 --frames "1 24" --output-prefix render_ --output-format PNG\nor give a job file: gm submit job.yaml',
    });
  }
  const file = resolve(cwd, flags.file!);
  const folder = resolve(cwd, flags.folder ?? dirname(file));
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile())
    throw new UsageError(`${file} does not exist.`, { hint: 'Give the scene file with --file.' });
  let product = flags.product;
  if (!product) {
    const guesses = productsForFile(file);
    if (guesses.length !== 1) {
      throw new UsageError(`Cannot tell the product of ${basename(file)}; give --product.`, {
        hint: `Products: ${PRODUCT_CODES.join(', ')}.`,
      });
    }
    product = guesses[0];
  }
  const job: Record<string, unknown> = {
    name: flags.name ?? basename(file).replace(/\.[^.]+$/, ''),
    product,
    appVersion: flags.appVersion,
    file: relative(folder, file).replace(/\\/g, '/'),
    frames: flags.frames,
  };
  const instances = integer(flags.instances, '--instances');
  if (instances !== undefined) job.instances = instances;
  if (flags.machine) job.machineType = flags.machine;
  if (flags.plugin) job.plugins = flags.plugin;
  if (flags.gpu) job.gpu = true;
  if (flags.operation) job.operation = flags.operation;
  if (flags.outputPrefix) job.outputPrefix = flags.outputPrefix;
  if (flags.outputFormat) job.outputFormat = flags.outputFormat;
  if (flags.engine) job.engine = flags.engine;
  for (const s of flags.set ?? []) {
    const [k, v] = parseAssignment(s, '--set');
    job[k] = v;
  }
  if (flags.param) job.params = Object.fromEntries(flags.param.map((p) => parseAssignment(p, '--param')));
  if (flags.budget !== undefined) {
    const value = Number(flags.budget);
    if (!Number.isFinite(value) || value <= 0)
      throw new UsageError(`--budget must be a positive number of credits.`);
    job.budget = { value, action: flags.budgetAction ?? 'stop' };
  }
  const spec: Record<string, unknown> = { folder: '.', jobs: [job] };
  if (flags.project) spec.name = flags.project;
  if (flags.submissionName) spec.submissionName = flags.submissionName;
  if (flags.outputFolderName) spec.outputFolderName = flags.outputFolderName;
  return checkJobFile(spec as unknown as JobFile, join(folder, '(flags)'));
}
