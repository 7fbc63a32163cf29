/**
 * The one module that maps models to the wire JSON a real Envoy speaks (`POST /project-submit`, `POST /upload`).
 * Serialising never changes the caller's objects.
 */
import { type Job, productOptionWireName } from './models/job.js';
import { type Project, resultsPattern } from './models/project.js';
import { normaliseRemote } from './paths.js';
import { parsePluginSpec } from './plugins.js';
import type { JobBody, SubmitBody, UploadBody, UploadSet } from './types.js';

export { productOptionWireName };

/** Options of {@link toSubmitBody}. */
export interface SubmitBodyOptions {
  /** The files are already uploaded: send `skip_upload: true`. */
  skipUpload?: boolean;
  /** Do not download results: send empty `watch_files`. */
  skipAutoDownload?: boolean;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** The plugin code of `code` or `code:version`. */
const pluginCode = (plugin: string): string => parsePluginSpec(plugin).code;

/** The two `output_upload` patterns the Python client sends: forward slashes, and every `/` as two backslashes. */
export function outputUploadPatterns(remoteOutputFolder: string): string[] {
  const pattern = resultsPattern(remoteOutputFolder);
  return [pattern, pattern.replaceAll('/', '\\\\')];
}

/** The project-level parameters as the wire names them: `params`, then the named project options. */
export function toProjectParams(project: Project): Record<string, unknown> {
  const params: Record<string, unknown> = copy(project.params) as Record<string, unknown>;
  if (project.projectSummaryLogFile !== undefined)
    params.project_summary_log_file = project.projectSummaryLogFile;
  if (project.projectParamOutput !== undefined)
    params.project_param_output = copy(project.projectParamOutput);
  if (project.projectParam !== undefined) params.project_param = copy(project.projectParam);
  if (project.projectEnv !== undefined) params.project_env = copy(project.projectEnv);
  return params;
}

/**
 * The job's `params` with its product options named on the wire: the caller's parameters, then the product
 * options (which win over a parameter of the same wire name), then `frames`.
 */
function jobParams(job: Job): Record<string, unknown> {
  const options = Object.entries(job.productOptions);
  if (options.length === 0) return copy(job.params) as Record<string, unknown>;
  const { frames, ...rest } = job.params;
  const params: Record<string, unknown> = copy(rest);
  for (const [option, value] of options) params[productOptionWireName(option)] = copy(value);
  if (frames !== undefined) params.frames = frames;
  return params;
}

/** One job as the wire has it. */
export function toJobBody(job: Job, project: Project): JobBody {
  const params = jobParams(job);
  params.output_dir_name = project.outputFolderName;
  if (!('output_upload' in params)) params.output_upload = outputUploadPatterns(project.remoteOutputFolder);
  if (!('billing_meta' in params)) params.billing_meta = [job.app, ...job.plugins.map(pluginCode)];
  if (job.instances !== undefined) params.instances = job.instances;
  if (job.machineType) params.machine_type = job.machineType;
  if (job.gpu !== undefined) params.gpu = job.gpu;
  if (job.plugins.length > 0) params.plugins = [...job.plugins];
  if (job.creditsBudget)
    params.credits_budget = { value: job.creditsBudget.value, action: job.creditsBudget.action };
  return {
    id: job.id,
    name: job.name,
    app: job.app,
    app_version: job.appVersion,
    operation: job.operation,
    // The documentation writes `sample_project/sample.c4d`; the wire has `/sample_project/sample.c4d`.
    path: normaliseRemote(job.path),
    params,
    dependencies: job.dependencies.map((dependency) => dependency.id),
  };
}

/**
 * The project's files as an upload set. `files` is a copy of the project's sorted list (about 1 ms for 100,000
 * files), so a body and its project never share a list either could change.
 */
export function toUploadSet(project: Project): UploadSet {
  return { localRoot: project.localRoot, remoteRoot: project.remoteRoot, files: [...project.files] };
}

/** The body of `POST /upload`. */
export function toUploadBody(project: Project): UploadBody {
  return { upload: [toUploadSet(project)] };
}

/** The `watch_files` map: the project's rules, else the default rule; `{}` when auto-download is skipped. */
export function toWatchFiles(project: Project, skipAutoDownload = false): Record<string, string> {
  if (skipAutoDownload) return {};
  const rules = project.watchFiles.length > 0 ? project.watchFiles : [project.defaultWatchFile];
  const out: Record<string, string> = {};
  for (const rule of rules) out[rule.pattern] = rule.downloadPath;
  return out;
}

/** The body of `POST /project-submit`. */
export function toSubmitBody(project: Project, options: SubmitBodyOptions = {}): SubmitBody {
  const body: SubmitBody = {
    project_request: {
      name: project.submissionName,
      params: toProjectParams(project),
      jobs: project.jobs.map((job) => toJobBody(job, project)),
    },
    project_files: toUploadSet(project),
    watch_files: toWatchFiles(project, options.skipAutoDownload),
  };
  if (options.skipUpload) body.skip_upload = true;
  return body;
}
