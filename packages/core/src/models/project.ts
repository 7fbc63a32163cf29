import { realpath, stat } from 'node:fs/promises';
import { type FieldError, InvalidRequestError } from '../errors.js';
import {
  absoluteLocal,
  flavourOf,
  folderNameProblem,
  normaliseRemote,
  type PathFlavour,
  relativeInside,
  remoteJoin,
  toFolderName,
} from '../paths.js';
import { walkFolder } from '../walk.js';
import type { Job } from './job.js';
import { WatchFile } from './watch-file.js';

/** Options of a {@link Project}. */
export interface ProjectOptions {
  /** Project name, also the remote root folder name; default the local folder's name. */
  name?: string;
  /** Submission name; default `<project name> <local time as %Y-%b-%d %H:%M:%S %p>`. */
  submissionName?: string;
  /** Results folder name below `render_results`; default the submission name made folder-safe, else a timestamp. */
  outputFolderName?: string;
  /** Houdini: path of the summary log file written by the plugin. */
  projectSummaryLogFile?: string;
  /** Houdini: project output parameters. */
  projectParamOutput?: readonly unknown[];
  /** Houdini: project output parameter mappings. */
  projectParam?: Readonly<Record<string, unknown>>;
  /** Project-level environment variables. */
  projectEnv?: Readonly<Record<string, unknown>>;
  /** Further project-level parameters, sent as they are. */
  params?: Readonly<Record<string, unknown>>;
  /** When the project was created; fixes the default names. Default now. */
  createdAt?: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Local time as Python's `%Y-%b-%d %H:%M:%S %p` (24-hour clock followed by AM/PM, as the Python client sends). */
export function submissionTimestamp(date: Date): string {
  const hours = date.getHours();
  return `${date.getFullYear()}-${MONTHS[date.getMonth()]}-${pad(date.getDate())} ${pad(hours)}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** Local time as `YYYY-MM-DD_HH-MM-SS_micro`, the default results folder name. */
export function folderTimestamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}_${pad(date.getMilliseconds() * 1000, 6)}`;
}

/**
 * A project: a local folder of files uploaded to the remote root `/<name>`, jobs that run on them, and watch
 * rules that download results.
 *
 * @example
 * ```ts
 * const project = new Project('/path/to/sample_project', { submissionName: 'submission 1', outputFolderName: 'my_results' });
 * await project.addFiles(project.localRoot, project.remoteRoot, ['sample.c4d']);
 * ```
 */
export class Project {
  /** The absolute local project folder, in native form. */
  readonly localRoot: string;
  /** The project name (the remote root folder's name). */
  readonly name: string;
  /** The remote root folder: `/<name>`. */
  readonly remoteRoot: string;
  /** The submission name sent as `project_request.name`. */
  readonly submissionName: string;
  /** The results folder name (`output_dir_name`). */
  readonly outputFolderName: string;
  /** The remote results folder: `/<name>/render_results/<outputFolderName>`. */
  readonly remoteOutputFolder: string;
  /** When the project was created. */
  readonly createdAt: Date;
  /** Project-level parameters as sent (`project_summary_log_file`, `project_param_output`, `project_param`, `project_env`, ...). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The jobs, in the order added. */
  readonly jobs: Job[] = [];
  /** The watch rules, in the order added. */
  readonly watchFiles: WatchFile[] = [];
  /** The path flavour of {@link Project.localRoot}. */
  readonly pathFlavour: PathFlavour;
  readonly #files = new Set<string>();
  #sorted: string[] | undefined;

  /**
   * @param projectFolder - the local project folder; relative paths are taken from the working directory.
   * @throws {@link InvalidRequestError} when the name or results folder name is not a valid folder name.
   */
  constructor(projectFolder: string, options: ProjectOptions = {}) {
    if (typeof projectFolder !== 'string' || projectFolder.trim() === '') {
      throw InvalidRequestError.fromProblems(
        [{ field: 'projectFolder', message: 'is required (the local project folder)' }],
        'The project',
      );
    }
    this.pathFlavour = flavourOf(projectFolder);
    this.localRoot = absoluteLocal(projectFolder, this.pathFlavour);
    this.createdAt = options.createdAt ?? new Date();
    this.name = options.name || this.pathFlavour.basename(this.localRoot);
    const problems: FieldError[] = [];
    const nameProblem = folderNameProblem(this.name);
    if (nameProblem) problems.push({ field: 'name', message: `project name ${nameProblem}` });
    if (options.outputFolderName !== undefined) {
      const folderProblem = folderNameProblem(options.outputFolderName);
      if (folderProblem) problems.push({ field: 'outputFolderName', message: folderProblem });
    }
    if (options.submissionName !== undefined && options.submissionName.trim() === '') {
      problems.push({ field: 'submissionName', message: 'must not be empty when given' });
    }
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'The project');
    this.remoteRoot = `/${this.name}`;
    this.submissionName = options.submissionName ?? `${this.name} ${submissionTimestamp(this.createdAt)}`;
    this.outputFolderName =
      options.outputFolderName ??
      (options.submissionName !== undefined
        ? toFolderName(options.submissionName)
        : folderTimestamp(this.createdAt));
    this.remoteOutputFolder = `${this.remoteRoot}/render_results/${this.outputFolderName}`;
    const params: Record<string, unknown> = { ...(options.params ?? {}) };
    if (options.projectSummaryLogFile !== undefined)
      params.project_summary_log_file = options.projectSummaryLogFile;
    if (options.projectParamOutput !== undefined) params.project_param_output = options.projectParamOutput;
    if (options.projectParam !== undefined) params.project_param = options.projectParam;
    if (options.projectEnv !== undefined) params.project_env = options.projectEnv;
    this.params = params;
  }

