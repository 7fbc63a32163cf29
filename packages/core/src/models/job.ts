import {
  integerProblem,
  isPlainObject,
  jsonValueProblem,
  nonEmptyStringProblem,
  stringListProblem,
  unknownKeyProblems,
} from '../checks.js';
import { type FieldError, InvalidRequestError } from '../errors.js';
import { FrameRangeError, moreFramesThan, normalizeFrames, parseFrames } from '../frames.js';
import { describeValue, remoteFileProblem } from '../paths.js';
import { ownedParamProblems, paramValueProblems, productOptionWireProblems } from '../wire.js';

/** What happens when a job's consumed credits reach its budget. */
export const CreditsBudgetAction = {
  /** Stop the job: cancel running and pending frames. */
  STOP: 'stop',
  /** Suspend the job: running frames finish, pending frames are cancelled. */
  SUSPEND: 'suspend',
  /** Send an alert; the job goes on. */
  ALERT: 'alert',
} as const;

/** One of {@link CreditsBudgetAction}'s values: `'stop'`, `'suspend'` or `'alert'`. */
export type CreditsBudgetAction = (typeof CreditsBudgetAction)[keyof typeof CreditsBudgetAction];

/** A job's credit limit and the action taken when it is reached. */
export interface CreditsBudget {
  /** Credits the job may consume; positive. */
  value: number;
  /** What happens when the limit is reached. */
  action: CreditsBudgetAction;
}

/** Job-specific parameters (frames, output fields, ...), sent as they are inside the job's `params`. */
export type JobParams = Record<string, unknown>;

/** Options of a {@link Job}. */
export interface JobOptions {
  /** Job name. */
  name: string;
  /** Product (app) code, such as `c4d`, `hou`, `blender`. */
  app: string;
  /** Product version, as the product resolver lists it, such as `R19` or `17.5.229`. */
  appVersion: string;
  /** Operation type: `render` (default), `sim`, `composite`, `transcode`, `batch`, ... */
  operation?: string;
  /** The job file in the remote store, such as `/sample_project/sample.c4d`. */
  path: string;
  /**
   * The same job file on this machine (a native absolute path), when the job is made from a local file, as `gm`
   * makes it from a job file's `file`: preflight reads the scene there and never works it out from {@link path}.
   * Never sent: the wire has only {@link path}.
   */
  localPath?: string;
  /** Frames to run at once; a positive integer. Omitted: the service decides. */
  instances?: number;
  /** Machine type id from `getMachines`; empty or omitted for the profile's default. */
  machineType?: string;
  /** Plugin codes, optionally with versions (`hou_redshift` or `hou_redshift:2.6.38`). */
  plugins?: readonly string[] | null;
  /** Whether the job needs a GPU machine. */
  gpu?: boolean;
  /** Job-specific parameters (frames, output_format, ...). Copied; never modified. */
  params?: Readonly<JobParams>;
  /**
   * The product's own options in the model's names (`outputPrefix`, `ropNodeType`, ...), as the product builders
   * of `@gm/products` set them: camelCase names, values JSON can carry. `wire.ts` names them on the wire
   * (`output_prefix`, `rop_nodetype`, ...) inside the job's `params`, where they win over a `params` entry of the
   * same wire name. Copied; never modified.
   */
  productOptions?: Readonly<Record<string, unknown>>;
  /** Jobs that must finish before this one (they must be in the same project). */
  dependencies?: readonly Job[];
  /** The credit budget: when the job has consumed `value` credits, `action` happens. */
  creditsBudget?: Readonly<CreditsBudget>;
}

const ACTIONS = new Set<string>(Object.values(CreditsBudgetAction));

const JOB_OPTION_KEYS = [
  'name',
  'app',
  'appVersion',
  'operation',
  'path',
  'localPath',
  'instances',
  'machineType',
  'plugins',
  'gpu',
  'params',
  'productOptions',
  'dependencies',
  'creditsBudget',
] as const;

/** A product option's model name: camelCase, so that `wire.ts` can name it on the wire. */
const PRODUCT_OPTION_NAME = /^[a-z][A-Za-z0-9]*$/;

/** The most distinct frames one job may render (Envoy refuses more). */
export const MAX_JOB_FRAMES = 100_000;

