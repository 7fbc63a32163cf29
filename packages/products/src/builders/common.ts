/**
 * The one helper every builder uses: the options all jobs share, field specs for the product's own
 * options, validation that collects every problem, and the mapping to a core `Job`.
 *
 * @module
 */
import {
  type CreditsBudget,
  type FieldError,
  InvalidRequestError,
  type Job,
  parsePluginSpec,
  remoteFileProblem,
} from '@gm/core';
import { describeValue, type JobFieldNames, jobFromUnknown } from '@gm/core/internal';
import { type OperationOf, type PluginSpec, PRODUCTS, type ProductCode } from '../catalogue.js';
import type { FieldSpec } from '../specs/fields.js';
import type { CatalogueEntry } from '../specs/types.js';
import { didYouMean } from '../suggest.js';

export {
  type FieldSpec,
  nonEmptyString,
  OUTPUT_FILE_FIELDS,
  OUTPUT_SIZE_FIELDS,
  type OutputFileOptions,
  type OutputSizeOptions,
  oneOf,
  positiveInteger,
  stringList,
} from '../specs/fields.js';

/** The options every job builder takes, named as core's `Job` names them, plus `frames`. */
export interface CommonJobOptions<P extends ProductCode> {
  /** Job name, shown in the GridMarkets portal. */
  name: string;
  /** Product version as the product resolver lists it, e.g. `'2.80'` or `'17.5.229'`. */
  appVersion: string;
  /**
   * The job file in the remote store: `/<project name>/<file>`, forward slashes, with one of the
   * product's extensions (see `PRODUCTS[product].extensions`).
   */
  path: string;
  /** The job file on this machine, when there is one (see `@gm/core`'s `JobOptions.localPath`); never sent. */
  localPath?: string;
  /** Frames to render, `start [end] [step],[start [end] [step]],...` (see `parseFrames`). */
  frames: string;
  /** Requested concurrent machines; a positive integer. Omitted: the service decides. */
  instances?: number;
  /** Machine type id from `client.getMachines(...)`. Omitted or `''`: the account's default. */
  machineType?: string;
  /** Plugins of this product, each `'code'` or `'code:version'`. */
  plugins?: readonly PluginSpec<P>[];
  /** Whether the job needs a GPU machine. */
  gpu?: boolean;
  /** Further parameters sent as they are, beside those the builder sets (which win). */
  params?: Readonly<Record<string, unknown>>;
  /** Jobs that must finish before this one (in the same project). */
  dependencies?: readonly Job[];
  /** The credit budget: when the job has consumed `value` credits, `action` happens. */
  creditsBudget?: Readonly<CreditsBudget>;
}

const describe = describeValue;

const COMMON_KEYS = [
  'name',
  'appVersion',
  'path',
  'localPath',
  'frames',
  'instances',
  'machineType',
  'plugins',
  'gpu',
  'params',
  'dependencies',
  'creditsBudget',
];

/** Checks the job-file path: core's rule of remote files (`remoteFileProblem`), and one of the product's extensions. */
function pathProblem(info: CatalogueEntry, path: unknown): string | undefined {
  const extensions: readonly string[] = info.extensions;
  const problem = remoteFileProblem(path, { example: `"/my_project/scene${extensions[0]}"` });
  if (problem !== undefined || typeof path !== 'string') return problem;
  const lower = path.toLowerCase();
  if (!extensions.some((ext) => lower.endsWith(ext))) {
    return `must be a ${info.name} file ending in ${extensions.join(', ')} (got ${JSON.stringify(path)})`;
  }
  return undefined;
}

/** True when `plugin` (a code, or `code:version` with a version) is one of the catalogue entry's plugins. */
function isPluginOfEntry(info: CatalogueEntry, plugin: string): boolean {
  const { code, version } = parsePluginSpec(plugin);
  return Object.hasOwn(info.plugins, code) && (version === undefined || version.length > 0);
}

