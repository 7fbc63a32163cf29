import { disk } from '#disk';
import {
  isPlainObject,
  jsonValueProblem,
  nonEmptyStringProblem,
  stringListProblem,
  unknownKeyProblems,
} from '../checks.js';
import { type FieldError, InvalidRequestError } from '../errors.js';
import {
  absoluteLocal,
  describeValue,
  fileNameProblem,
  flavourOf,
  folderNameProblem,
  normaliseRemote,
  type PathFlavour,
  projectNameProblem,
  relativeInside,
  remoteJoin,
  remoteRelative,
  toFolderName,
} from '../paths.js';
import { compareCodeUnits } from '../text.js';
import { PROJECT_PARAM_OPTIONS, productOptionWireName, resultsPattern } from '../wire.js';
import { deepFreeze, Job } from './job.js';
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

/** The most jobs one project may hold (Envoy refuses more). */
export const MAX_JOBS = 10_000;

/** The folder inside the project folder that results download into without a watch rule. */
const DEFAULT_RESULTS_FOLDER = 'gm_results';

/** The suffix of files a download is still writing. */
const DOWNLOAD_SUFFIX = '.gm-download.tmp';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/**
 * Local time as `2026-Nov-29 04:25:35 PM`: a 12-hour clock with AM/PM (midnight is `12:..:.. AM`, noon
 * `12:..:.. PM`), the time in a default submission name.
 */
export function submissionTimestamp(date: Date): string {
  const hours = date.getHours();
  const twelve = hours % 12 === 0 ? 12 : hours % 12;
  return `${date.getFullYear()}-${MONTHS[date.getMonth()]}-${pad(date.getDate())} ${pad(twelve)}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** Local time as `YYYY-MM-DD_HH-MM-SS_micro` (`2026-11-29_16-25-35_123000`), a results folder name. */
export function folderTimestamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}_${pad(date.getMilliseconds() * 1000, 6)}`;
}

/** `<name> <timestamp>`, the name cut so the whole stays within 200 UTF-8 bytes. */
function defaultSubmissionName(name: string, date: Date): string {
  const stamp = ` ${submissionTimestamp(date)}`;
  const points = [...name];
  while (points.length > 1 && utf8Length(points.join('') + stamp) > 200) points.pop();
  return points.join('') + stamp;
}

/** A frozen deep copy of a checked tree of plain values; `undefined` stays `undefined`. */
function frozenCopy<T>(value: T): T {
  return value === undefined ? value : deepFreeze(structuredClone(value));
}

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

/**
 * The 8 hex digits after the time in a default results folder name: a count of this process's projects, started at a
 * random number (drawn once). Two projects of one process never share a name (a random draw for each would collide
 * for one pair in 2^32, so about once in 8,600 runs of a thousand projects made in one millisecond); projects of two
 * processes share one only when both their times and their counts meet, one chance in 2^32.
 */
let folderCount: number | undefined;

/** The default results folder name: the local time, then 8 hex digits unique in this process (see {@link folderCount}). */
function uniqueFolderName(date: Date): string {
  folderCount ??= crypto.getRandomValues(new Uint32Array(1))[0] as number;
  const suffix = folderCount.toString(16).padStart(8, '0');
  folderCount = (folderCount + 1) >>> 0;
  return `${folderTimestamp(date)}_${suffix}`;
}

const PROJECT_OPTION_KEYS = [
  'name',
  'submissionName',
  'outputFolderName',
  ...PROJECT_PARAM_OPTIONS,
  'params',
  'createdAt',
] as const;