/** Problems of the parameters Envoy reads itself (frames, output names and sizes, ...), and those an option sets. */
function paramProblems(
  params: Record<string, unknown>,
  fieldOf: JobFieldNames,
  canonical: { frames?: string },
): FieldError[] {
  const problems: FieldError[] = [];
  const add = (name: string, message: string) => problems.push({ field: fieldOf(`params.${name}`), message });
  for (const [key, message] of ownedParamProblems(params)) add(key, message);
  if (params.frames !== undefined) {
    try {
      // Parsed once: the canonical form is what the job keeps and sends.
      const frames = normalizeFrames(params.frames as string);
      if (moreFramesThan(parseFrames(frames), MAX_JOB_FRAMES)) {
        add('frames', `over ${MAX_JOB_FRAMES} frames: split the job`);
      } else canonical.frames = frames;
    } catch (error) {
      if (!(error instanceof FrameRangeError)) throw error;
      add('frames', error.message.replace(/^frames: /, ''));
    }
  }
  for (const [key, message] of paramValueProblems(params)) add(key, message);
  return problems;
}

/** Problems of the product's own options: camelCase names, values JSON can carry, an output prefix. */
function productOptionProblems(options: unknown, fieldOf: JobFieldNames): FieldError[] {
  const field = fieldOf('productOptions');
  if (!isPlainObject(options)) {
    return [{ field, message: `must be a plain object of options (got ${describeValue(options)})` }];
  }
  const problem = jsonValueProblem(options, field);
  if (problem) return [{ field, message: problem }];
  const problems: FieldError[] = [];
  for (const [key, value] of Object.entries(options)) {
    const add = (message: string) => problems.push({ field: fieldOf(`productOptions.${key}`), message });
    // A name every object has (`constructor`, `toString`) would read the tables' own methods.
    if (!PRODUCT_OPTION_NAME.test(key) || key in {}) {
      add('is not a product option name: use camelCase letters and digits, e.g. "outputPrefix"');
      continue;
    }
    for (const message of productOptionWireProblems(key, value)) add(message);
  }
  return problems;
}

/**
 * How a caller names a job's fields in its problems: from the field as {@link JobOptions} has it (`path`,
 * `params.frames`, `productOptions.outputPrefix`, `creditsBudget.value`, `dependencies[0]`) to the caller's own
 * (a product builder's `frames` and `outputPrefix`), so that each problem's field is written once, in the terms
 * its caller's user knows. Internal to the `@gm` packages (`@gm/core/internal`).
 */
export type JobFieldNames = (field: string) => string;

/** The fields as {@link JobOptions} names them. */
const ownNames: JobFieldNames = (field) => field;

/**
 * Problems of job options that are wrong whatever the project (missing fields, values of the wrong type, counts
 * that are not positive integers, parameters JSON cannot carry, an `output_prefix` that cannot be a file name,
 * unknown options), and the canonical form of `params.frames` when it parses.
 */
function checkJobOptions(
  options: unknown,
  fieldOf: JobFieldNames = ownNames,
): { problems: FieldError[]; frames?: string } {
  const canonical: { frames?: string } = {};
  return { problems: optionProblems(options, fieldOf, canonical), ...canonical };
}