  /** The files to upload, relative to {@link Project.localRoot} with forward slashes, sorted, without duplicates. */
  get files(): readonly string[] {
    this.#sorted ??= [...this.#files].sort(compareCodeUnits);
    return this.#sorted;
  }

  /** The default watch rule: `<remoteOutputFolder>/.+` downloads into `<localRoot>/gm_results`. */
  get defaultWatchFile(): WatchFile {
    return new WatchFile(
      `${this.remoteOutputFolder}/.+`,
      this.pathFlavour.join(this.localRoot, 'gm_results'),
    );
  }

  /**
   * Adds files of `localFolder` (inside the project folder) to land below `remoteFolder` (the remote folder at the
   * same position below {@link Project.remoteRoot}). With `files`, adds those (names relative to `localFolder`;
   * folders among them are added whole); without, adds every file below `localFolder`.
   *
   * @throws {@link InvalidRequestError} naming every path outside the project folder (`..`, absolute elsewhere,
   * a symbolic link leading out), every missing file, and a remote folder that does not match.
   */
  async addFiles(localFolder: string, remoteFolder: string, files?: readonly string[]): Promise<this> {
    const flavour = this.pathFlavour;
    const problems: FieldError[] = [];
    const folder = flavour.resolve(this.localRoot, localFolder);
    const folderRel = relativeInside(this.localRoot, folder, flavour);
    if (folderRel === undefined) {
      problems.push({
        field: 'localFolder',
        message: `"${localFolder}" is outside the project folder ${this.localRoot}`,
      });
    } else {
      const expected = folderRel === '' ? this.remoteRoot : remoteJoin(this.remoteRoot, folderRel);
      const remote = normaliseRemote(remoteFolder);
      if (remote !== this.remoteRoot && !remote.startsWith(`${this.remoteRoot}/`)) {
        problems.push({
          field: 'remoteFolder',
          message: `"${remoteFolder}" must be the project's remote root ${this.remoteRoot} or a folder below it (here ${expected})`,
        });
      } else if (remote !== expected) {
        problems.push({
          field: 'remoteFolder',
          message: `"${remoteFolder}" does not match the local folder "${localFolder}": files are sent relative to the project folder, so they land in ${expected}`,
        });
      }
    }
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'Adding files');

    // Paths outside the project folder are refused by their form alone, even when the disk cannot be read.
    const entries = (files ?? ['']).map((entry, index) => {
      const abs = flavour.resolve(folder, entry);
      const rel = relativeInside(this.localRoot, abs, flavour);
      const field = files ? `files[${index}]` : 'localFolder';
      const shown = files ? entry : localFolder;
      if (rel === undefined) {
        problems.push({ field, message: `"${shown}" is outside the project folder ${this.localRoot}` });
      }
      return { abs, rel, field, shown };
    });
    let realRoot: string;
    try {
      realRoot = await realpath(this.localRoot);
    } catch (error) {
      problems.push({ field: 'localRoot', message: `${this.localRoot} does not exist or cannot be read` });
      throw new InvalidRequestError(`Adding files: the project folder ${this.localRoot} cannot be read`, {
        cause: error,
        fieldErrors: problems,
      });
    }
    const found: string[] = [];
    await Promise.all(
      entries.map(async ({ abs, rel, field, shown }) => {
        if (rel === undefined) return;
        let real: string;
        try {
          real = await realpath(abs);
        } catch {
          problems.push({ field, message: `"${shown}" does not exist (${abs})` });
          return;
        }
        if (relativeInside(realRoot, real, flavour) === undefined) {
          problems.push({
            field,
            message: `"${shown}" is a symbolic link leading out of the project folder (to ${real})`,
          });
          return;
        }
        const info = await stat(abs);
        if (info.isDirectory()) {
          const walked = walkFolder(abs, { within: realRoot, flavour, prefix: rel === '' ? '' : `${rel}/` });
          for (const file of walked.files) found.push(file);
          for (const link of walked.problems) {
            problems.push({
              field: 'files',
              message:
                link.kind === 'broken'
                  ? `"${link.path}" is a broken symbolic link`
                  : `"${link.path}" is a symbolic link leading out of the project folder (to ${link.target})`,
            });
          }
        } else if (rel !== '') {
          found.push(rel);
        }
      }),
    );
    if (problems.length > 0) {
      problems.sort((a, b) => compareCodeUnits(a.field + a.message, b.field + b.message));
      throw InvalidRequestError.fromProblems(problems, 'Adding files');
    }
    for (const rel of found) this.#files.add(rel);
    this.#sorted = undefined;
    return this;
  }

  /** Adds jobs to the project. Returns this project. */
  addJobs(...jobs: Job[]): this {
    for (const job of jobs) if (!this.jobs.includes(job)) this.jobs.push(job);
    return this;
  }

  /** Adds watch rules; without any, results download into `<localRoot>/gm_results`. Returns this project. */
  addWatchFiles(...watchFiles: WatchFile[]): this {
    this.watchFiles.push(...watchFiles);
    return this;
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
