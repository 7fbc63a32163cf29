/**
 * A watch rule: remote result paths matching `pattern` (a regular expression) are downloaded into `downloadPath`.
 *
 * @example
 * ```ts
 * new WatchFile(`${project.remoteOutputFolder}/.+`, '/downloads/my_results');
 * ```
 */
export class WatchFile {
  /** Regular expression over remote paths, such as `/sample_project/render_results/my_results/.+`. */
  readonly pattern: string;
  /** Local folder the matching files are downloaded into (native path). */
  readonly downloadPath: string;

  /** A rule downloading remote paths matching `pattern` into the local folder `downloadPath`. */
  constructor(pattern: string, downloadPath: string) {
    this.pattern = pattern;
    this.downloadPath = downloadPath;
  }
}
