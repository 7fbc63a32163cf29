import {
  integerProblem,
  isPlainObject,
  jsonValueProblem,
  nonEmptyStringProblem,
  stringListProblem,
  unknownKeyProblems,
} from '../checks.js';
import { type FieldError, InvalidRequestError } from '../errors.js';
import { validateFrames } from '../frames.js';
import { describeValue, fileNameProblem } from '../paths.js';

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
}

const ACTIONS = new Set<string>(Object.values(CreditsBudgetAction));

const JOB_OPTION_KEYS = [
  'name',
  'app',
  'appVersion',
  'operation',
  'path',
  'instances',
  'machineType',
  'plugins',
  'gpu',
  'params',
] as const;

/** Parameters a job option or the project sets: giving them in `params` too would be ambiguous. */
const OWNED_PARAMS: Readonly<Record<string, string>> = {
  instances: 'the job option instances',
  machine_type: 'the job option machineType',
  gpu: 'the job option gpu',
  plugins: 'the job option plugins',
  credits_budget: 'job.setCreditsBudget()',
  output_dir_name: "the project's outputFolderName",
};

/** Problems of the parameters Envoy reads itself: frames, output prefix, and those an option sets. */
function paramProblems(params: Record<string, unknown>, prefix: string): FieldError[] {
  const problems: FieldError[] = [];
  const add = (name: string, message: string) => problems.push({ field: `${prefix}params.${name}`, message });
  for (const [key, owner] of Object.entries(OWNED_PARAMS)) {
    if (Object.hasOwn(params, key)) add(key, `is set by ${owner}: use that instead of params.${key}`);
  }
  if (params.frames !== undefined) {
    const error = validateFrames(params.frames as string);
    if (error) add('frames', error.message.replace(/^frames: /, ''));
  }
  if (params.output_prefix !== undefined) {
    const nameProblem = fileNameProblem(params.output_prefix, { strict: true });
    if (nameProblem) add('output_prefix', `${nameProblem} (it becomes the output file names)`);
  }
  return problems;
}

/**
 * Problems of job options that are wrong whatever the project: missing fields, values of the wrong type,
 * counts that are not positive integers, parameters JSON cannot carry, an `output_prefix` that cannot be a file
 * name, unknown options.
 */
export function jobOptionProblems(options: unknown, prefix = ''): FieldError[] {
  if (!isPlainObject(options) && !(options instanceof Job)) {
    return [
      {
        field: prefix === '' ? 'options' : prefix.replace(/\.$/, ''),
        message: `must be an object of job options (got ${describeValue(options)})`,
      },
    ];
  }
  const given = options as unknown as Record<string, unknown>;
  const problems: FieldError[] = [];
  const add = (name: string, message: string) => problems.push({ field: `${prefix}${name}`, message });
  for (const name of ['name', 'app', 'appVersion', 'path'] as const) {
    const problem = nonEmptyStringProblem(given[name]);
    if (problem) add(name, `is required: ${problem}`);
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
      const problem = jsonValueProblem(given.params, `${prefix}params`);
      if (problem) problems.push({ field: `${prefix}params`, message: problem });
      else problems.push(...paramProblems(given.params, prefix));
    }
  }
  if (!(options instanceof Job)) {
    for (const p of unknownKeyProblems(given, JOB_OPTION_KEYS, 'a job', prefix)) problems.push(p);
  }
  return problems;
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
  name: string;
  /** Product (app) code. */
  app: string;
  /** Product version. */
  appVersion: string;
  /** Operation type. */
  operation: string;
  /** The job file in the remote store. */
  path: string;
  /** Frames to run at once, when given. */
  instances: number | undefined;
  /** Machine type id; `''` for the profile's default. */
  machineType: string;
  /** Plugin codes. */
  plugins: string[];
  /** Whether the job needs a GPU machine, when given. */
  gpu: boolean | undefined;
  /** Job-specific parameters (a copy of the caller's). */
  params: JobParams;
  /** Jobs that must finish before this one. */
  readonly dependencies: Job[] = [];
  /** The credit budget, when set. */
  creditsBudget: CreditsBudget | undefined;

  /** @throws {@link InvalidRequestError} naming every missing or malformed option. */
  constructor(options: JobOptions) {
    const problems = jobOptionProblems(options);
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'The job');
    this.id = crypto.randomUUID();
    this.name = options.name;
    this.app = options.app;
    this.appVersion = options.appVersion;
    this.operation = options.operation ?? 'render';
    this.path = options.path;
    this.instances = options.instances;
    this.machineType = options.machineType ?? '';
    this.plugins = [...(options.plugins ?? [])];
    this.gpu = options.gpu;
    this.params = structuredClone({ ...(options.params ?? {}) });
  }

  /** Makes this job wait for `jobs` (which must be in the same project). Returns this job. */
  addDependencies(...jobs: Job[]): this {
    for (const job of jobs) {
      if (!(job instanceof Job)) {
        throw InvalidRequestError.fromProblems(
          [{ field: 'dependencies', message: 'only jobs can be dependencies' }],
          'The job',
        );
      }
      if (job === this) {
        throw InvalidRequestError.fromProblems(
          [{ field: 'dependencies', message: `job "${this.name}" cannot depend on itself` }],
          'The job',
        );
      }
      if (!this.dependencies.includes(job)) this.dependencies.push(job);
    }
    return this;
  }

  /**
   * Sets the credit budget: when the job has consumed `value` credits, `action` happens. Returns this job.
   * @throws {@link InvalidRequestError} when `value` is not a positive number or `action` is unknown.
   */
  setCreditsBudget(value: number, action: CreditsBudgetAction = CreditsBudgetAction.STOP): this {
    const problems: FieldError[] = [];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      // A budget is a number of credits: a positive, finite number (fractions allowed).
      problems.push({
        field: 'creditsBudget.value',
        message: `must be a positive number (got ${describeValue(value)})`,
      });
    }
    if (!ACTIONS.has(action)) {
      problems.push({
        field: 'creditsBudget.action',
        message: `must be one of stop, suspend, alert (got ${describeValue(action)})`,
      });
    }
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'The credits budget');
    this.creditsBudget = { value, action };
    return this;
  }
}
