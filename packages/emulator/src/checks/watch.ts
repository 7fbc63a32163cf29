import { isAbsolute } from 'node:path';
import type { FieldError } from '../contract.js';
import { climbsOut } from '../downloads.js';
import { compileWatchPattern } from '../names.js';

/**
 * Checks the watch rules of a submit: each pattern RE2 that can be compiled (at most 1,000 characters), with no
 * `..` segment, and each download folder absolute.
 */
export function checkWatchRules(
  watch: Readonly<Record<string, string>> | undefined,
  errors: FieldError[],
): void {
  for (const [pattern, folder] of Object.entries(watch ?? {})) {
    const field = `watch_files[${JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}...` : pattern)}]`;
    const compiled = compileWatchPattern(pattern);
    if ('problem' in compiled) errors.push({ field, message: `the pattern ${compiled.problem}` });
    else if (climbsOut(pattern))
      errors.push({ field, message: `${pattern} holds a .. segment: its matches would leave ${folder}` });
    if (!isAbsolute(folder))
      errors.push({ field, message: `download folder ${folder} must be an absolute path` });
  }
}
