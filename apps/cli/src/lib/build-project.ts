/**
 * Turns a checked job file into a core `Project` with its jobs, dependencies, budgets and watch files, using
 * the `@gm/products` builders.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  CreditsBudgetAction,
  type FieldError,
  InvalidRequestError,
  type Job,
  Project,
  WatchFile,
} from '@gm/core';
import {
  blenderJob,
  cinema4dJob,
  houdiniJob,
  houdiniProjectParams,
  mayaJob,
  nukeJob,
  vrayJob,
} from '@gm/products';
import { UsageError } from './exit-codes.js';
import type { JobSpec, LoadedJobFile } from './job-file.js';

type Builder = (options: never) => Job;

const BUILDERS: Record<string, Builder> = {
  blender: blenderJob,
  c4d: cinema4dJob,
  hou: houdiniJob,
  maya: mayaJob,
  nuke: nukeJob,
  vray: vrayJob,
};

/** Keys of a job file entry that are not builder options. */
const FILE_KEYS = new Set(['product', 'file', 'dependsOn', 'budget', 'params']);

/** Builds one job with its product's builder; `remoteRoot` is `/<project name>`. */
export function buildJob(spec: JobSpec, remoteRoot: string): Job {
  const builder = BUILDERS[spec.product];
  if (!builder) throw new UsageError(`Unknown product ${spec.product}.`);
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) if (!FILE_KEYS.has(key)) options[key] = value;
  options.path = `${remoteRoot}/${spec.file.replace(/\\/g, '/').replace(/^\.\//, '')}`;
  const job = builder(options as never);
  if (spec.params) Object.assign(job.params, spec.params);
  if (spec.budget) {
    const action = CreditsBudgetAction[spec.budget.action.toUpperCase() as keyof typeof CreditsBudgetAction];
    job.setCreditsBudget(spec.budget.value, action);
  }
  return job;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local time as `2026-Nov-29 04:25:35 PM` (a 12-hour clock with AM/PM), for default submission names. */
export function submissionTime(date: Date): string {
  const hours = date.getHours();
  const twelve = hours % 12 === 0 ? 12 : hours % 12;
  return `${date.getFullYear()}-${MONTHS[date.getMonth()]}-${pad(date.getDate())} ${pad(twelve)}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** Local time as `2026-11-29_16-25-35_123000`, the default results folder name. */
export function resultsFolderTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}_${pad(date.getMilliseconds() * 1000, 6)}`;
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
 * one {@link InvalidRequestError} with fields `jobs[i].<option>`), dependencies by name, budgets, files and watch files.
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
    submissionName: spec.submissionName || `${name} ${submissionTime(now)}`,
    outputFolderName: spec.outputFolderName || resultsFolderTime(now),
    ...houdini,
  });
  const jobs = new Map<string, Job>();
  spec.jobs.forEach((jobSpec, i) => {
    try {
      jobs.set(jobSpec.name, buildJob(jobSpec, project.remoteRoot));
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      problems.push(
        ...error.fieldErrors.map((e) => ({ field: `jobs[${i}].${e.field}`, message: e.message })),
      );
    }
  });
  if (problems.length > 0) {
    throw new InvalidRequestError(`${loaded.path} has jobs the builders reject`, { fieldErrors: problems });
  }
  for (const jobSpec of loaded.order) {
    const job = jobs.get(jobSpec.name)!;
    const deps = (jobSpec.dependsOn ?? []).map((d) => jobs.get(d)!);
    if (deps.length > 0) job.addDependencies(...deps);
    project.addJobs(job);
  }
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
    await project.addFiles(folder, project.remoteRoot);
  }
  const base = dirname(loaded.path);
  for (const rule of spec.watchFiles ?? []) {
    project.addWatchFiles(
      new WatchFile(
        rule.pattern.replaceAll('{results}', project.remoteOutputFolder),
        resolve(base, rule.folder),
      ),
    );
  }
  return { project, jobs, autoDownload: spec.autoDownload !== false };
}