function optionProblems(
  options: unknown,
  fieldOf: JobFieldNames,
  canonical: { frames?: string },
): FieldError[] {
  if (!isPlainObject(options)) {
    return [
      { field: 'options', message: `must be an object of job options (got ${describeValue(options)})` },
    ];
  }
  const given = options as unknown as Record<string, unknown>;
  const problems: FieldError[] = [];
  const add = (name: string, message: string) => problems.push({ field: fieldOf(name), message });
  for (const name of ['name', 'app', 'appVersion'] as const) {
    const problem = nonEmptyStringProblem(given[name]);
    if (problem) add(name, `is required: ${problem}`);
  }
  const pathProblem = remoteFileProblem(given.path);
  if (pathProblem) add('path', pathProblem);
  if (given.localPath !== undefined) {
    const problem = nonEmptyStringProblem(given.localPath);
    if (problem) add('localPath', `${problem}: the job file on this machine, or omit it`);
  }
  if (given.operation !== undefined) {
    const problem = nonEmptyStringProblem(given.operation);
    if (problem) add('operation', `${problem}; omit it for "render"`);
  }
  if (given.instances !== undefined) {
    const problem = integerProblem(given.instances);
    if (problem) add('instances', `${problem}; omit it to let the service decide`);
  }
  if (
    given.machineType !== undefined &&
    given.machineType !== null &&
    typeof given.machineType !== 'string'
  ) {
    add(
      'machineType',
      `must be a machine type id, or "" for the account's default (got ${describeValue(given.machineType)})`,
    );
  }
  if (given.plugins !== undefined && given.plugins !== null) {
    const problem = stringListProblem(given.plugins, 'plugin codes ("code" or "code:version")');
    if (problem) add('plugins', problem);
  }
  if (given.gpu !== undefined && typeof given.gpu !== 'boolean') {
    add('gpu', `must be true or false (got ${describeValue(given.gpu)})`);
  }
  if (given.params !== undefined) {
    if (!isPlainObject(given.params)) {
      add('params', `must be a plain object of parameters (got ${describeValue(given.params)})`);
    } else {
      const problem = jsonValueProblem(given.params, fieldOf('params'));
      if (problem) add('params', problem);
      else problems.push(...paramProblems(given.params, fieldOf, canonical));
    }
  }
  if (given.productOptions !== undefined)
    problems.push(...productOptionProblems(given.productOptions, fieldOf));
  if (given.dependencies !== undefined) {
    if (!Array.isArray(given.dependencies)) {
      add('dependencies', `must be a list of jobs (got ${describeValue(given.dependencies)})`);
    } else {
      given.dependencies.forEach((dependency: unknown, i) => {
        if (!(dependency instanceof Job)) {
          add(
            `dependencies[${i}]`,
            `must be a Job (got ${describeValue(dependency)}): only jobs can be dependencies`,
          );
        }
      });
    }
  }
  if (given.creditsBudget !== undefined) {
    for (const p of creditsBudgetProblems(given.creditsBudget)) add(p.field, p.message);
  }
  for (const p of unknownKeyProblems(given, JOB_OPTION_KEYS, 'a job')) add(p.field, p.message);
  return problems;
}

/** Problems of a credit budget: a positive, finite number of credits and one of {@link CreditsBudgetAction}. */
function creditsBudgetProblems(budget: unknown): FieldError[] {
  if (!isPlainObject(budget)) {
    return [{ field: 'creditsBudget', message: `must be { value, action } (got ${describeValue(budget)})` }];
  }
  const problems: FieldError[] = [];
  const { value, action } = budget;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    problems.push({
      field: 'creditsBudget.value',
      message: `must be a positive number of credits (got ${describeValue(value)})`,
    });
  }
  if (typeof action !== 'string' || !ACTIONS.has(action)) {
    problems.push({
      field: 'creditsBudget.action',
      message: `must be one of ${[...ACTIONS].join(', ')} (got ${describeValue(action)})`,
    });
  }
  return problems;
}

/** Whether the checks found no problem: then the options are {@link JobOptions} (the checks are the type's). */
function passed(options: unknown, problems: readonly FieldError[]): options is JobOptions {
  return problems.length === 0;
}

/**
 * A job of options from outside the type system (a builder's options as a caller gave them, a parsed file): the
 * constructor's checks, every problem named in one {@link InvalidRequestError}, its field in the caller's terms
 * (`fieldOf`). Internal to the `@gm` packages (`@gm/core/internal`).
 */
export function jobFromUnknown(options: unknown, fieldOf: JobFieldNames = ownNames): Job {
  const { problems } = checkJobOptions(options, fieldOf);
  if (!passed(options, problems)) throw InvalidRequestError.fromProblems(problems, 'The job');
  return new Job(options);
}

/** Freezes a tree of plain values (already checked: no cycles, bounded depth). Internal to `@gm/core`. */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const item of Object.values(v)) stack.push(item);
    }
  }
  return value;
}

/**
 * A job: a product version, an operation and a job file, with parameters. Jobs belong to a project.
 *
 * @example
 * ```ts
 * const job = new Job({ name: 'test job', app: 'c4d', appVersion: 'R19', operation: 'render',
 *   path: '/sample_project/sample.c4d', instances: 5, machineType: 'gm4800',
 *   params: { frames: '0 0 1', output_format: 'tiff' } });
 * ```
 */
