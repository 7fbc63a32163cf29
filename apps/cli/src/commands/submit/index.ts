import { join } from 'node:path';
import {
  APIError,
  downloadFolderProblems,
  type EnvoyClient,
  InvalidRequestError,
  type Project,
  toSubmitBody,
} from '@gm/core';
import { type Command, Option } from 'commander';
import { buildProject } from '../../lib/build-project.js';
import { connect } from '../../lib/client.js';
import { configDir } from '../../lib/config.js';
import { type Context, contextOf } from '../../lib/context.js';
import { CliError, ExitCode, UsageError } from '../../lib/exit-codes.js';
import { loadJobFile } from '../../lib/job-file.js';
import { Phases } from '../../lib/phases.js';
import {
  limitHint,
  limitOption,
  parseLimits,
  parsePathMap,
  pathMapOption,
  problemLines,
  scenePreflight,
} from '../../lib/preflight.js';
import { safe } from '../../lib/safe.js';
import { lockSubmission } from '../../lib/submit-lock.js';
import { printStatus, watchProject } from '../../lib/watch.js';
import type { Registry } from '../../registry.js';
import { type JobFlags, jobFileFromFlags } from './flags.js';

/** The options of {@link submit}: `gm submit`'s flags (those of a single job in {@link JobFlags}). */
export interface SubmitOptions extends JobFlags {
  /** Print the request body; send nothing (`--dry-run`). */
  dryRun?: boolean;
  /** Submit even when the project has jobs of the same names (`--again`). */
  again?: boolean;
  /** Follow the project to the end (`--watch`). */
  watch?: boolean;
  /** The files are already uploaded (`--skip-upload`). */
  skipUpload?: boolean;
  /** Submit even when scenes reference files the project lacks (`--allow-missing`). */
  allowMissing?: boolean;
  /** Foreign folders mapped onto local ones for the scene checks, `from=to` (`--path-map`). */
  pathMap?: string[];
  /** Scene scan limits raised (or lowered), `name=value` (`--limit`, repeatable; see `gm scan`). */
  limit?: string[];
  /** Print how long each phase took (`--verbose`). */
  verbose?: boolean;
  /** Download results automatically (`false` with `--no-download`). */
  download: boolean;
  /** Milliseconds between polls with `--watch` (`--interval`). */
  interval: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `gm submit`: submits a job file, or a single job described by flags. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .argument('[job-file]', 'a YAML or JSON job file (see `gm validate --help` for the format)')
    .option('--dry-run', 'print the exact request body (JSON) that would be sent; upload and submit nothing')
    .option(
      '-w, --watch',
      'follow the project to the end with progress (exit 7 when it ends Stopped or Failed)',
    )
    .option(
      '--allow-missing',
      'submit even when a scene references files that are missing or not in the project',
    )
    .addOption(pathMapOption())
    .addOption(limitOption())
    .option('--skip-upload', 'the files are already uploaded (`gm upload`); submit only')
    .option(
      '--again',
      'submit even when the project already has jobs of the same names (runs and charges them again)',
    )
    .option('--no-download', 'do not download results automatically')
    .option(
      '--verbose',
      'print how long each phase took (job file, files, preflight, sign-in, submit) on stderr',
    )
    .option('--interval <ms>', 'milliseconds between polls with --watch', '1000')
    .optionsGroup('Single job without a job file:')
    .option('--file <path>', 'the scene file (its folder is the project folder unless --folder)')
    .option('--folder <dir>', 'the project folder to upload (default: the scene file folder)')
    .addOption(new Option('--product <code>', 'product code (default: from the file extension)'))
    .option('--version, --app-version <version>', 'product version (`gm products --type <product>`)')
    .option('--frames <range>', 'frame range, e.g. "1 24" or "1 100 2,120"')
    .option('--instances <n>', 'machines running at once')
    .option('--machine <id>', 'machine type (`gm machines <product> <operation>`)')
    .option('--name <job name>', 'job name (default: the file name)')
    .option('--project <name>', 'project name (default: the folder name)')
    .option('--plugin <code...>', 'plugins, code or code:version')
    .option('--gpu', 'needs a GPU machine')
    .option('--operation <op>', 'operation (default: the product default, render)')
    .option('--output-prefix <prefix>', 'render output file prefix')
    .option('--output-format <format>', 'render output format, e.g. PNG')
    .option('--engine <engine>', 'Blender render engine, e.g. CYCLES')
    .option(
      '--set <key=value>',
      'another builder option in camelCase (repeatable), e.g. outputWidth=1920',
      collect,
    )
    .option('--param <key=value>', 'a raw job parameter sent as is (repeatable)', collect)
    .option('--budget <credits>', 'credit budget of the job')
    .addOption(
      new Option('--budget-action <action>', 'what happens at the budget').choices([
        'stop',
        'suspend',
        'alert',
      ]),
    )
    .option('--submission-name <name>', 'submission name (default: project name and time)')
    .option('--output-folder-name <name>', 'results folder name')
    .addHelpText(
      'after',
      `
Examples:
  gm submit job.yaml --watch
  gm submit job.yaml --dry-run
  gm submit huge.yaml --limit maxReferences=400000   a large scene you trust
  gm submit --file scene.blend --version 4.2 --frames "1 24" --output-prefix shot --output-format PNG \\
            --budget 50 --budget-action stop --watch`,
    )
    .action((jobFile: string | undefined, opts: SubmitOptions) =>
      submit(contextOf(command, io, signal), jobFile, opts),
    );
}

