/**
 * The one module that maps models to the wire JSON a real Envoy speaks (`POST /project-submit`, `POST /upload`),
 * and the one that holds wire names: how a product option is named on the wire, which `params` (by wire name) a
 * job option sets, and the checks of the `params` whose type Envoy fixes. Serialising never changes the caller's
 * objects. The models import this module for those names, never the other way: it imports their types only.
 */
import { integerProblem, stringListProblem } from './checks.js';
import type { Job } from './models/job.js';
import type { Project } from './models/project.js';
import {
  controlCharacterProblem,
  describeValue,
  fileNameProblem,
  normaliseRemote,
  remoteFileProblem,
} from './paths.js';
import { parsePluginSpec } from './plugins.js';
import type { JobBody, SubmitBody, UploadBody, UploadSet } from './types.js';

/** Product options whose wire name is not their model name in snake_case. */
const PRODUCT_OPTION_WIRE_NAMES: Readonly<Record<string, string>> = {
  ropNodeType: 'rop_nodetype',
  ropNodePath: 'rop_nodepath',
};

/**
 * The wire name of a product option (a {@link Job.productOptions} key), or of a project option that sets a
 * project parameter: `outputPrefix` is `output_prefix`, `rtEngine` is `rt_engine`, `ropNodeType` is
 * `rop_nodetype`, `projectEnv` is `project_env`.
 */
export function productOptionWireName(option: string): string {
  return PRODUCT_OPTION_WIRE_NAMES[option] ?? option.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The pattern of every result below a remote results folder, `<remoteOutputFolder>/.+`: the default watch rule
 * and the `output_upload` Envoy is sent are both made from it.
 */
export function resultsPattern(remoteOutputFolder: string): string {
  return `${remoteOutputFolder}/.+`;
}

/** Parameters (by wire name) a job option or the project sets: giving them in `params` too would be ambiguous. */
const OWNED_PARAMS: Readonly<Record<string, string>> = {
  instances: 'the job option instances',
  machine_type: 'the job option machineType',
  gpu: 'the job option gpu',
  plugins: 'the job option plugins',
  credits_budget: 'job.setCreditsBudget()',
  output_dir_name: "the project's outputFolderName",
};

/** Checks of the parameters (by wire name) whose type Envoy fixes, wherever they are given. */
const WIRE_PARAM_CHECKS: Readonly<Record<string, (value: unknown) => string | undefined>> = {
  output_prefix: outputPrefixProblem,
  output_format: outputFormatProblem,
  output_width: integerProblem,
  output_height: integerProblem,
  output_upload: stringListProblem,
  billing_meta: stringListProblem,
  remap_file: remapFileProblem,
};

/**
 * The parameters of a job's `params` (by wire name) that a job option or the project sets, each with its
 * problem, as `[wire name, message]`. Internal to `@gm/core` (the checks of `Job`).
 */
export function ownedParamProblems(params: Readonly<Record<string, unknown>>): [string, string][] {
  return Object.entries(OWNED_PARAMS)
    .filter(([key]) => Object.hasOwn(params, key))
    .map(([key, owner]) => [key, `is set by ${owner}: use that instead of params.${key}`]);
}

/**
 * The parameters of a job's `params` (by wire name) whose value is not of the type Envoy fixes, as
 * `[wire name, message]`. Internal to `@gm/core` (the checks of `Job`).
 */
export function paramValueProblems(params: Readonly<Record<string, unknown>>): [string, string][] {
  const problems: [string, string][] = [];
  for (const [key, check] of Object.entries(WIRE_PARAM_CHECKS)) {
    const problem = params[key] === undefined ? undefined : check(params[key]);
    if (problem) problems.push([key, problem]);
  }
  return problems;
}

/**
 * The problems of a product option (a camelCase model name) met on the wire: its wire name is one a job option
 * or `params.frames` sets, or its value is not of the type Envoy fixes for that name. Internal to `@gm/core`.
 */
export function productOptionWireProblems(option: string, value: unknown): string[] {
  const wire = productOptionWireName(option);
  const problems: string[] = [];
  const owner = wire === 'frames' ? 'params.frames' : Object.hasOwn(OWNED_PARAMS, wire) && OWNED_PARAMS[wire];
  if (owner) problems.push(`is set by ${owner}`);
  const check = Object.hasOwn(WIRE_PARAM_CHECKS, wire) ? WIRE_PARAM_CHECKS[wire] : undefined;
  const problem = check && value !== undefined ? check(value) : undefined;
  if (problem) problems.push(problem);
  return problems;
}

/**
 * V-Ray's path remapping XML (`remap_file`) is read on the render machines: a file of the project in the remote
 * store, written as a remote path (`/<project>/remap.xml`: forward slashes, no `..`). That it lies below the
 * project's remote root is checked when the job is added to a project.
 */
function remapFileProblem(file: unknown): string | undefined {
  const problem = remoteFileProblem(file, { example: '"/my_project/remap.xml"', absolute: true });
  return problem && `${problem}: give the remap XML uploaded with the project`;
}

/** The output prefix becomes the output files' names: the file-name rule, strict. */
function outputPrefixProblem(prefix: unknown): string | undefined {
  const problem = fileNameProblem(prefix, { strict: true });
  return problem && `${problem} (it becomes the output file names)`;
}

/** Longest output format name, in characters, such as `OPEN_EXR_MULTILAYER` (19). */
export const MAX_OUTPUT_FORMAT_LENGTH = 32;

/**
 * The output format names the output files' extension: a format name such as `PNG`, `exr` or `OPEN_EXR`, of
 * 1 to {@link MAX_OUTPUT_FORMAT_LENGTH} characters, without control characters, never a path (no `/` or `\`, not
 * `.` or `..`).
 */
function outputFormatProblem(format: unknown): string | undefined {
  if (typeof format !== 'string') return `must be a format name such as "PNG" (got ${describeValue(format)})`;
  if (format.trim() === '') return 'must not be empty: give a format name such as "PNG" or "exr"';
  if (format.length > MAX_OUTPUT_FORMAT_LENGTH) {
    return `is ${format.length} characters long; a format name has at most ${MAX_OUTPUT_FORMAT_LENGTH}, such as "PNG" or "OPEN_EXR"`;
  }
  if (/[/\\]|^\.+$/.test(format)) {
    return `${JSON.stringify(format)} is a path, not a format name such as "PNG"`;
  }
  return controlCharacterProblem(format);
}

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

/**
 * The project options that set a project parameter of their wire name (`projectEnv` sets `project_env`), in the
 * order they are sent. Internal to `@gm/core` (`Project` refuses them in its `params` too).
 */
export const PROJECT_PARAM_OPTIONS = [
  'projectSummaryLogFile',
  'projectParamOutput',
  'projectParam',
  'projectEnv',
] as const;

/** The project-level parameters as the wire names them: `params`, then the named project options. */
export function toProjectParams(project: Project): Record<string, unknown> {
  const params: Record<string, unknown> = copy(project.params) as Record<string, unknown>;
  for (const option of PROJECT_PARAM_OPTIONS) {
    if (project[option] !== undefined) params[productOptionWireName(option)] = copy(project[option]);
  }
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
  return { localRoot: project.localRoot, remoteRoot: project.remoteRoot, files: project.files.slice() };
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