export class Job {
  /** The job id (UUID v4), chosen here; a retried submit with the same ids is not run twice. */
  readonly id: string;
  /** Job name. */
  readonly name: string;
  /** Product (app) code. */
  readonly app: string;
  /** Product version. */
  readonly appVersion: string;
  /** Operation type. */
  readonly operation: string;
  /** The job file in the remote store. */
  readonly path: string;
  /** The job file on this machine, when the job was made from one (see {@link JobOptions.localPath}). */
  readonly localPath: string | undefined;
  /** Frames to run at once, when given. */
  readonly instances: number | undefined;
  /** Machine type id; `''` for the account's default. */
  readonly machineType: string;
  /** Plugin codes. */
  readonly plugins: readonly string[];
  /** Whether the job needs a GPU machine, when given. */
  readonly gpu: boolean | undefined;
  /** Job-specific parameters: a frozen copy of the caller's, `frames` in canonical form. */
  readonly params: Readonly<JobParams>;
  /** The product's own options in the model's names (see {@link JobOptions.productOptions}); frozen. */
  readonly productOptions: Readonly<Record<string, unknown>>;
  /** Jobs that must finish before this one. */
  readonly dependencies: readonly Job[];
  /** The credit budget, when set. */
  readonly creditsBudget: Readonly<CreditsBudget> | undefined;

  /**
   * A job, checked once here and frozen: it cannot change after. To change one, make another with
   * {@link Job.with}, {@link Job.withDependencies} or {@link Job.withCreditsBudget}.
   * @throws {@link InvalidRequestError} naming every missing or malformed option.
   */
  constructor(options: JobOptions) {
    const { problems, frames } = checkJobOptions(options);
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'The job');
    this.id = crypto.randomUUID();
    this.name = options.name;
    this.app = options.app;
    this.appVersion = options.appVersion;
    this.operation = options.operation ?? 'render';
    this.path = options.path;
    this.localPath = options.localPath;
    this.instances = options.instances;
    this.machineType = options.machineType ?? '';
    this.plugins = Object.freeze([...(options.plugins ?? [])]);
    this.gpu = options.gpu;
    const params: JobParams = structuredClone({ ...(options.params ?? {}) });
    if (frames !== undefined) params.frames = frames;
    this.params = deepFreeze(params);
    this.productOptions = deepFreeze(structuredClone({ ...(options.productOptions ?? {}) }));
    this.dependencies = Object.freeze([...new Set(options.dependencies ?? [])]);
    const budget = options.creditsBudget;
    this.creditsBudget =
      budget === undefined ? undefined : Object.freeze({ value: budget.value, action: budget.action });
    Object.freeze(this);
  }

  /** The options this job was made with (a new job made from them is equal but for its id). */
  toOptions(): JobOptions {
    return {
      name: this.name,
      app: this.app,
      appVersion: this.appVersion,
      operation: this.operation,
      path: this.path,
      ...(this.localPath !== undefined && { localPath: this.localPath }),
      ...(this.instances !== undefined && { instances: this.instances }),
      machineType: this.machineType,
      plugins: this.plugins,
      ...(this.gpu !== undefined && { gpu: this.gpu }),
      params: this.params,
      ...(Object.keys(this.productOptions).length > 0 && { productOptions: this.productOptions }),
      dependencies: this.dependencies,
      ...(this.creditsBudget !== undefined && { creditsBudget: this.creditsBudget }),
    };
  }

  /**
   * A new job (with a new id) with `changes` applied to this one's options.
   * @throws {@link InvalidRequestError} when the result is not a valid job.
   */
  with(changes: Partial<JobOptions>): Job {
    return new Job({ ...this.toOptions(), ...changes });
  }

  /**
   * A new job (with a new id) that also waits for `jobs` (which must be in the same project).
   * @throws {@link InvalidRequestError} when one of them is not a {@link Job}.
   */
  withDependencies(...jobs: Job[]): Job {
    return this.with({ dependencies: [...this.dependencies, ...jobs] });
  }

  /**
   * A new job (with a new id) with a credit budget: when it has consumed `value` credits, `action` happens.
   * @throws {@link InvalidRequestError} when `value` is not a positive number or `action` is unknown.
   */
  withCreditsBudget(value: number, action: CreditsBudgetAction = CreditsBudgetAction.STOP): Job {
    return this.with({ creditsBudget: { value, action } });
  }
}
