/**
 * Project checks: for each job's scene, the references missing on disk, outside the project folder, or on disk
 * but not added to the project; and adding a scene with everything it needs inside the project folder.
 *
 * Only a project's public read API is used (`localRoot`, `remoteRoot`, `files`, `jobs` with `name`, `path`,
 * `localPath` and `params.frames`), and `addFiles` for adding, whose result is returned as is (so a project that returns a new
 * value from `addFiles` works the same as one that changes itself).
 */
import { matchesVersionPrefix } from '@gm/core';
import { remoteRelative } from '@gm/core/internal';
import { PreflightError } from './errors.js';
import { isInside, NATIVE } from './paths.js';
import { savedVersion, scanScene } from './scan.js';
import type { PathMap, ScanLimits, SceneReference, SceneScan } from './types.js';

/** What {@link preflightProject} reads of a job. */
export interface PreflightJob {
  readonly name: string;
  /** The job file in the remote store, such as `/shot/scene.blend`. */
  readonly path: string;
  /** The job file on this machine, when the job carries it (a `@gm/core` `Job` made from a local file does). */
  readonly localPath?: string | undefined;
  /** The product version the job renders in; compared with the version the scene was saved with. */
  readonly appVersion?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** What {@link preflightProject} reads of a project (a `@gm/core` `Project` fits). */
export interface PreflightProject {
  /** The absolute local project folder. */
  readonly localRoot: string;
  /** The remote root folder, `/<name>`. */
  readonly remoteRoot: string;
  /** The files added, relative to `localRoot` with forward slashes. */
  readonly files: readonly string[];
  readonly jobs: readonly PreflightJob[];
}

/** One problem {@link preflightProject} found. */
export interface PreflightProblem {
  /** The job's name. */
  job: string;
  /** The field at fault, such as `jobs[0].path`. */
  field: string;
  /** What is wrong. */
  kind:
    | 'scene-missing'
    | 'scene-not-added'
    | 'unreadable'
    | 'not-scanned'
    | 'missing'
    | 'outside'
    | 'not-added'
    | 'unresolved'
    | 'version';
  /** What is wrong and how to fix it, in words. */
  message: string;
  /** The reference at fault, for reference problems. */
  reference?: SceneReference;
}

/** The preflight of one job's scene. */
export interface JobPreflight {
  /** The job's name. */
  job: string;
  /** The scene on this machine. */
  scene: string;
  /** The scan, when the scene could be read. */
  scan: SceneScan | undefined;
  /** The problems of this job. */
  problems: PreflightProblem[];
}

/** What {@link preflightProject} found. */
export interface ProjectPreflight {
  /** Whether no job has a problem. */
  ok: boolean;
  /** One entry per job, in the project's order. */
  jobs: JobPreflight[];
  /** Every problem of every job. */
  problems: PreflightProblem[];
}

/** Options of {@link preflightProject} and {@link addSceneDependencies}. */
export interface PreflightOptions {
  /** Foreign absolute prefixes mapped onto local folders (as the `pathMap` of `scanScene`). */
  pathMap?: PathMap;
  /** Bounds on what each scan reads (as the `limits` of `scanScene`). */
  limits?: Partial<ScanLimits>;
}

function toRel(root: string, file: string): string {
  return NATIVE.relative(root, file).split(NATIVE.sep).join('/');
}

/**
 * The local scene file of a job that does not carry it (made from a remote path only), from its remote path
 * `remote`; `undefined` when that is not below the root.
 */
function localScene(project: PreflightProject, remote: string): string | undefined {
  const rel = remoteRelative(project.remoteRoot, remote);
  return rel ? NATIVE.join(project.localRoot, ...rel.split('/')) : undefined;
}

/** Every file on disk a reference stands for (a sequence's found files, or the file itself). */
function filesOf(ref: SceneReference): string[] {
  if (ref.sequence) return ref.sequence.files;
  return ref.exists && ref.resolved !== undefined ? [ref.resolved] : [];
}

/**
 * Scans each job's scene and reports, per job: a scene missing or not added, a scene that cannot be read or
 * scanned, a scene saved with another version than the job's `appVersion` (kind `version`), and references that
 * are missing on disk, unresolvable, outside the project folder, or on disk inside it but not added to the
 * project. Frame sequences are counted within the job's `params.frames` when set.
 */
export async function preflightProject(
  project: PreflightProject,
  options: PreflightOptions = {},
): Promise<ProjectPreflight> {
  const added = new Set(project.files);
  const jobs: JobPreflight[] = [];
  for (const [index, job] of project.jobs.entries()) {
    const field = `jobs[${index}].path`;
    const problems: PreflightProblem[] = [];
    const problem = (kind: PreflightProblem['kind'], message: string, reference?: SceneReference) =>
      problems.push({ job: job.name, field, kind, message, ...(reference ? { reference } : {}) });
    const scene = job.localPath ?? localScene(project, job.path);
    if (scene === undefined) {
      problem(
        'scene-missing',
        `job file ${job.path} is not below the project's remote root ${project.remoteRoot}`,
      );
      jobs.push({ job: job.name, scene: job.path, scan: undefined, problems });
      continue;
    }
    const frames = typeof job.params?.frames === 'string' ? job.params.frames : undefined;
    let scan: SceneScan | undefined;
    try {
      scan = await scanScene(scene, {
        projectFolder: project.localRoot,
        ...(options.pathMap ? { pathMap: options.pathMap } : {}),
        ...(options.limits ? { limits: options.limits } : {}),
        ...(frames ? { frames } : {}),
      });
    } catch (error) {
      if (!(error instanceof PreflightError)) throw error;
      const kind =
        error.name === 'SceneNotFoundError'
          ? 'scene-missing'
          : error.name === 'UnsupportedFormatError'
            ? 'not-scanned'
            : 'unreadable';
      problem(kind, error.message);
    }
    if (scan) {
      const sceneRel = toRel(project.localRoot, scan.file);
      if (!added.has(sceneRel)) {
        problem('scene-not-added', `the scene ${sceneRel} is not among the project's files: add it`);
      }
      if (!scan.scanned) problem('not-scanned', `${sceneRel}: ${scan.notes[0] ?? 'not scanned'}`);
      const saved = savedVersion(scan);
      if (
        saved !== undefined &&
        job.appVersion !== undefined &&
        !matchesVersionPrefix(job.appVersion, saved)
      ) {
        problems.push({
          job: job.name,
          field: `jobs[${index}].appVersion`,
          kind: 'version',
          message: `${sceneRel} was saved with version ${saved}, and the job renders it in ${job.appVersion}: check that it renders the same, or choose ${saved} (or the nearest version offered)`,
        });
      }
      for (const ref of scan.references) {
        const where = `${ref.location.name} in ${toRel(project.localRoot, ref.location.file)}`;
        if (ref.resolved === undefined && ref.unresolvedKind === 'foreign-path') {
          problem(
            'outside',
            `"${ref.path}" (${where}) is an absolute path of another machine, outside the project folder: ${ref.unresolved}`,
            ref,
          );
          continue;
        }
        if (ref.resolved === undefined) {
          problem(
            'unresolved',
            `"${ref.path}" (${where}) cannot be checked: ${ref.unresolved ?? 'not resolvable'}`,
            ref,
          );
          continue;
        }
        if (!isInside(project.localRoot, ref.resolved)) {
          problem(
            'outside',
            `"${ref.path}" (${where}) is outside the project folder ${project.localRoot}: copy it into the project, or map its folder with pathMap`,
            ref,
          );
          continue;
        }
        if (!ref.exists) {
          const detail = ref.sequence
            ? ref.sequence.found === 0
              ? 'no file of the sequence exists'
              : `${ref.sequence.missing} of ${ref.sequence.found + ref.sequence.missing} frames missing (${ref.sequence.missingFrames.join(', ')}${ref.sequence.missing > ref.sequence.missingFrames.length ? ', ...' : ''})`
            : 'does not exist';
          problem('missing', `"${ref.path}" (${where}): ${detail} at ${ref.resolved}`, ref);
        }
        const notAdded = filesOf(ref)
          .filter((f) => isInside(project.localRoot, f))
          .map((f) => toRel(project.localRoot, f))
          .filter((rel) => !added.has(rel));
        if (notAdded.length > 0) {
          const shown =
            notAdded.slice(0, 3).join(', ') +
            (notAdded.length > 3 ? `, and ${notAdded.length - 3} more` : '');
          problem(
            'not-added',
            `"${ref.path}" (${where}) is on disk but not added to the project: ${shown}`,
            ref,
          );
        }
      }
    }
    jobs.push({ job: job.name, scene, scan, problems });
  }
  const problems = jobs.flatMap((j) => j.problems);
  return { ok: problems.length === 0, jobs, problems };
}

/** A project that can add files: a `@gm/core` `Project` fits. `addFiles` may return the project or a new one. */
export interface DependencyTarget<P> {
  readonly localRoot: string;
  readonly remoteRoot: string;
  addFiles(localFolder: string, remoteFolder: string, files?: readonly string[]): Promise<P>;
}

/** What {@link addSceneDependencies} did. */
export interface SceneDependencies<P> {
  /** The project `addFiles` returned. */
  project: P;
  /** The files added (the scene first), relative to the project folder with forward slashes. */
  added: string[];
  /** References not added: missing, unresolvable, or outside the project folder. */
  skipped: SceneReference[];
  /** The scan of the scene. */
  scan: SceneScan;
}

/**
 * Adds `scene` (a path inside the project folder, absolute or relative to it) and every file it needs that exists
 * inside the project folder: referenced files, the found files of sequences, linked libraries and what they
 * reference. References that are missing, unresolvable or outside the project folder are returned as `skipped`.
 *
 * @throws {@link PreflightError} (a subclass) when the scene cannot be read; whatever `addFiles` throws (for a
 * `@gm/core` project, an `InvalidRequestError` naming a symbolic link that leads out of the project folder).
 */
export async function addSceneDependencies<P>(
  project: DependencyTarget<P>,
  scene: string,
  options: PreflightOptions = {},
): Promise<SceneDependencies<P>> {
  const file = NATIVE.resolve(project.localRoot, scene);
  const scan = await scanScene(file, {
    projectFolder: project.localRoot,
    ...(options.pathMap ? { pathMap: options.pathMap } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const added = new Set<string>();
  const skipped: SceneReference[] = [];
  if (isInside(project.localRoot, scan.file)) added.add(toRel(project.localRoot, scan.file));
  for (const ref of scan.references) {
    const files = filesOf(ref).filter((f) => isInside(project.localRoot, f));
    if (files.length === 0 || ref.resolved === undefined || !isInside(project.localRoot, ref.resolved)) {
      skipped.push(ref);
      continue;
    }
    for (const f of files) added.add(toRel(project.localRoot, f));
    if (!ref.exists) skipped.push(ref);
  }
  const list = [...added];
  const result = await project.addFiles(project.localRoot, project.remoteRoot, list);
  return { project: result, added: list, skipped, scan };
}
