/**
 * Checks a job against what the live service offers, before submitting: the product version, the plugins'
 * compatibility with it, and the machine type.
 *
 * @module
 */
import { type FieldError, InvalidRequestError, parsePluginSpec } from '@gm/core';
import { describeValue } from '@gm/core/internal';
import { productOf } from './catalogue.js';
import { closest, nearestVersion } from './suggest.js';

/** One problem {@link checkJob} found, with the closest valid value when there is one. */
export interface JobFinding {
  /** The job option at fault: `app`, `appVersion`, `plugins` or `machineType`. */
  readonly field: 'app' | 'appVersion' | 'plugins' | 'machineType';
  /** What is wrong. */
  readonly message: string;
  /** The closest valid value, to put in the option instead. */
  readonly suggestion?: string;
}

/** What {@link checkJob} reads of a job: the fields of a `@gm/core` `Job`. */
export interface CheckableJob {
  /** Product code. */
  readonly app: string;
  /** Product version. */
  readonly appVersion: string;
  /** Operation type. */
  readonly operation: string;
  /** Plugins, `code` or `code:version`. */
  readonly plugins?: readonly string[];
  /** Machine type id; empty or absent for the default. */
  readonly machineType?: string;
  /** Whether the job asks for a GPU machine. */
  readonly gpu?: boolean | undefined;
}

/** A value, or a promise of it: the resolver and machine lookups may be synchronous or not. */
export type MaybePromise<T> = T | Promise<T>;

/** The product resolver methods {@link checkJob} uses; `client.getProductResolver()` gives one. */
export interface ResolverLike {
  /** The versions of a product or plugin type. */
  getVersionsByType(type: string): MaybePromise<readonly string[]>;
  /** The types (with versions) compatible with all of the queries (`type:version`). */
  getCompatibleCombinations(
    query: readonly string[],
  ): MaybePromise<Readonly<Record<string, { readonly versions: readonly string[] }>>>;
}

/** A machine type as `client.getMachines(...)` lists it. */
export interface MachineLike {
  /** The id to put in `machineType`. */
  readonly id: string;
  /** Display name. */
  readonly name?: string;
  /** Whether it is a GPU machine. */
  readonly gpu?: boolean;
  /** Whether it is the default of its category. */
  readonly is_default?: boolean;
}

