import { type FieldError, InvalidRequestError } from '../errors.js';

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

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

/** Problems of job options that are wrong whatever the project: missing fields, bad instances. */
export function jobOptionProblems(options: Partial<JobOptions>, prefix = ''): FieldError[] {
  const problems: FieldError[] = [];
  const field = (name: string) => `${prefix}${name}`;
  for (const name of ['name', 'app', 'appVersion', 'path'] as const) {
    if (isBlank(options[name]))
      problems.push({ field: field(name), message: 'is required (a non-empty string)' });
  }
  if (options.operation !== undefined && isBlank(options.operation)) {
    problems.push({ field: field('operation'), message: 'must be a non-empty string when given' });
  }
  const { instances } = options;
  if (instances !== undefined && !(Number.isInteger(instances) && (instances as number) >= 1)) {
    problems.push({
      field: field('instances'),
      message: `must be a positive integer (got ${String(instances)})`,
    });
  }
  if (
    options.machineType !== undefined &&
    options.machineType !== null &&
    typeof options.machineType !== 'string'
  ) {
    problems.push({ field: field('machineType'), message: 'must be a string' });
  }
  if (options.plugins !== undefined && options.plugins !== null) {
    if (!Array.isArray(options.plugins) || options.plugins.some((p) => isBlank(p))) {
      problems.push({ field: field('plugins'), message: 'must be a list of non-empty plugin codes' });
    }
  }
  if (options.gpu !== undefined && typeof options.gpu !== 'boolean') {
    problems.push({ field: field('gpu'), message: 'must be true or false' });
  }
  if (options.params !== undefined && (typeof options.params !== 'object' || options.params === null)) {
    problems.push({ field: field('params'), message: 'must be an object' });
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
    const problems = jobOptionProblems(options ?? ({} as JobOptions));
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
    this.params = { ...(options.params ?? {}) };
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
      problems.push({
        field: 'creditsBudget.value',
        message: `must be a positive number (got ${String(value)})`,
      });
    }
    if (!ACTIONS.has(action)) {
      problems.push({
        field: 'creditsBudget.action',
        message: `must be one of stop, suspend, alert (got ${String(action)})`,
      });
    }
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'The credits budget');
    this.creditsBudget = { value, action };
    return this;
  }
}