/**
 * What `gm submit` runs, callable without the argument parser (see `createContext`): builds the project of a job
 * file (or of flags), checks its scenes, uploads and submits it once, and with `--watch` follows it to the end.
 * With `--verbose`, says how long each phase took.
 *
 * @throws UsageError (exit 2) for a job file, flags or scenes with problems; CliError for a refused submission.
 */
export async function submit(ctx: Context, jobFile: string | undefined, opts: SubmitOptions): Promise<void> {
  const { io, signal } = ctx;
  const phases = new Phases();
  const printPhases = () => {
    if (opts.verbose) for (const line of phases.lines()) ctx.out.info(line);
  };
  if (jobFile && opts.file) throw new UsageError('Give a job file or --file, not both.');
  if (!jobFile && !opts.file) {
    throw new UsageError('Nothing to submit.', {
      hint: 'Give a job file (gm submit job.yaml) or describe one job with --file, --version and --frames.',
    });
  }
  const pathMap = parsePathMap(opts.pathMap);
  const limits = parseLimits(opts.limit);
  const loaded = jobFile ? await loadJobFile(jobFile, io.cwd) : await jobFileFromFlags(opts, io.cwd);
  phases.end('job file');
  const { project, autoDownload } = await buildProject(loaded);
  phases.end('files', `${project.files.length.toLocaleString('en')} files`);
  if (!opts.allowMissing) {
    const preflight = await scenePreflight(project, pathMap, limits);
    // A scene saved with another version than its job's: said, not refused.
    for (const w of preflight.warnings) if (w.kind === 'version') ctx.out.warn(safe(w.message));
    if (preflight.blocking.length > 0) {
      throw new UsageError('The job scenes need files the project does not have; nothing was submitted.', {
        details: problemLines(preflight.blocking),
        hint: `Add the files to the project, or pass --allow-missing to submit anyway; \`gm scan <scene>\` lists every reference.${limitHint(preflight.blocking, limits)}`,
      });
    }
    phases.end('preflight');
  }
  const submitOptions = {
    skipUpload: opts.skipUpload === true,
    skipAutoDownload: !opts.download || !autoDownload,
  };
  if (opts.dryRun) {
    const body = toSubmitBody(project, submitOptions);
    ctx.out.printJson(body);
    phases.end('body');
    printPhases();
    ctx.out.info(
      ctx.out.ce.dim(
        `Dry run: ${project.jobs.length} job(s), ${project.files.length} file(s); nothing was uploaded or submitted.`,
      ),
    );
    return;
  }
  // Before anything is sent (the rerun check is a request too): download folders that cannot take results.
  const folders = await downloadFolderProblems(project, submitOptions);
  if (folders.length > 0) {
    throw InvalidRequestError.fromProblems(folders, `${loaded.path}: the results`);
  }
  // The rerun check and the submit are one step across processes: a second `gm submit` of the project waits
  // here for the first to be taken by Envoy, then sees its jobs in the rerun check.
  const release = await lockSubmission(join(configDir(io.env), 'locks'), project.name, {
    signal,
    onWait: (holder) =>
      ctx.out.info(
        `Waiting for another gm submit of ${project.name}${holder ? ` (process ${holder.pid} on ${safe(holder.host)}, since ${holder.since.toISOString()})` : ''} to be taken by Envoy…`,
      ),
  });
  let client: EnvoyClient;
  let name: string;
  try {
    const { client: connected } = await connect(ctx);
    client = connected;
    if (!opts.again) await refuseRerun(client, project);
    phases.end('sign in', opts.again ? undefined : 'and rerun check');
    ctx.out.info(
      `Submitting ${ctx.out.ce.cyan(project.name)}: ${project.jobs.length} job(s), ${project.files.length} file(s)${submitOptions.skipUpload ? ' (already uploaded)' : ''}`,
    );
    name = await client.submitProject(project, submitOptions);
    phases.end('submit', 'credits check, body, POST');
  } finally {
    release();
  }
  printPhases();
  const jobs = project.jobs.map((j) => ({ name: j.name, id: j.id }));
  if (opts.watch) {
    if (ctx.out.json) ctx.out.event({ event: 'submitted', project: name, jobs });
    const last = await watchProject(ctx, client, name, {
      intervalMs: Number(opts.interval) || 1000,
      resultFolders: submitOptions.skipAutoDownload ? [] : downloadFolders(project),
      // This submission's jobs only: a rerun is not reported with the totals of the runs before it.
      jobIds: jobs.map((j) => j.id),
    });
    if (!ctx.out.json) {
      printStatus(ctx, name, last);
      if (!submitOptions.skipAutoDownload)
        ctx.out.info(`Results: ${safe(downloadFolders(project).join(', '))}`);
    }
    return;
  }
  if (ctx.out.json) {
    ctx.out.printJson({ project: name, submissionName: project.submissionName, jobs });
    return;
  }
  ctx.out.print(`${ctx.out.c.green('✔')} Submitted ${ctx.out.c.bold(name)} (${project.submissionName}).`);
  ctx.out.info(`Next: \`gm status ${name} --watch\` to follow it.`);
}

