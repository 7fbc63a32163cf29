import { checkDependencies } from './checks/dependencies.js';
import { checkOutputs, defaultOutputDir } from './checks/outputs.js';
import { type Catalogue, checkMachine, checkProduct } from './checks/product.js';
import { checkWatchRules } from './checks/watch.js';
import type { FieldError } from './contract.js';
import type { JobRequest, SubmitRequest } from './generated/envoy.js';
import { nameProblem } from './names.js';
import type { FrameList } from './ranges.js';
import type { ProjectRecord } from './store.js';
import type { MachineType } from './types.js';

export { inCycles } from './checks/dependencies.js';
export { defaultOutputDir, extensionFor, MAX_EXTENSION } from './checks/outputs.js';
export { type Catalogue, machinesFor } from './checks/product.js';
export { type CheckedFile, checkUploadSet, splitRemoteRoot, type UploadSetBody } from './checks/upload.js';
export type { FieldError };

/** A job of a submit body (the contract's `JobRequest`). */
export type JobBody = JobRequest;

/** The submit body (the contract's `SubmitRequest`). */
export type SubmitBody = SubmitRequest;

/** What a valid job resolves to. */
export interface PlannedJob {
  body: JobBody;
  frames: FrameList;
  machine: MachineType;
  outputDir: string;
  ext: string;
  path: string;
}

/**
 * Checks every job of a submit against the catalogue, the project's files and each other (product, machine,
 * job file, frames and output names, dependencies, watch rules); returns the plan and adds every problem to
 * `errors`.
 */
export function checkJobs(
  body: SubmitBody,
  project: string,
  knownFiles: ReadonlySet<string>,
  existing: ProjectRecord | undefined,
  catalogue: Catalogue,
  errors: FieldError[],
): PlannedJob[] {
  const plan: PlannedJob[] = [];
  const jobs = body.project_request.jobs;
  const nameIssue = nameProblem(body.project_request.name);
  if (nameIssue) errors.push({ field: 'project_request.name', message: nameIssue });
  const ids = new Set<string>();
  const defaultDir = defaultOutputDir();
  for (const [i, job] of jobs.entries()) {
    let ok = true;
    const fail = (field: string, message: string): void => {
      errors.push({ field: `project_request.jobs[${i}].${field}`, message });
      ok = false;
    };
    if (ids.has(job.id)) fail('id', `job id ${job.id} is used twice`);
    ids.add(job.id);
    const product = checkProduct(job, catalogue, fail);
    const machine = checkMachine(job, product, catalogue, fail);
    const path = checkJobFile(job, project, knownFiles, fail);
    const outputs = checkOutputs(job, defaultDir, fail);
    if (ok && machine) plan.push({ body: job, machine, path, ...outputs });
  }
  checkDependencies(jobs, existing, errors);
  checkWatchRules(body.watch_files, errors);
  return plan;
}

/** The job file, `/<project>/<file>`: a file of the project, uploaded or listed in this submit. */
function checkJobFile(
  job: JobRequest,
  project: string,
  knownFiles: ReadonlySet<string>,
  fail: (field: string, message: string) => void,
): string {
  const path = job.path.startsWith('/') ? job.path : `/${job.path}`;
  const prefix = `/${project}/`;
  if (!path.startsWith(prefix) || !knownFiles.has(path.slice(prefix.length))) {
    fail('path', `${job.path} is not a file of project ${project} (uploaded or listed in project_files)`);
  }
  return path;
}
