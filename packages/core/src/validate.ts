/**
 * What is checked before sending that only the purpose can tell. Everything else holds by construction: a
 * `Job`, a `WatchFile` and a `Project`'s names are checked once when made and cannot change after, and a
 * project's jobs (their paths, dependencies and count) are checked as they are added. A dependency cycle
 * cannot be built: a job only names jobs made before it.
 */
import { disk } from '#disk';
import type { FieldError } from './errors.js';
import type { Project } from './models/project.js';

/** What is being validated for. */
export interface ValidateFor {
  /** A submission: at least one job is needed. */
  submit?: boolean;
  /** An upload: at least one file is needed. */
  upload?: boolean;
}

/** The problems of sending `project` for `purpose`: no files to upload, a file Envoy refuses, or no jobs to submit. */
export function projectProblems(project: Project, purpose: ValidateFor = {}): FieldError[] {
  const problems: FieldError[] = [];
  if (purpose.upload && project.files.length === 0) {
    problems.push({ field: 'files', message: 'no files to upload: add some with project.addFiles()' });
  }
  // A file of a macOS or Linux folder may hold a `\` (a folder separator to Envoy) or start like a drive (`c:x`).
  for (const file of project.files) {
    if (envoyRefuses(file)) {
      problems.push({
        field: 'files',
        message: `"${file}" holds "\\" or "c:": rename it`,
      });
    }
  }
  if (purpose.submit && project.jobs.length === 0) {
    problems.push({
      field: 'jobs',
      message: 'a submission needs at least one job: add one with project.addJobs()',
    });
  }
  return problems;
}

/**
 * Whether Envoy would misread `file`: it holds a `\` or starts like a drive (`c:`). Tested character by
 * character: a regular expression per file costs several times as much over 100,000 files.
 */
function envoyRefuses(file: string): boolean {
  const second = file.charCodeAt(1);
  if (second === 58) {
    const first = file.charCodeAt(0) | 32; // lower case
    if (first >= 97 && first <= 122) return true;
  }
  return file.includes('\\');
}

/**
 * The download folders of `project` that could never take results, read from the disk where the runtime has one
 * (nothing is read elsewhere): a watch rule's folder, or the default `<localRoot>/gm_results`, that is a file or
 * lies below one. A folder that does not exist yet is fine (it is made). Nothing is downloaded, and nothing
 * checked, with `skipAutoDownload`. `EnvoyClient.submitProject` checks this before sending; tools that send other
 * requests first (a rerun check) call it themselves.
 */
export async function downloadFolderProblems(
  project: Project,
  options: { skipAutoDownload?: boolean } = {},
): Promise<FieldError[]> {
  return disk && options.skipAutoDownload !== true ? disk.downloadFolderProblems(project) : [];
}