/**
 * Refuses to submit jobs the project already has in Envoy (by name): a rerun of the same job file after a lost
 * answer or by mistake would run and charge them twice. `--again` submits anyway.
 */
async function refuseRerun(client: EnvoyClient, project: Project): Promise<void> {
  let jobs: { Name: string; State: string }[];
  try {
    jobs = (await client.getProjectStatus(project.name)).Jobs ?? [];
  } catch (error) {
    if (error instanceof APIError && error.status === 404) return;
    throw error;
  }
  const names = new Set(project.jobs.map((job) => job.name));
  const same = jobs.filter((job) => names.has(job.Name));
  if (same.length === 0) return;
  const list = same.map((job) => `${job.Name} (${job.State})`).join(', ');
  throw new CliError(
    `Project "${project.name}" already exists in Envoy with the job${same.length === 1 ? '' : 's'} ${list}: submitting again would run and charge ${same.length === 1 ? 'it' : 'them'} a second time.`,
    ExitCode.USAGE,
    {
      hint: `Follow it with \`gm status ${project.name} --watch\`. To run the jobs again on purpose, pass --again (or give the project another name).`,
    },
  );
}

function downloadFolders(project: {
  watchFiles: readonly { downloadPath: string }[];
  defaultWatchFile: { downloadPath: string };
}): string[] {
  const rules = project.watchFiles.length > 0 ? project.watchFiles : [project.defaultWatchFile];
  return [...new Set(rules.map((r) => r.downloadPath))];
}