/** Checks the plugins against the catalogue; one message per bad entry. */
function pluginProblems(info: CatalogueEntry, plugins: unknown): string[] {
  const { name } = info;
  const valid = Object.keys(info.plugins);
  if (!Array.isArray(plugins)) return [`must be a list of ${name} plugin codes`];
  if (plugins.length > 0 && valid.length === 0) return [`${name} takes no plugins; remove them`];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const plugin of plugins) {
    if (typeof plugin !== 'string' || !isPluginOfEntry(info, plugin)) {
      const code = typeof plugin === 'string' ? parsePluginSpec(plugin).code : '';
      const known = valid.includes(code);
      const guess = known ? undefined : didYouMean(code, valid);
      problems.push(
        known
          ? `${JSON.stringify(plugin)} has an empty version; write "${code}" or "${code}:<version>"`
          : `${describe(plugin)} is not a ${name} plugin; use one of ${valid.join(', ')}` +
              `, optionally as "code:version"${guess ? ` (did you mean "${guess}"?)` : ''}`,
      );
      continue;
    }
    const { code } = parsePluginSpec(plugin);
    if (seen.has(code)) problems.push(`${JSON.stringify(code)} is given twice; keep one`);
    seen.add(code);
  }
  return problems;
}

/**
 * The caller's own names of builder options where they differ from the builder's, such as a job file's `file` for
 * `path` and `localPath` and `budget` for `creditsBudget`: every problem's field is written in them.
 */
export type OptionNames = Readonly<Partial<Record<string, string>>>;

/** A builder option's field (`path`, `outputPrefix`, `creditsBudget.value`) in the caller's names. */
function callerField(field: string, names: OptionNames): string {
  const end = field.search(/[.[]/);
  const head = end === -1 ? field : field.slice(0, end);
  const own = Object.hasOwn(names, head) ? names[head] : undefined;
  return own === undefined ? field : own + field.slice(head.length);
}

/**
 * A core `Job` field as the builder's caller names it: `params.frames` is the builder's `frames`,
 * `productOptions.x` its option `x`, then the caller's own names.
 */
function jobFieldNames(names: OptionNames): JobFieldNames {
  return (field) => {
    const option =
      field === 'params.frames'
        ? 'frames'
        : field.startsWith('productOptions.')
          ? field.slice('productOptions.'.length)
          : field;
    return callerField(option, names);
  };
}

/**
 * Checks the product's own rules (the job file's extension, required frames, the operations and plugins the
 * product offers, its own options, unknown options) and makes the core `Job`, whose constructor checks the
 * rules every job shares (names, version, counts, machine type, frames syntax, output prefix, budget,
 * dependencies, parameters): each rule lives in one place. Every problem of both comes in one error.
 *
 * @throws InvalidRequestError (from `@gm/core`) naming each field at fault and how to fix it.
 */
export function buildJob<P extends ProductCode>(
  product: P,
  options: CommonJobOptions<P> & { operation?: OperationOf<P> },
  fields: Readonly<Record<string, FieldSpec>>,
): Job {
  return buildProductJob(product, PRODUCTS[product], fields, options);
}

/**
 * {@link buildJob} for any product given by its code, catalogue entry and fields (a product spec's), so the
 * derived builders of `productTables` work for any list of specs.
 *
 * @throws InvalidRequestError (from `@gm/core`) naming each field at fault and how to fix it.
 */
export function buildProductJob(
  product: string,
  info: CatalogueEntry,
  fields: Readonly<Record<string, FieldSpec>>,
  options: unknown,
  names: OptionNames = {},
): Job {
  const problems: FieldError[] = [];
  const add = (field: string, message: string) =>
    problems.push({ field: callerField(field, names), message });

  if (!isOptionsObject(options)) {
    throw new InvalidRequestError(`The ${info.name} job options must be an object`, {
      fieldErrors: [{ field: 'options', message: `must be an object (got ${describe(options)})` }],
    });
  }

  const path = pathProblem(info, options.path);
  if (path) add('path', path);
  if (options.frames === undefined)
    add('frames', 'is required: a frame range such as "1 100" or "1 100 2, 120"');

  const operations: readonly string[] = info.operations;
  const operation = options.operation === undefined ? info.defaultOperation : options.operation;
  if (typeof operation !== 'string' || !operations.includes(operation)) {
    add(
      'operation',
      operations.length === 1
        ? `${info.name} runs only "${operations[0]}"; remove the option (got ${describe(operation)})`
        : `must be one of ${operations.map((o) => `"${o}"`).join(', ')} (got ${describe(operation)})`,
    );
  }
  if (Array.isArray(options.plugins)) {
    for (const p of pluginProblems(info, options.plugins)) add('plugins', p);
  }

  const productOptions = productOptionsOf(options, fields, add);

  const known = [...COMMON_KEYS, 'operation', ...Object.keys(fields)];
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const guess = didYouMean(key, known);
    add(key, `is not a ${info.name} job option${guess ? `; did you mean "${guess}"?` : ''}`);
  }

  const valid = typeof operation === 'string' && operations.includes(operation);
  let job: Job | undefined;
  try {
    job = jobFromUnknown(
      jobOptionsOf(product, options, valid ? operation : info.defaultOperation, productOptions),
      jobFieldNames(names),
    );
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    // Core's problems come in the caller's names already; one the builder found first is not said twice.
    const own = new Set(problems.map((p) => p.field));
    for (const e of error.fieldErrors) if (!own.has(e.field)) problems.push(e);
  }
  if (problems.length > 0 || job === undefined) {
    throw problemsError(
      info.name,
      problems,
      known.map((option) => callerField(option, names)),
    );
  }
  return job;
}

