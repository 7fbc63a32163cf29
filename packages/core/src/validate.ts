/**
 * Validation before sending: every problem of a project and its jobs at once, so nothing is sent when one is wrong.
 */
import type { FieldError } from './errors.js';
import { CreditsBudgetAction, Job, jobOptionProblems } from './models/job.js';
import { MAX_JOBS, type Project } from './models/project.js';
import { downloadFolderProblem, WatchFile, watchPatternProblem } from './models/watch-file.js';
import { fileNameProblem, folderNameProblem, normaliseRemote } from './paths.js';

/** What is being validated for. */
export interface ValidateFor {
  /** A submission: at least one job is needed. */
  submit?: boolean;
  /** An upload: at least one file is needed. */
  upload?: boolean;
}

const ACTIONS = new Set<string>(Object.values(CreditsBudgetAction));

/** Every problem of `project` (names, jobs, dependencies and their cycles, watch patterns), by field. */
export function projectProblems(project: Project, purpose: ValidateFor = {}): FieldError[] {
  const problems: FieldError[] = [];
  const nameProblem = fileNameProblem(project.name);
  if (nameProblem) problems.push({ field: 'name', message: `project name ${nameProblem}` });
  const folderProblem = folderNameProblem(project.outputFolderName);
  if (folderProblem) problems.push({ field: 'outputFolderName', message: folderProblem });
  if (purpose.upload && project.files.length === 0) {
    problems.push({ field: 'files', message: 'no files to upload: add some with project.addFiles()' });
  }
  if (project.jobs.length > MAX_JOBS) {
    problems.push({
      field: 'jobs',
      message: `a project holds at most ${MAX_JOBS} jobs (it has ${project.jobs.length}): split it into several projects`,
    });
  }
  if (purpose.submit && project.jobs.length === 0) {
    problems.push({
      field: 'jobs',
      message: 'a submission needs at least one job: add one with project.addJobs()',
    });
  }

  const index = new Map<Job, number>();
  for (const [i, job] of project.jobs.entries()) index.set(job, i);
  project.jobs.forEach((job, i) => {
    const prefix = `jobs[${i}].`;
    if (!(job instanceof Job)) {
      problems.push({ field: `jobs[${i}]`, message: 'is not a Job' });
      return;
    }
    problems.push(...jobOptionProblems(job, prefix));
    if (typeof job.path === 'string' && job.path.trim() !== '') {
      const remote = normaliseRemote(job.path);
      if (!remote.startsWith(`${project.remoteRoot}/`) || remote.split('/').includes('..')) {
        problems.push({
          field: `${prefix}path`,
          message: `"${job.path}" is not a file of the project: job files are remote paths below ${project.remoteRoot}, such as ${project.remoteRoot}/scene.blend`,
        });
      }
    }
    const budget = job.creditsBudget;
    if (budget && (!(Number.isFinite(budget.value) && budget.value > 0) || !ACTIONS.has(budget.action))) {
      problems.push({
        field: `${prefix}creditsBudget`,
        message: 'must have a positive value and an action of stop, suspend or alert',
      });
    }
    for (const dependency of job.dependencies) {
      if (dependency === job) {
        problems.push({ field: `${prefix}dependencies`, message: `job "${job.name}" depends on itself` });
      } else if (!index.has(dependency)) {
        problems.push({
          field: `${prefix}dependencies`,
          message: `job "${dependency?.name}" (${dependency?.id}) is not in this project: add it with project.addJobs()`,
        });
      }
    }
  });
  problems.push(...cycleProblems(project.jobs, index));

  project.watchFiles.forEach((watch, i) => {
    if (!(watch instanceof WatchFile)) {
      problems.push({ field: `watchFiles[${i}]`, message: 'is not a WatchFile' });
      return;
    }
    const patternProblem = watchPatternProblem(watch.pattern);
    if (patternProblem) problems.push({ field: `watchFiles[${i}].pattern`, message: patternProblem });
    const folderProblem = downloadFolderProblem(watch.downloadPath);
    if (folderProblem) problems.push({ field: `watchFiles[${i}].downloadPath`, message: folderProblem });
  });
  return problems;
}

/**
 * One problem per dependency cycle among `jobs`, naming the jobs around it. Iterative (an explicit stack), so a
 * chain of {@link MAX_JOBS} jobs is checked without growing the call stack.
 */
function cycleProblems(jobs: readonly Job[], index: Map<Job, number>): FieldError[] {
  const problems: FieldError[] = [];
  const state = new Map<Job, 'visiting' | 'done'>();
  for (const root of jobs) {
    if (!(root instanceof Job) || state.has(root)) continue;
    // Each frame: a job on the current path and the index of its next dependency to look at.
    const path: { job: Job; next: number }[] = [{ job: root, next: 0 }];
    state.set(root, 'visiting');
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      if (top.next >= top.job.dependencies.length) {
        state.set(top.job, 'done');
        path.pop();
        continue;
      }
      const dependency = top.job.dependencies[top.next++]!;
      if (dependency === top.job || !index.has(dependency)) continue;
      const seen = state.get(dependency);
      if (seen === 'visiting') {
        const from = path.findIndex((frame) => frame.job === dependency);
        const cycle = path.slice(from).map((frame) => frame.job);
        const names = [...cycle, dependency].map((j) => `"${j.name}"`);
        const shown = names.length > 12 ? [...names.slice(0, 5), '…', ...names.slice(-5)] : names;
        problems.push({
          field: `jobs[${index.get(dependency)}].dependencies`,
          message: `dependency cycle: ${shown.join(' → ')}; remove one of these dependencies`,
        });
      } else if (seen === undefined) {
        state.set(dependency, 'visiting');
        path.push({ job: dependency, next: 0 });
      }
    }
  }
  return problems;
}
