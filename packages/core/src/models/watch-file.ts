import { re2Problem } from '#platform';
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
  const syntax = re2Problem ? re2Problem(pattern) : perlOnlyProblem(pattern);
  if (syntax) return re2Message(pattern, syntax);
  return pattern.split(/\/|\\\\/).some((s) => s.replace(/\\\./g, '.') === '..')
    ? `${JSON.stringify(pattern)} holds a ".." segment: its matches would leave the download folder`
    : undefined;
}

function re2Message(pattern: string, problem: string): string {
  return `${JSON.stringify(pattern)} is not a valid RE2 regular expression (${problem}); look-around and back-references are not supported`;
}

/**
 * Without the RE2 engine at hand (a browser page, until a submit): what RE2 never takes, found by a scan of the
 * pattern, in RE2's words: look-around (`(?=`, `(?!`, `(?<=`, `(?<!`), back-references (`\1`, `\k<name>`,
 * `(?P=name)`). Escapes, `\Q...\E` and character classes are read as RE2 reads them. The engine's full check
 * follows before anything is sent ({@link re2PatternProblems}).
 *
 * @internal Exported for the tests, which hold it to RE2's own verdicts.
 */
export function perlOnlyProblem(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        if (end < 0) return undefined;
        i = end + 1;
        continue;
      }
      if (
        next === 'k' ||
        next === '8' ||
        next === '9' ||
        (/[1-7]/.test(next) && !/[0-7]/.test(pattern[i + 2] ?? ''))
      ) {
        return `invalid escape sequence: \`\\${next}\``;
      }
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      // A `]` first in a class (after `^`) is a literal one.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '(' && pattern[i + 1] === '?') {
      const head = /^(=|!|<=|<!|P=)/.exec(pattern.slice(i + 2, i + 4));
      if (head) return `invalid or unsupported Perl syntax: \`(?${head[1]}\``;
    }
  }
  return undefined;
}

/**
 * RE2's verdict on watch rules' patterns, as `watchFiles[i].pattern` problems: none where the engine already
 * checked each rule when it was made (Node); elsewhere the engine (re2js) is loaded now, when there are rules to
 * check, and not before, so that a page that submits without watch rules never loads it.
 */
export async function re2PatternProblems(rules: readonly WatchFile[]): Promise<FieldError[]> {
  if (re2Problem || rules.length === 0) return [];
  const { RE2JS } = await import('re2js');
  const problems: FieldError[] = [];
  rules.forEach((rule, i) => {
    try {
      RE2JS.compile(rule.pattern);
    } catch (error) {
      problems.push({
        field: `watchFiles[${i}].pattern`,
        message: re2Message(rule.pattern, (error as Error).message),
      });
    }
  });
  return problems;
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