/** Whether the builder's options are an object (not a list): its keys are then read as options. */
function isOptionsObject(options: unknown): options is Readonly<Record<string, unknown>> {
  return typeof options === 'object' && options !== null && !Array.isArray(options);
}

/** The product's own options, checked (`add` gets each problem), under their model names. */
function productOptionsOf(
  given: Readonly<Record<string, unknown>>,
  fields: Readonly<Record<string, FieldSpec>>,
  add: (field: string, message: string) => void,
): Record<string, unknown> {
  const productOptions: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(fields)) {
    const value = given[key];
    if (value === undefined) {
      if (spec.required) add(key, `is required: ${spec.hint}`);
      continue;
    }
    const p = spec.check?.(value);
    if (p) add(key, p);
    else productOptions[key] = spec.toModel ? spec.toModel(value) : value;
  }
  return productOptions;
}

/** The core `Job` options of a builder's options: `frames` joins the caller's `params`; the rest is core's to check. */
function jobOptionsOf(
  product: string,
  given: Readonly<Record<string, unknown>>,
  operation: string,
  productOptions: Record<string, unknown>,
): Record<string, unknown> {
  const extra = given.params;
  const frames = given.frames !== undefined && { frames: given.frames };
  const core: Record<string, unknown> = {
    name: given.name,
    app: product,
    appVersion: given.appVersion,
    operation,
    path: given.path,
    params:
      typeof extra === 'object' && extra !== null && !Array.isArray(extra)
        ? { ...extra, ...frames }
        : extra === undefined
          ? { ...frames }
          : extra,
    productOptions,
  };
  for (const key of [
    'localPath',
    'instances',
    'machineType',
    'plugins',
    'gpu',
    'dependencies',
    'creditsBudget',
  ]) {
    if (given[key] !== undefined) core[key] = given[key];
  }
  return core;
}

/** One error with every problem, in the order of the options (`known`, in the caller's names). */
function problemsError(
  product: string,
  problems: FieldError[],
  known: readonly string[],
): InvalidRequestError {
  const order = (field: string) => {
    const i = known.indexOf(field.split(/[.[]/)[0]!);
    return i === -1 ? known.length : i;
  };
  problems.sort((a, b) => order(a.field) - order(b.field));
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new InvalidRequestError(`The ${product} job has ${count}:`, { fieldErrors: problems });
}
