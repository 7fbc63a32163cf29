/**
 * Turns a checked job file into a core `Project` with its jobs, dependencies, budgets and watch files, using
 * the `@gm/products` builders.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import {
  type FieldError,
  folderTimestamp,
  InvalidRequestError,
  type Job,
  Project,
  WatchFile,
} from '@gm/core';
import { projectRelative } from '@gm/core/internal';
import { buildJobOf, houdiniProjectParams, isProductCode } from '@gm/products';
import { UsageError } from './exit-codes.js';
import type { JobSpec, LoadedJobFile } from './job-file.js';

/** Keys of a job file entry that are not builder options. */
const FILE_KEYS = new Set(['product', 'file', 'dependsOn', 'budget', 'params']);

/** The job file's names of the builder options it names otherwise: the builder's problems are written in them. */
const JOB_FILE_NAMES = {
  path: 'file',
  localPath: 'file',
  creditsBudget: 'budget',
  dependencies: 'dependsOn',
} as const;

/**
 * Builds one job with its product's builder, which checks every option (the file's `params` and `budget`
 * included); `localRoot` is the project folder, `remoteRoot` `/<project name>`, `dependencies` the jobs it waits
 * for. The job carries its scene's local path (`Job.localPath`) and its remote one.
 */
export function buildJob(
  spec: JobSpec,
  localRoot: string,
  remoteRoot: string,
  dependencies: readonly Job[] = [],
): Job {
  const product = spec.product;
  if (!isProductCode(product)) throw new UsageError(`Unknown product ${product}.`);
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) if (!FILE_KEYS.has(key)) options[key] = value;
  // Core's rule of "inside the project folder" places the file below the remote root, as `addFiles` places it; a
  // file outside (which `checkJobFile` has refused) keeps its name as written, and the builder refuses it.
  const remote = (file: string) => {
    const rel = projectRelative(localRoot, file);
    return rel === undefined ? file : `${remoteRoot}/${rel}`;
  };
  options.path = remote(spec.file);
  // The scene on this machine goes with the job: preflight reads it there, never from the remote path.
  options.localPath = resolve(localRoot, spec.file);
  // V-Ray's remap XML is a file of the project too: relative to the project folder, like `file`.
  if (typeof options.remapFile === 'string' && !options.remapFile.startsWith('/')) {
    options.remapFile = remote(options.remapFile);
  }
  if (spec.params) options.params = spec.params;
  // The job file's budget actions are core's `CreditsBudgetAction` values (a test holds the schema's enum to them).
  if (spec.budget) options.creditsBudget = { value: spec.budget.value, action: spec.budget.action };
  if (dependencies.length > 0) options.dependencies = dependencies;
  return buildJobOf(product, options, JOB_FILE_NAMES);
}

/** A project built from a job file, with its jobs by name. */
export interface BuiltProject {
  /** The core project, ready to upload or submit. */
  project: Project;
  /** Jobs by their name in the file. */
  jobs: Map<string, Job>;
  /** Whether results are downloaded automatically. */
  autoDownload: boolean;
}

/**
 * Builds the project: every job through its builder (problems of every job are collected and thrown together as
 * one {@link InvalidRequestError} with fields `jobs[i].<field>`, the job file's own names: the builder writes the
 * field, this adds `jobs[i].`), dependencies by name, budgets, files and watch files.
 */
export async function buildProject(loaded: LoadedJobFile): Promise<BuiltProject> {
  const { spec, folder, name } = loaded;
  const problems: FieldError[] = [];
  let houdini = {};
  if (spec.houdini) {
    try {
      houdini = houdiniProjectParams(spec.houdini);
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      problems.push(...error.fieldErrors.map((e) => ({ field: `houdini.${e.field}`, message: e.message })));
    }
  }
  const now = new Date();
  const project = new Project(folder, {
    name,
    // Empty names in a job file mean the defaults: core's submission name `<name> <time>`, a time-named folder.
    ...(spec.submissionName ? { submissionName: spec.submissionName } : {}),
    outputFolderName: spec.outputFolderName || folderTimestamp(now),
    createdAt: now,
    ...houdini,
  });
  const jobs = new Map<string, Job>();
  // In dependency order, so each job is made with the (immutable) jobs it waits for.
  for (const jobSpec of loaded.order) {
    const i = spec.jobs.indexOf(jobSpec);
    const deps = (jobSpec.dependsOn ?? []).map((d) => jobs.get(d));
    try {
      if (deps.some((d) => d === undefined)) continue; // a dependency failed; its problems are listed
      jobs.set(jobSpec.name, buildJob(jobSpec, folder, project.remoteRoot, deps as Job[]));
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      problems.push(
        ...error.fieldErrors.map((e) => ({ field: `jobs[${i}].${e.field}`, message: e.message })),
      );
    }
  }
  if (problems.length > 0) {
    throw new InvalidRequestError(`${loaded.path} has jobs the builders reject`, { fieldErrors: problems });
  }
  project.addJobs(...loaded.order.map((jobSpec) => jobs.get(jobSpec.name)!));
  if (spec.files) {
    const plain: string[] = [];
    for (const entry of spec.files) {
      const full = resolve(folder, entry);
      if ((await stat(full)).isDirectory()) {
        const rel = entry
          .replace(/\\/g, '/')
          .replace(/^\.\/?/, '')
          .replace(/\/$/, '');
        await project.addFiles(full, rel ? `${project.remoteRoot}/${rel}` : project.remoteRoot);
      } else {
        plain.push(entry.replace(/\\/g, '/'));
      }
    }
    if (plain.length > 0) await project.addFiles(folder, project.remoteRoot, plain);
  } else {
    // The job file is local configuration, never a project file of the folder walk: a job file written after
    // `gm upload` is not in the remote store, and `--skip-upload` would name it. List it in `files` to send it.
    const walk = new Project(folder, { name });
    await walk.addFiles(folder, project.remoteRoot);
    const own = relative(folder, loaded.path).split(sep).join('/');
    project.addFileList(
      folder,
      project.remoteRoot,
      walk.files.filter((file) => file !== own),
    );
  }
  const base = dirname(loaded.path);
  const watchProblems: FieldError[] = [];
  for (const [i, rule] of (spec.watchFiles ?? []).entries()) {
    try {
      project.addWatchFiles(
        new WatchFile(
          rule.pattern.replaceAll('{results}', project.remoteOutputFolder),
          resolve(base, rule.folder),
        ),
      );
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      for (const e of error.fieldErrors) {
        const field = e.field === 'downloadPath' ? 'folder' : e.field;
        watchProblems.push({ field: `watchFiles[${i}].${field}`, message: e.message });
      }
    }
  }
  if (watchProblems.length > 0) {
    throw new InvalidRequestError(`${loaded.path} has watch rules that cannot be used`, {
      fieldErrors: watchProblems,
    });
  }
  return { project, jobs, autoDownload: spec.autoDownload !== false };
}
