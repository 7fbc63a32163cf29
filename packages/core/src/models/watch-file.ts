import { RE2JS } from 're2js';
import { type FieldError, InvalidRequestError } from '../errors.js';
import { controlCharacterProblem, describeValue, flavourOf } from '../paths.js';

/** The longest watch pattern accepted, in characters (Envoy refuses longer ones). */
export const MAX_PATTERN_LENGTH = 1000;

/**
 * Why `pattern` is not a usable watch pattern, or `undefined`: a regular expression in RE2 syntax (linear-time
 * matching, as Envoy uses: no look-around, no back-references) of at most {@link MAX_PATTERN_LENGTH} characters,
 * without a control character (NUL included) written as such, without a `..` path segment (dots escaped or not), whose matches would climb out of the download folder.
 */
export function watchPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || pattern === '') {
    return `must be a regular expression over remote paths, such as "/my_project/render_results/.+" (got ${describeValue(pattern)})`;
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`;
  }
  const control = controlCharacterProblem(pattern);
  if (control) return control;
  try {
    RE2JS.compile(pattern);
    return pattern.split(/\/|\\\\/).some((s) => s.replace(/\\\./g, '.') === '..')
      ? `${JSON.stringify(pattern)} holds a ".." segment: its matches would leave the download folder`
      : undefined;
  } catch (error) {
    return `${JSON.stringify(pattern)} is not a valid RE2 regular expression (${(error as Error).message}); look-around and back-references are not supported`;
  }
}

/**
 * Why `folder` is not a usable download folder, or `undefined`: an absolute local path (native, or a Windows
 * path with a drive letter or UNC prefix) without `..` segments.
 */
export function downloadFolderProblem(folder: unknown): string | undefined {
  if (typeof folder !== 'string' || folder.trim() === '') {
    return `must be an absolute local folder (got ${describeValue(folder)})`;
  }
  if (folder.includes('\0')) return 'must not contain a NUL character';
  const flavour = flavourOf(folder);
  if (!flavour.isAbsolute(folder) || (flavour.sep === '\\' && !/^([a-zA-Z]:[\\/]|\\\\)/.test(folder))) {
    return `${JSON.stringify(folder)} is relative: give an absolute folder, e.g. path.resolve(${JSON.stringify(folder)})`;
  }
  if (folder.split(/[\\/]/).includes('..')) {
    return `${JSON.stringify(folder)} contains "..": give the folder without climbing up, e.g. path.resolve(${JSON.stringify(folder)})`;
  }
  return undefined;
}

/**
 * A watch rule: remote result paths matching `pattern` (a regular expression in RE2 syntax) are downloaded into
 * `downloadPath`.
 *
 * @example
 * ```ts
 * new WatchFile(`${project.remoteOutputFolder}/.+`, '/downloads/my_results');
 * ```
 */
export class WatchFile {
  /** Regular expression over remote paths, such as `/sample_project/render_results/my_results/.+`. */
  readonly pattern: string;
  /** Local folder the matching files are downloaded into (absolute, native path). */
  readonly downloadPath: string;

  /**
   * A rule downloading remote paths matching `pattern` into the local folder `downloadPath`.
   * @throws {@link InvalidRequestError} when the pattern is not a valid RE2 expression of at most 1,000
   * characters, or the folder is not absolute or contains `..`.
   */
  constructor(pattern: string, downloadPath: string) {
    const problems: FieldError[] = [];
    const patternProblem = watchPatternProblem(pattern);
    if (patternProblem) problems.push({ field: 'pattern', message: patternProblem });
    const folderProblem = downloadFolderProblem(downloadPath);
    if (folderProblem) problems.push({ field: 'downloadPath', message: folderProblem });
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'The watch rule');
    this.pattern = pattern;
    this.downloadPath = downloadPath;
    Object.freeze(this);
  }
}
