/**
 * `@gm/core/internal`: helpers the other `@gm` packages share with the core (the checks of plain option values,
 * the way messages describe a value, a job of unchecked options named in the caller's fields, the rule of "inside
 * the project folder"), so each rule lives in one place. Not public API: not covered by
 * semantic versioning, and any of it may change or go in any release. Use the public entry `@gm/core`.
 *
 * @packageDocumentation
 * @internal
 */

export { integerProblem, nonEmptyStringProblem, stringListProblem } from './checks.js';
export { type JobFieldNames, jobFromUnknown } from './models/job.js';
export { describeValue, projectRelative, remoteRelative } from './paths.js';
