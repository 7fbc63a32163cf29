/**
 * The preflight step of `gm validate` and `gm submit`: each job's scene is scanned with `@gm/preflight`, and
 * references missing on disk, outside the project folder or not among the project's files are problems.
 *
 * @module
 */
import { type PathMap, type PreflightProblem, type PreflightProject, preflightProject } from '@gm/preflight';
import { Option } from 'commander';
import { UsageError } from './exit-codes.js';

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

/** Scans every job's scene of `project`, foreign folders mapped by `pathMap`. */
export async function scenePreflight(
  project: PreflightProject,
  pathMap: PathMap = [],
): Promise<ScenePreflight> {
  const report = await preflightProject(project, { pathMap });
  return {
    blocking: report.problems.filter((p) => BLOCKING_KINDS.has(p.kind)),
    warnings: report.problems.filter((p) => !BLOCKING_KINDS.has(p.kind)),
    references: report.jobs.reduce((n, j) => n + (j.scan?.references.length ?? 0), 0),
  };
}

/** One line per problem, as `gm` prints details. */
export function problemLines(problems: readonly PreflightProblem[]): string[] {
  return problems.map((p) => `${p.field} (${p.job}): ${p.message}`);
}
