/**
 * `@gm/core`: the GridMarkets Envoy client for TypeScript. {@link EnvoyClient} authenticates, discovers products
 * and machines, uploads and submits {@link Project}s of {@link Job}s, and reports status; every failure is a
 * {@link GridMarketsError}.
 *
 * @packageDocumentation
 */

export {
  EnvoyClient,
  type EnvoyClientOptions,
  FINAL_PROJECT_STATES,
  type GetMachinesOptions,
  isFinalStatus,
  MachineCategory,
  type SubmitProjectOptions,
  type WatchProjectStatusOptions,
} from './client.js';
export {
  APIError,
  AuthenticationError,
  type ErrorRequest,
  type FieldError,
  GridMarketsError,
  type GridMarketsErrorOptions,
  InsufficientCreditsError,
  type InsufficientCreditsErrorOptions,
  InvalidRequestError,
  type InvalidRequestErrorOptions,
} from './errors.js';
export {
  type CreditsBudget,
  CreditsBudgetAction,
  Job,
  type JobOptions,
  type JobParams,
} from './models/job.js';
export { Project, type ProjectOptions } from './models/project.js';
export { WatchFile } from './models/watch-file.js';
export { ProductResolver, type ProductTypeInfo, type ProductTypes } from './resolver.js';
export type * from './types.js';
export { projectProblems, type ValidateFor } from './validate.js';
export { compareVersions, sortVersions } from './versions.js';
export {
  type WalkEntry,
  type WalkFs,
  type WalkOptions,
  type WalkProblem,
  type WalkResult,
  walkFolder,
} from './walk.js';
export { type SubmitBodyOptions, toSubmitBody, toUploadBody } from './wire.js';
