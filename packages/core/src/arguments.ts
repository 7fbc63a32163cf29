/**
 * Checks of the arguments of {@link EnvoyClient}'s own constructor and methods: each bad argument is a
 * {@link FieldError} naming it, collected before anything is sent.
 *
 * @module
 */
import { MAX_ANSWER_BYTES, MAX_DELAY_MS, MAX_RETRIES, redactUrl } from '@gm/transport';
import type { FieldError } from './errors.js';
import { Project } from './models/project.js';
import { controlCharacterProblem, describeValue, projectNameProblem } from './paths.js';

export { MAX_DELAY_MS, MAX_RETRIES };

/** Problems found so far, by field. */
export type Problems = FieldError[];

/**
 * A short, safe rendering of a value for a message: {@link describeValue} of the value with secrets in URLs
 * redacted first, so that cutting a long text short never leaves part of a password in view.
 */
export function shown(value: unknown): string {
  return describeValue(typeof value === 'string' ? redactUrl(value) : value);
}

/** Whether `value` is an object that is neither null nor an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that `value` is undefined or an options object whose own keys are all in `known`; returns the object
 * (empty when undefined) or undefined when it is not one.
 */
export function optionsObject(
  value: unknown,
  field: string,
  known: readonly string[],
  problems: Problems,
): Record<string, unknown> | undefined {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.push({ field, message: `must be an options object or left out (got ${shown(value)})` });
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      problems.push({
        field: `${field}.${key}`,
        message: `is not an option here; the options are ${known.join(', ')}`,
      });
    }
  }
  return value;
}

/** A non-blank string without control characters or lone surrogates. */
export function checkText(
  value: unknown,
  field: string,
  problems: Problems,
  what = 'a non-empty string',
): void {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, message: `is required: ${what} (got ${shown(value)})` });
  } else {
    const problem = controlCharacterProblem(value);
    if (problem) problems.push({ field, message: problem });
  }
}

/** Undefined, or a non-blank string without control characters. */
export function checkOptionalText(value: unknown, field: string, problems: Problems): void {
  if (value !== undefined) checkText(value, field, problems, 'a non-empty string, or left out');
}

/** Undefined, or a function. */
export function checkOptionalFunction(value: unknown, field: string, problems: Problems): void {
  if (value !== undefined && typeof value !== 'function') {
    problems.push({ field, message: `must be a function or left out (got ${shown(value)})` });
  }
}

/** Undefined, or a boolean. */
export function checkOptionalBoolean(value: unknown, field: string, problems: Problems): void {
  if (value !== undefined && typeof value !== 'boolean') {
    problems.push({ field, message: `must be true, false or left out (got ${shown(value)})` });
  }
}

/** Undefined, or a finite number from `min` to `max` (an integer when `integer`). */
export function checkOptionalNumber(
  value: unknown,
  field: string,
  problems: Problems,
  { min, max, integer = false }: { min: number; max: number; integer?: boolean },
): void {
  if (value === undefined) return;
  const kind = integer ? 'a whole number' : 'a number';
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    problems.push({ field, message: `must be ${kind} from ${min} to ${max} (got ${shown(value)})` });
  } else if (value < min || value > max) {
    problems.push({ field, message: `must be ${kind} from ${min} to ${max} (got ${value})` });
  }
}

/** Undefined, or an `AbortSignal`. */
export function checkOptionalSignal(value: unknown, field: string, problems: Problems): void {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    problems.push({ field, message: `must be an AbortSignal or left out (got ${shown(value)})` });
  }
}

