/**
 * Validation before sending: every problem of a project and its jobs at once, so nothing is sent when one is wrong.
 */
import type { FieldError } from './errors.js';
import { CreditsBudgetAction, Job, jobOptionProblems } from './models/job.js';
import type { Project } from './models/project.js';
import { folderNameProblem, normaliseRemote } from './paths.js';

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
  const nameProblem = folderNameProblem(project.name);
  if (nameProblem) problems.push({ field: 'name', message: `project name ${nameProblem}` });
  const folderProblem = folderNameProblem(project.outputFolderName);
  if (folderProblem) problems.push({ field: 'outputFolderName', message: folderProblem });
  if (purpose.upload && project.files.length === 0) {
    problems.push({ field: 'files', message: 'no files to upload: add some with project.addFiles()' });
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

  const watchFiles = project.watchFiles;
  watchFiles.forEach((watch, i) => {
    try {
      new RegExp(watch.pattern);
    } catch (error) {
      problems.push({
        field: `watchFiles[${i}].pattern`,
        message: `"${watch.pattern}" is not a valid regular expression (${(error as Error).message})`,
      });
    }
    if (typeof watch.downloadPath !== 'string' || watch.downloadPath.trim() === '') {
      problems.push({ field: `watchFiles[${i}].downloadPath`, message: 'is required (a local folder)' });
    }
  });
  return problems;
}

/** One problem per dependency cycle among `jobs`, naming the jobs around it. */
function cycleProblems(jobs: readonly Job[], index: Map<Job, number>): FieldError[] {
  const problems: FieldError[] = [];
  const state = new Map<Job, 'visiting' | 'done'>();
  const stack: Job[] = [];
  const visit = (job: Job): void => {
    state.set(job, 'visiting');
    stack.push(job);
    for (const dependency of job.dependencies) {
      if (dependency === job || !index.has(dependency)) continue;
      const seen = state.get(dependency);
      if (seen === 'visiting') {
        const cycle = stack.slice(stack.indexOf(dependency));
        const names = [...cycle, dependency].map((j) => `"${j.name}"`).join(' → ');
        problems.push({
          field: `jobs[${index.get(dependency)}].dependencies`,
          message: `dependency cycle: ${names}`,
        });
      } else if (seen === undefined) {
        visit(dependency);
      }
    }
    stack.pop();
    state.set(job, 'done');
  };
  for (const job of jobs) if (job instanceof Job && !state.has(job)) visit(job);
  return problems;
}
