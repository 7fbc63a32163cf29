import { InvalidRequestError, type Job } from '@gm/core';
import { PRODUCT_SPECS } from '../specs/index.js';
import { buildJob, type CommonJobOptions, nonEmptyString, stringList } from './common.js';

/** Options of {@link houdiniJob}: the common job options plus Houdini's own. */
export interface HoudiniJobOptions extends CommonJobOptions<'hou'> {
  /** `render` (default), `batch` (cook ROPs, e.g. caches) or `sim` (a simulation). */
  operation?: 'render' | 'batch' | 'sim';
  /** The take to render (`take`); omitted: the current take. */
  take?: string;
  /** The render operation node type (`rop_nodetype`), e.g. `'ifd'`. */
  ropNodeType: string;
  /** The render operation node path (`rop_nodepath`), e.g. `'/out/mantra1'`. */
  ropNodePath: string;
  /** Output patterns to upload to long-time storage (`output_upload`), e.g. `['/my_project/render/.+']`. */
  outputUpload: readonly string[];
  /** The disk output extension (`disk_output_ext`). */
  diskOutputExt?: string;
  /** The disk output mode (`disk_output_mode`). */
  diskOutputMode?: string;
  /** The disk output parameter (`disk_output_parm`). */
  diskOutputParm?: string;
  /** The disk output path (`disk_output_path`). */
  diskOutputPath?: string;
  /** The disk output renderer (`disk_output_renderer`). */
  diskOutputRenderer?: string;
  /** The disk output path parameter (`disk_output_path_parm`). */
  diskOutputPathParm?: string;
}

/**
 * A Houdini (`hou`) job of a `.hip`, `.hipnc` or `.hiplc` file: a render (default), a batch or a simulation.
 *
 * @example
 * ```ts
 * const job = houdiniJob({ name: 'pyro', appVersion: '17.5.229', path: '/my_project/pyro.hip', frames: '1 240',
 *   ropNodeType: 'ifd', ropNodePath: '/out/mantra1', outputUpload: ['/my_project/render/.+'] });
 * ```
 * @throws InvalidRequestError (from `@gm/core`) listing every invalid option.
 */
export function houdiniJob(options: HoudiniJobOptions): Job {
  return buildJob('hou', options, PRODUCT_SPECS.hou.fields);
}

/** Houdini's project-level parameters, shared by every job of the project. */
export interface HoudiniProjectParamsOptions {
  /** The path of the summary log file the Houdini plugin writes. */
  summaryLogFile?: string;
  /** The project output parameters. */
  paramOutput?: readonly string[];
  /** The project parameter mappings (name → value). */
  param?: Readonly<Record<string, string>>;
  /** The project environment variables (name → value). */
  env?: Readonly<Record<string, string>>;
}

/** The `Project` options {@link houdiniProjectParams} returns, named as core's `Project` names them. */
export interface HoudiniProjectParams {
  /** Summary log file path (`project_summary_log_file`). */
  projectSummaryLogFile?: string;
  /** Output parameters (`project_param_output`). */
  projectParamOutput?: string[];
  /** Parameter mappings (`project_param`). */
  projectParam?: Record<string, string>;
  /** Environment variables (`project_env`). */
  projectEnv?: Record<string, string>;
}

const isStringRecord = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === 'string');

/**
 * Checks Houdini's project-level parameters and returns them as options to spread into `new Project(...)`.
 *
 * @example
 * ```ts
 * const project = new Project(folder, { name: 'pyro', ...houdiniProjectParams({
 *   summaryLogFile: '/pyro/logs/summary.log', env: { JOB: '/pyro' } }) });
 * ```
 * @throws InvalidRequestError (from `@gm/core`) naming every malformed parameter.
 */
export function houdiniProjectParams(options: HoudiniProjectParamsOptions): HoudiniProjectParams {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidRequestError('The Houdini project parameters must be an object', {
      fieldErrors: [{ field: 'options', message: 'must be an object of Houdini project parameters' }],
    });
  }
  const problems: { field: string; message: string }[] = [];
  const { summaryLogFile, paramOutput, param, env } = options;
  const result: HoudiniProjectParams = {};
  if (summaryLogFile !== undefined) {
    const p = nonEmptyString(summaryLogFile);
    if (p) problems.push({ field: 'summaryLogFile', message: p });
    else result.projectSummaryLogFile = summaryLogFile;
  }
  if (paramOutput !== undefined) {
    const p = stringList(paramOutput);
    if (p) problems.push({ field: 'paramOutput', message: p });
    else result.projectParamOutput = [...paramOutput];
  }
  if (param !== undefined) {
    if (isStringRecord(param)) result.projectParam = { ...param };
    else
      problems.push({
        field: 'param',
        message: 'must be an object of string values, e.g. { "RES": "1080" }',
      });
  }
  if (env !== undefined) {
    if (isStringRecord(env)) result.projectEnv = { ...env };
    else
      problems.push({ field: 'env', message: 'must be an object of string values, e.g. { "JOB": "/pyro" }' });
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    throw new InvalidRequestError(`The Houdini project parameters have ${count}:`, { fieldErrors: problems });
  }
  return result;
}
