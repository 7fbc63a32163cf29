/**
 * The preflight step of `gm validate` and `gm submit`: each job's scene is scanned with `@gm/preflight`, and
 * references missing on disk, outside the project folder or not among the project's files are problems.
 *
 * @module
 */
import {
  DEFAULT_LIMITS,
  type PathMap,
  type PreflightProblem,
  type PreflightProject,
  preflightProject,
  type ScanLimits,
} from '@gm/preflight';
import { Option } from 'commander';
import { UsageError } from './exit-codes.js';
import { safe } from './safe.js';

/** Problem kinds that stop `gm submit` and fail `gm validate` (unless `--allow-missing`). */
export const BLOCKING_KINDS: ReadonlySet<PreflightProblem['kind']> = new Set<PreflightProblem['kind']>([
  'scene-missing',
  'unreadable',
  'missing',
  'outside',
  'not-added',
]);

/** What the preflight step found. */
export interface ScenePreflight {
  /** Problems that stop a submission. */
  blocking: PreflightProblem[];
  /** What could not be checked (expressions, unreadable formats): shown, not fatal. */
  warnings: PreflightProblem[];
  /** References found across every job's scene. */
  references: number;
}

/** The `--path-map <from=to>` option of `gm scan`, `init`, `validate` and `submit` (repeatable). */
export function pathMapOption(): Option {
  return new Option(
    '--path-map <from=to>',
    "map another machine's folder onto a local one for the scene checks, e.g. 'C:\\proj\\=/home/me/proj' (repeatable)",
  ).argParser((value: string, previous: string[] = []) => [...previous, value]);
}

/** The `--path-map` entries as pairs, split at the last `=`; a usage error naming the entry when one has no `=`. */
export function parsePathMap(entries: readonly string[] | undefined): [string, string][] {
  return (entries ?? []).map((entry) => {
    const at = entry.lastIndexOf('=');
    if (at <= 0 || at === entry.length - 1) {
      throw new UsageError(`--path-map "${entry}" is not from=to`, {
        hint: "Write the foreign folder, '=', then the local folder: --path-map 'C:\\proj\\=/home/me/proj'.",
      });
    }
    return [entry.slice(0, at), entry.slice(at + 1)];
  });
}

/**
 * The `--limit <name=value>` option of `gm scan`, `validate` and `submit` (repeatable): a bound of the scene scans
 * raised (or lowered) for a large scene the user trusts.
 */
export function limitOption(): Option {
  return new Option(
    '--limit <name=value>',
    'raise a bound of the scene scan for a large scene you trust, e.g. maxReferences=200000 (repeatable)',
  ).argParser((value: string, previous: string[] = []) => [...previous, value]);
}

/**
 * The `--limit name=value` entries as scan limits over the defaults; a usage error naming the entry, and the limits
 * there are, when one is not a limit or its value not a positive whole number.
 */
export function parseLimits(entries: readonly string[] | undefined): Partial<ScanLimits> {
  const limits: Partial<ScanLimits> = {};
  const known = Object.keys(DEFAULT_LIMITS) as (keyof ScanLimits)[];
  for (const entry of entries ?? []) {
    const at = entry.indexOf('=');
    const name = (at < 0 ? entry : entry.slice(0, at)).trim();
    const text = at < 0 ? '' : entry.slice(at + 1).trim();
    const limit = known.find((k) => k === name);
    if (!limit) {
      throw new UsageError(`--limit "${safe(entry)}": ${safe(name) || 'no name'} is not a scan limit.`, {
        hint: `Limits (and their defaults): ${known.map((k) => `${k}=${DEFAULT_LIMITS[k]}`).join(', ')}.`,
      });
    }
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
      throw new UsageError(`--limit ${limit}: "${safe(text)}" is not a positive whole number.`, {
        hint: `For example --limit ${limit}=${DEFAULT_LIMITS[limit] * 2} (the default is ${DEFAULT_LIMITS[limit]}).`,
      });
    }
    limits[limit] = value;
  }
  return limits;
}

/**
 * Scans every job's scene of `project`, foreign folders mapped by `pathMap`, within the scan bounds `limits` over
 * the defaults (see {@link parseLimits}).
 */
export async function scenePreflight(
  project: PreflightProject,
  pathMap: PathMap = [],
  limits: Partial<ScanLimits> = {},
): Promise<ScenePreflight> {
  const report = await preflightProject(project, { pathMap, limits });
  return {
    blocking: report.problems.filter((p) => BLOCKING_KINDS.has(p.kind)),
    warnings: report.problems.filter((p) => !BLOCKING_KINDS.has(p.kind)),
    references: report.jobs.reduce((n, j) => n + (j.scan?.references.length ?? 0), 0),
  };
}

/**
 * For problems of scenes stopped at a scan bound (`raise limits.<name>` in their message): the `--limit` that raises
 * it, four times over its value now; `''` when there are none.
 */
export function limitHint(problems: readonly PreflightProblem[], limits: Partial<ScanLimits>): string {
  const names = new Set<keyof ScanLimits>();
  for (const p of problems) {
    const name = /raise limits\.(\w+)/.exec(p.message)?.[1];
    if (name && Object.hasOwn(DEFAULT_LIMITS, name)) names.add(name as keyof ScanLimits);
  }
  if (names.size === 0) return '';
  const flags = [...names].map((n) => `--limit ${n}=${(limits[n] ?? DEFAULT_LIMITS[n]) * 4}`);
  return ` A scene stopped at a scan bound: if you trust it, raise the bound (${flags.join(' ')}).`;
}

/** One line per problem, as `gm` prints details. */
export function problemLines(problems: readonly PreflightProblem[]): string[] {
  return problems.map((p) => `${p.field} (${p.job}): ${p.message}`);
}