/** Every problem of the arguments of `new Project(projectFolder, options)`. */
function projectOptionProblems(projectFolder: unknown, options: unknown): FieldError[] {
  const problems: FieldError[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (typeof projectFolder !== 'string' || projectFolder.trim() === '') {
    add('projectFolder', `is required: the local project folder (got ${describeValue(projectFolder)})`);
  } else if (projectFolder.includes('\0')) {
    add('projectFolder', 'must not contain a NUL character');
  }
  if (!isPlainObject(options)) {
    add('options', `must be an object of project options (got ${describeValue(options)})`);
    return problems;
  }
  const o = options as Record<string, unknown>;
  if (o.name !== undefined) {
    const p = projectNameProblem(o.name);
    if (p) add('name', `${p} (the project name is the remote root folder's name)`);
  }
  if (o.submissionName !== undefined) {
    const p = fileNameProblem(o.submissionName);
    if (p) add('submissionName', p);
  }
  if (o.outputFolderName !== undefined) {
    const p = folderNameProblem(o.outputFolderName);
    if (p) add('outputFolderName', `${p} (it is the results folder's name)`);
  }
  if (o.projectSummaryLogFile !== undefined) {
    const p = nonEmptyStringProblem(o.projectSummaryLogFile);
    if (p) add('projectSummaryLogFile', p);
  }
  if (o.projectParamOutput !== undefined) {
    if (!Array.isArray(o.projectParamOutput)) {
      add('projectParamOutput', `must be a list (got ${describeValue(o.projectParamOutput)})`);
    } else {
      const p = jsonValueProblem(o.projectParamOutput, 'projectParamOutput');
      if (p) add('projectParamOutput', p);
    }
  }
  for (const key of ['projectParam', 'projectEnv', 'params'] as const) {
    if (o[key] === undefined) continue;
    if (!isPlainObject(o[key])) add(key, `must be a plain object (got ${describeValue(o[key])})`);
    else {
      const p = jsonValueProblem(o[key], key);
      if (p) add(key, p);
    }
  }
  if (isPlainObject(o.params)) {
    // Set by their options, which check their type: in `params` too they would be ambiguous.
    for (const option of PROJECT_PARAM_OPTIONS) {
      const key = productOptionWireName(option);
      if (Object.hasOwn(o.params, key)) add(`params.${key}`, `is set by ${option}`);
    }
  }
  if (o.createdAt !== undefined && !(o.createdAt instanceof Date && Number.isFinite(o.createdAt.getTime()))) {
    add('createdAt', `must be a valid Date (got ${describeValue(o.createdAt)})`);
  }
  problems.push(...unknownKeyProblems(o, PROJECT_OPTION_KEYS, 'a project'));
  return problems;
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
  /** Houdini: path of the summary log file the plugin writes, when given. */
  readonly projectSummaryLogFile: string | undefined;
  /** Houdini: project output parameters, when given (frozen). */
  readonly projectParamOutput: readonly unknown[] | undefined;
  /** Houdini: project output parameter mappings, when given (frozen). */
  readonly projectParam: Readonly<Record<string, unknown>> | undefined;
  /** Project-level environment variables, when given (frozen). */
  readonly projectEnv: Readonly<Record<string, unknown>> | undefined;
  /** Further project-level parameters, sent as they are (a frozen copy). */
  readonly params: Readonly<Record<string, unknown>>;
  /** The jobs, in the order added (a frozen list; add with {@link Project.addJobs}). */
  get jobs(): readonly Job[] {
    return this.#jobs;
  }
  /** The watch rules, in the order added (a frozen list; add with {@link Project.addWatchFiles}). */
  get watchFiles(): readonly WatchFile[] {
    return this.#watchFiles;
  }
  /** The path flavour of {@link Project.localRoot}. */
  readonly pathFlavour: PathFlavour;
  /**
   * The files, sorted by code units, without duplicates; replaced (never changed in place) when files are added.
   * Not frozen: V8 copies, filters and serialises frozen arrays on slower paths (measured 1.3–10× slower).
   */
  #files: readonly string[] = [];
  readonly #jobSet = new Set<Job>();
  #jobs: readonly Job[] = Object.freeze([]);
  #watchFiles: readonly WatchFile[] = Object.freeze([]);

  /**
   * @param projectFolder - the local project folder; relative paths are taken from the working directory.
   * @throws {@link InvalidRequestError} when the name or results folder name is not a valid folder name.
   */
  constructor(projectFolder: string, options: ProjectOptions = {}) {
    const problems = projectOptionProblems(projectFolder, options);
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'The project');
    this.pathFlavour = flavourOf(projectFolder);
    this.localRoot = absoluteLocal(projectFolder, this.pathFlavour);
    this.createdAt = new Date((options.createdAt ?? new Date()).getTime());
    this.name = options.name ?? this.pathFlavour.basename(this.localRoot);
    const nameProblem = projectNameProblem(this.name);
    if (nameProblem) {
      throw InvalidRequestError.fromProblems(
        [
          {
            field: 'name',
            message: `the project folder's name ${nameProblem}; give options.name, a valid remote folder name`,
          },
        ],
        'The project',
      );
    }
    this.remoteRoot = `/${this.name}`;
    this.submissionName = options.submissionName ?? defaultSubmissionName(this.name, this.createdAt);
    this.outputFolderName =
      options.outputFolderName ??
      (options.submissionName !== undefined
        ? toFolderName(options.submissionName)
        : uniqueFolderName(this.createdAt));
    this.remoteOutputFolder = `${this.remoteRoot}/render_results/${this.outputFolderName}`;
    this.projectSummaryLogFile = options.projectSummaryLogFile;
    this.projectParamOutput = frozenCopy(options.projectParamOutput);
    this.projectParam = frozenCopy(options.projectParam);
    this.projectEnv = frozenCopy(options.projectEnv);
    this.params = frozenCopy(options.params) ?? Object.freeze({});
    Object.freeze(this);
  }

  /** The files to upload, relative to {@link Project.localRoot} with forward slashes, sorted, without duplicates. */
  get files(): readonly string[] {
    return this.#files;
  }

  /** The default watch rule: `<remoteOutputFolder>/.+` downloads into `<localRoot>/gm_results`. */
  get defaultWatchFile(): WatchFile {
    return new WatchFile(
      resultsPattern(this.remoteOutputFolder),
      this.pathFlavour.join(this.localRoot, DEFAULT_RESULTS_FOLDER),
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
    const { problems, entries } = this.#placed(localFolder, remoteFolder, files, 'Adding files');
    if (disk === undefined) {
      throw InvalidRequestError.fromProblems(
        [
          {
            field: 'localFolder',
            message:
              'this runtime has no disk to read (a browser, a plugin panel, a worker): list the files with project.addFileList(localFolder, remoteFolder, files)',
          },
        ],
        'Adding files',
      );
    }
    const { walks, single } = await disk.collect({
      localRoot: this.localRoot,
      flavour,
      entries,
      problems,
      excluded: (rel) => this.#excluded(rel),
      skipSuffix: DOWNLOAD_SUFFIX,
    });
    const resultFolders = this.#resultFolders();
    let merged = this.#files;
    for (const list of walks) merged = mergeSorted(merged, this.#withoutResults(list, resultFolders));
    merged = mergeSorted(merged, sortedUnique(single));
    this.#files = merged;
    return this;
  }

  /**
   * Adds files without reading the disk, for runtimes that have none (a browser, a plugin panel, a worker) or a
   * list already known: `files` are file names relative to `localFolder` (inside the project folder); each is
   * uploaded from `<localFolder>/<file>` to `<remoteFolder>/<file>`, the remote folder being at the same position
   * below {@link Project.remoteRoot}. Nothing checks that the files exist: the upload reads them.
   *
   * @example
   * ```ts
   * const project = new Project('C:\\projects\\shot_010');
   * project.addFileList('C:\\projects\\shot_010', '/shot_010', ['shot_010.blend', 'tex/wood.png']);
   * // project.files: ['shot_010.blend', 'tex/wood.png']
   * ```
   *
   * @throws {@link InvalidRequestError} naming every path outside the project folder, every file inside a results
   * folder, a missing or empty file list, and a remote folder that does not match.
   */
  addFileList(localFolder: string, remoteFolder: string, files: readonly string[]): this {
    if (files === undefined) {
      throw InvalidRequestError.fromProblems(
        [{ field: 'files', message: 'is required: the file names relative to localFolder' }],
        'Adding listed files',
      );
    }
    const { problems, entries } = this.#placed(localFolder, remoteFolder, files, 'Adding listed files');
    const found: string[] = [];
    for (const { rel, field, shown } of entries) {
      if (rel === undefined) continue;
      if (rel === '') {
        problems.push({ field, message: `"${shown}" is the project folder itself, not a file` });
        continue;
      }
      const excluded = this.#excluded(rel);
      if (excluded) problems.push({ field, message: `"${shown}" ${excluded}` });
      else found.push(rel);
    }
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'Adding listed files');
    this.#files = mergeSorted(this.#files, sortedUnique(found));
    return this;
  }

  /**
   * The checks of {@link Project.addFiles} and {@link Project.addFileList} made from the paths alone: the
   * arguments' types, the local folder inside the project folder, the remote folder matching it, and each entry
   * (`files`, else the folder itself) placed inside the project folder. Throws when the folders are wrong; the
   * problems of entries outside are returned with the entries, to be thrown with the others found later.
   */
  #placed(
    localFolder: string,
    remoteFolder: string,
    files: readonly string[] | undefined,
    what: string,
  ): {
    problems: FieldError[];
    entries: { abs: string; rel: string | undefined; field: string; shown: string }[];
  } {
    const flavour = this.pathFlavour;
    const problems: FieldError[] = [];
    for (const [field, value] of [
      ['localFolder', localFolder],
      ['remoteFolder', remoteFolder],
    ] as const) {
      if (typeof value !== 'string' || value === '' || value.includes('\0')) {
        problems.push({ field, message: `must be a folder path (got ${describeValue(value)})` });
      }
    }
    if (files !== undefined) {
      const p = stringListProblem(files, 'file names relative to localFolder');
      if (p) problems.push({ field: 'files', message: `${p}; omit it to add the whole folder` });
      else if (files.some((f) => f.includes('\0'))) {
        problems.push({ field: 'files', message: 'file names must not contain a NUL character' });
      }
    }
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, what);
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
      if (remoteRelative(this.remoteRoot, remoteFolder) === undefined) {
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
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, what);

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
    return { problems, entries };
  }

  /**
   * Why the file at `rel` (relative to the project folder, forward slashes) is never uploaded, or `undefined`:
   * files inside the project's results folders (`gm_results` and every watch rule's folder inside the project)
   * and temporary download files (`*.gm-download.tmp`) are results, not inputs.
   */
  #excluded(rel: string, folders: readonly string[] = this.#resultFolders()): string | undefined {
    if (rel.endsWith(DOWNLOAD_SUFFIX)) {
      return `is a temporary download file (${DOWNLOAD_SUFFIX}); results are not uploaded`;
    }
    for (const folder of folders) {
      // `folder` itself or below it (`folder/…`), without building `folder/` for every path
      if (rel.startsWith(folder) && (rel.length === folder.length || rel.charCodeAt(folder.length) === 47)) {
        return `is inside the project's results folder "${folder}"; results are not uploaded`;
      }
    }
    return undefined;
  }

  /**
   * A walk's sorted `list` (its temporary downloads already left out by the walk) without the paths inside the
   * results folders: `list` itself when none is there (the usual case), so that a large walk is not copied. The
   * paths of a folder are one run of a sorted list, found by binary search rather than by testing every path.
   */
  #withoutResults(list: string[], folders: readonly string[]): string[] {
    let out = list;
    for (const folder of folders) {
      // `folder`, `folder/…` and names such as `folder.txt` sort from `folder` to before `folder0` ('/' + 1).
      const from = lowerBound(out, folder);
      const to = lowerBound(out, `${folder}0`, from);
      if (from === to) continue;
      const kept = out.slice(from, to).filter((rel) => this.#excluded(rel, folders) === undefined);
      if (kept.length < to - from) out = [...out.slice(0, from), ...kept, ...out.slice(to)];
    }
    return out;
  }

  /** The results folders inside the project folder (relative, forward slashes): `gm_results` and watch folders. */
  #resultFolders(): string[] {
    const flavour = this.pathFlavour;
    const folders = [
      flavour.join(this.localRoot, DEFAULT_RESULTS_FOLDER),
      ...this.#watchFiles.map((w) => w.downloadPath),
    ];
    return folders
      .map((folder) => relativeInside(this.localRoot, folder, flavour))
      .filter((rel): rel is string => rel !== undefined && rel !== '');
  }

  /**
   * Adds jobs to the project (a job already in it is not added twice). Returns this project.
   * @throws {@link InvalidRequestError} when one is not a {@link Job} or the project would hold more than
   * {@link MAX_JOBS} jobs (nothing is added then).
   */
  addJobs(...jobs: Job[]): this {
    const problems: FieldError[] = [];
    jobs.forEach((job, i) => {
      if (!(job instanceof Job)) {
        problems.push({
          field: `jobs[${i}]`,
          message: `must be a Job (got ${describeValue(job)}); make one with new Job(...) or a product builder`,
        });
      }
    });
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'Adding jobs');
    const fresh = [...new Set(jobs)].filter((job) => !this.#jobSet.has(job));
    if (this.#jobs.length + fresh.length > MAX_JOBS) {
      problems.push({
        field: 'jobs',
        message: `a project holds at most ${MAX_JOBS} jobs (this would make ${this.#jobs.length + fresh.length}): split it into several projects`,
      });
      throw InvalidRequestError.fromProblems(problems, 'Adding jobs');
    }
    const after = new Set([...this.#jobSet, ...fresh]);
    fresh.forEach((job) => {
      const i = jobs.indexOf(job);
      // Job files and the files a job names are files of the project: below its remote root, where addFiles
      // places the project folder's files. (A job's path has no "..", ".", "\\" or empty segment: Job checks that.)
      const rel = remoteRelative(this.remoteRoot, job.path);
      if (rel === undefined || rel === '') {
        problems.push({
          field: `jobs[${i}].path`,
          message: `"${job.path}" is not a file of project "${this.name}": a job's file is a remote path below ${this.remoteRoot}, where addFiles places the project folder's files, such as ${this.remoteRoot}/scene.blend`,
        });
      }
      for (const [field, remap] of [
        ['params.remap_file', job.params.remap_file],
        ['productOptions.remapFile', job.productOptions.remapFile],
      ]) {
        if (typeof remap !== 'string' || remoteRelative(this.remoteRoot, remap)) continue;
        problems.push({
          field: `jobs[${i}].${field}`,
          message: `"${remap}" is not a file of project "${this.name}": it must lie below ${this.remoteRoot}, such as ${this.remoteRoot}/remap.xml`,
        });
      }
      for (const dependency of job.dependencies) {
        if (!after.has(dependency)) {
          problems.push({
            field: `jobs[${i}].dependencies`,
            message: `job "${dependency.name}" (${dependency.id}) is not in this project: add it with project.addJobs() (in the same call or before)`,
          });
        }
      }
    });
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'Adding jobs');
    // Jobs are immutable and only name jobs made before them, so the dependencies have no cycle.
    for (const job of fresh) this.#jobSet.add(job);
    this.#jobs = Object.freeze([...this.#jobs, ...fresh]);
    return this;
  }

  /**
   * Adds watch rules; without any, results download into `<localRoot>/gm_results`. Returns this project.
   * @throws {@link InvalidRequestError} when one is not a {@link WatchFile}.
   */
  addWatchFiles(...watchFiles: WatchFile[]): this {
    const problems: FieldError[] = [];
    watchFiles.forEach((watch, i) => {
      if (!(watch instanceof WatchFile)) {
        problems.push({
          field: `watchFiles[${i}]`,
          message: `must be a WatchFile (got ${describeValue(watch)}); make one with new WatchFile(pattern, folder)`,
        });
      }
    });
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'Adding watch rules');
    this.#watchFiles = Object.freeze([...this.#watchFiles, ...watchFiles]);
    return this;
  }
}