/** Options of {@link checkJob}. */
export interface CheckJobOptions {
  /** The product resolver, from `await client.getProductResolver()`. */
  readonly resolver: ResolverLike;
  /**
   * The machine types offered for the job's product and operation, from
   * `await client.getMachines(job.app, job.operation, { category: MachineCategory.ALL })`, or a function that
   * fetches them. Omitted: the machine type is not checked.
   */
  readonly machines?:
    | readonly MachineLike[]
    | ((product: string, operation: string) => MaybePromise<readonly MachineLike[]>);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** What is wrong with the arguments of {@link checkJob} themselves (a job without fields, no resolver). */
function argumentProblems(job: unknown, options: unknown): FieldError[] {
  const problems: FieldError[] = [];
  if (!isObject(job)) {
    problems.push({ field: 'job', message: `must be a Job (got ${describeValue(job)})` });
  } else {
    for (const key of ['app', 'appVersion', 'operation'] as const) {
      if (typeof job[key] !== 'string') {
        problems.push({ field: `job.${key}`, message: `must be a string (got ${describeValue(job[key])})` });
      }
    }
  }
  if (!isObject(options)) {
    problems.push({
      field: 'options',
      message: `must be an object such as { resolver: await client.getProductResolver() } (got ${describeValue(options)})`,
    });
    return problems;
  }
  const resolver = options.resolver;
  if (
    !isObject(resolver) ||
    typeof resolver.getVersionsByType !== 'function' ||
    typeof resolver.getCompatibleCombinations !== 'function'
  ) {
    problems.push({
      field: 'options.resolver',
      message: `must be a product resolver, from await client.getProductResolver() (got ${describeValue(resolver)})`,
    });
  }
  const machines = options.machines;
  if (machines !== undefined && typeof machines !== 'function') {
    const problem = machinesProblem(
      machines,
      'must be a list of machine types, a function fetching them, or absent',
    );
    if (problem) problems.push(problem);
  }
  return problems;
}

/** What is wrong with `machines` when it is no list of machine types (objects with a string `id`). */
function machinesProblem(machines: unknown, what: string): FieldError | undefined {
  if (Array.isArray(machines)) {
    const bad = machines.findIndex((m) => !isObject(m) || typeof m.id !== 'string');
    if (bad < 0) return undefined;
    return {
      field: 'options.machines',
      message: `${what}; machine ${bad} is no machine type with an id (got ${describeValue(machines[bad])})`,
    };
  }
  return { field: 'options.machines', message: `${what} (got ${describeValue(machines)})` };
}

const list = (values: readonly string[], max = 8): string =>
  values.length <= max
    ? values.join(', ')
    : `${values.slice(0, max).join(', ')}, … (${values.length} in all)`;

/**
 * Checks a job against the live service's offer: a product version the account does not offer, a plugin
 * (version) not compatible with the product version, a machine type not offered for the product and operation
 * (or a CPU machine for a GPU job). Each finding suggests the closest valid value: the nearest version by
 * version ordering, the closest id by edit distance.
 *
 * @returns the findings; empty when the job is fine.
 * @throws InvalidRequestError (from `@gm/core`) naming the argument at fault when `options.resolver` is not a
 * resolver, `options.machines` neither a list nor a function, or the job has no product, version or operation.
 * @example
 * ```ts
 * const findings = await checkJob(job, {
 *   resolver: await client.getProductResolver(),
 *   machines: await client.getMachines(job.app, job.operation),
 * });
 * for (const f of findings) console.warn(`${f.field}: ${f.message}`, f.suggestion ? `try ${f.suggestion}` : '');
 * ```
 */
export async function checkJob(job: CheckableJob, options: CheckJobOptions): Promise<JobFinding[]> {
  const wrong = argumentProblems(job, options);
  if (wrong.length > 0) throw InvalidRequestError.fromProblems(wrong, 'checkJob');
  const findings: JobFinding[] = [];
  const { resolver } = options;
  const name = productOf(job.app)?.name ?? job.app;

  const versions = await resolver.getVersionsByType(job.app);
  let versionOk = false;
  if (versions.length === 0) {
    findings.push({ field: 'app', message: `the account offers no ${name} versions` });
  } else if (!versions.includes(job.appVersion)) {
    const suggestion = nearestVersion(job.appVersion, versions);
    findings.push({
      field: 'appVersion',
      message: `${name} ${job.appVersion} is not offered; offered: ${list(versions)}`,
      ...(suggestion !== undefined && { suggestion }),
    });
  } else {
    versionOk = true;
  }

  const plugins = job.plugins ?? [];
  if (versionOk && plugins.length > 0) {
    const compatible = await resolver.getCompatibleCombinations([`${job.app}:${job.appVersion}`]);
    const catalogue = Object.keys(productOf(job.app)?.plugins ?? {});
    const codes = Object.keys(compatible);
    for (const plugin of plugins) {
      const { code, version } = parsePluginSpec(plugin);
      const entry = Object.hasOwn(compatible, code) ? compatible[code] : undefined;
      if (entry === undefined) {
        const candidates = codes.filter((c) => catalogue.includes(c));
        const guess = closest(code, candidates.length > 0 ? candidates : codes);
        findings.push({
          field: 'plugins',
          message:
            `"${code}" is not compatible with ${name} ${job.appVersion}` +
            (codes.length > 0 ? `; compatible: ${list(codes)}` : '; no plugin is'),
          ...(guess !== undefined && { suggestion: guess }),
        });
      } else if (version !== undefined && !entry.versions.includes(version)) {
        const nearest = nearestVersion(version, entry.versions);
        findings.push({
          field: 'plugins',
          message: `${code} ${version} is not compatible with ${name} ${job.appVersion}; compatible: ${list(entry.versions)}`,
          ...(nearest !== undefined && { suggestion: `${code}:${nearest}` }),
        });
      }
    }
  }

  const machineType = job.machineType ?? '';
  if (options.machines !== undefined) {
    const machines =
      typeof options.machines === 'function'
        ? await options.machines(job.app, job.operation)
        : options.machines;
    const fetched = machinesProblem(machines, 'must fetch a list of machine types');
    if (fetched) throw InvalidRequestError.fromProblems([fetched], 'checkJob');
    const ids = machines.map((m) => m.id);
    const chosen = machines.find((m) => m.id === machineType);
    const wantGpu = job.gpu === true;
    const fitting = machines.filter((m) => (m.gpu === true) === wantGpu);
    const fallback = (fitting.find((m) => m.is_default) ?? fitting[0])?.id;
    if (machineType !== '' && chosen === undefined) {
      const byName = machines.find((m) => m.name?.toLowerCase() === machineType.toLowerCase());
      const guess = byName?.id ?? closest(machineType, ids);
      findings.push({
        field: 'machineType',
        message:
          `"${machineType}" is not offered for ${name} ${job.operation}` +
          (ids.length > 0 ? `; offered: ${list(ids)}` : '; no machine type is'),
        ...(guess !== undefined && { suggestion: guess }),
      });
    } else if (chosen !== undefined && job.gpu !== undefined && (chosen.gpu === true) !== wantGpu) {
      findings.push({
        field: 'machineType',
        message: `"${chosen.id}" is a ${chosen.gpu ? 'GPU' : 'CPU'} machine, but the job has gpu: ${job.gpu}`,
        ...(fallback !== undefined && { suggestion: fallback }),
      });
    } else if (machineType === '' && wantGpu && machines.length > 0 && fitting.length === 0) {
      findings.push({
        field: 'machineType',
        message: `no GPU machine is offered for ${name} ${job.operation}`,
      });
    }
  }
  return findings;
}
