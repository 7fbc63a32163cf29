/**
 * The preflight step of `gm validate` and `gm submit`: each job's scene is scanned with `@gm/preflight`, and
 * references missing on disk, outside the project folder or not among the project's files are problems.
 *
 * @module
 */
import { type PreflightProblem, type PreflightProject, preflightProject } from '@gm/preflight';

/** Problem kinds that stop `gm submit` (unless `--allow-missing`) and fail `gm validate`. */
const BLOCKING = new Set<PreflightProblem['kind']>([
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

/** Scans every job's scene of `project`. */
export async function scenePreflight(project: PreflightProject): Promise<ScenePreflight> {
  const report = await preflightProject(project);
  return {
    blocking: report.problems.filter((p) => BLOCKING.has(p.kind)),
    warnings: report.problems.filter((p) => !BLOCKING.has(p.kind)),
    references: report.jobs.reduce((n, j) => n + (j.scan?.references.length ?? 0), 0),
  };
}

/** One line per problem, as `gm` prints details. */
export function problemLines(problems: readonly PreflightProblem[]): string[] {
  return problems.map((p) => `${p.field} (${p.job}): ${p.message}`);
}