/**
 * `list` sorted by code units without duplicates, in place. A folder's walk comes sorted already, so one pass
 * checks it and the sort only runs for lists that need it (several folders or files named in any order).
 */
export function sortedUnique(list: string[]): string[] {
  let ordered = true;
  for (let i = 1; i < list.length; i++) {
    if (!((list[i - 1] as string) < (list[i] as string))) {
      ordered = false;
      break;
    }
  }
  if (ordered) return list;
  list.sort(compareCodeUnits);
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    if (kept === 0 || list[kept - 1] !== list[i]) list[kept++] = list[i] as string;
  }
  list.length = kept;
  return list;
}

/** The first index from `from` of the sorted `list` whose path is not before `key` (code units). */
function lowerBound(list: readonly string[], key: string, from = 0): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The union of two lists sorted by code units without duplicates, itself sorted without duplicates. Returns `b`
 * itself when `a` is empty, `a` itself when `b` adds nothing.
 */
export function mergeSorted(a: readonly string[], b: string[]): readonly string[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as string;
    const y = b[j] as string;
    if (x < y) {
      out.push(x);
      i++;
    } else if (y < x) {
      out.push(y);
      j++;
    } else {
      out.push(x);
      i++;
      j++;
    }
  }
  for (; i < a.length; i++) out.push(a[i] as string);
  for (; j < b.length; j++) out.push(b[j] as string);
  return out.length === a.length ? a : out;
}