/** A URL's scheme and `//`, such as `http://`. */
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Envoy's URL: an absolute http(s) URL without user name, password, query or fragment. */
export function checkUrl(value: unknown, field: string, problems: Problems): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({
      field,
      message: `must be Envoy's http(s) URL, such as http://localhost:8090 (got ${shown(value)})`,
    });
    return;
  }
  // `me:secret@envoy:8090` has no `//`, so it is no URL with user information, yet it holds a password.
  const safe = shown(SCHEME.test(value) ? value : value.replace(/^[^/?#\s]*@/, '[REDACTED]@'));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push({
      field,
      message: `${safe} is not a URL; give Envoy's http(s) URL, such as http://localhost:8090`,
    });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push({
      field,
      message: `${safe} is not an http(s) URL; give Envoy's URL, such as http://localhost:8090`,
    });
  }
  if (url.username !== '' || url.password !== '') {
    problems.push({
      field,
      message: `${safe} holds a user name or password; Envoy takes none in its URL: pass email and accessKey instead`,
    });
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push({
      field,
      message: `${safe} has a query or fragment; give only Envoy's address, such as http://localhost:8090`,
    });
  }
}

/** A project name to look up: a string that can name a project folder (the rule of {@link Project}'s name). */
export function checkProjectName(value: unknown, field: string, problems: Problems): void {
  if (typeof value !== 'string' || value === '') {
    problems.push({
      field,
      message: `is required: the project name, a non-empty string (got ${shown(value)})`,
    });
    return;
  }
  const problem = projectNameProblem(value);
  if (problem) problems.push({ field, message: `cannot name a project: ${problem}` });
}

/** Whether `value` looks like a {@link Project} (of this or another copy of the package). */
function isProjectLike(value: unknown): value is Project {
  if (value instanceof Project) return true;
  if (!isRecord(value)) return false;
  return (
    typeof value.name === 'string' &&
    typeof value.localRoot === 'string' &&
    typeof value.remoteRoot === 'string' &&
    Array.isArray(value.jobs) &&
    Array.isArray(value.files)
  );
}

export function checkProject(value: unknown, problems: FieldError[]): value is Project {
  if (isProjectLike(value)) return true;
  problems.push({
    field: 'project',
    message: `must be a Project (new Project(folder, options)) (got ${shown(value)})`,
  });
  return false;
}

const CLIENT_OPTIONS = [
  'email',
  'accessKey',
  'url',
  'fetch',
  'timeoutMs',
  'maxAnswerBytes',
  'retries',
  'onRequest',
  'onResponse',
] as const;

/** Every problem of the constructor's options. */
export function clientOptionProblems(options: unknown): FieldError[] {
  const problems: FieldError[] = [];
  const given = optionsObject(options, 'options', CLIENT_OPTIONS, problems);
  if (!given) return problems;
  checkOptionalText(given.email, 'options.email', problems);
  if (given.accessKey !== undefined && (typeof given.accessKey !== 'string' || given.accessKey === '')) {
    problems.push({ field: 'options.accessKey', message: 'must be a non-empty string or left out' });
  }
  checkUrl(given.url, 'options.url', problems);
  checkOptionalFunction(given.fetch, 'options.fetch', problems);
  checkOptionalFunction(given.onRequest, 'options.onRequest', problems);
  checkOptionalFunction(given.onResponse, 'options.onResponse', problems);
  checkOptionalNumber(given.timeoutMs, 'options.timeoutMs', problems, { min: 0, max: MAX_DELAY_MS });
  checkOptionalNumber(given.maxAnswerBytes, 'options.maxAnswerBytes', problems, {
    min: 1,
    max: MAX_ANSWER_BYTES,
    integer: true,
  });
  const retries = given.retries;
  if (typeof retries === 'number' || retries === undefined) {
    checkOptionalNumber(retries, 'options.retries', problems, { min: 0, max: MAX_RETRIES, integer: true });
  } else {
    const policy = optionsObject(retries, 'options.retries', ['count', 'minDelayMs', 'maxDelayMs'], problems);
    if (policy) {
      checkOptionalNumber(policy.count, 'options.retries.count', problems, {
        min: 0,
        max: MAX_RETRIES,
        integer: true,
      });
      for (const key of ['minDelayMs', 'maxDelayMs'] as const) {
        checkOptionalNumber(policy[key], `options.retries.${key}`, problems, { min: 0, max: MAX_DELAY_MS });
      }
    }
  }
  return problems;
}
