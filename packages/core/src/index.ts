/**
 * `@gm/core`: the GridMarkets Envoy client for TypeScript. {@link EnvoyClient} authenticates, discovers products
 * and machines, uploads and submits {@link Project}s of {@link Job}s, and reports status; every failure is a
 * {@link GridMarketsError}.
 *
 * @packageDocumentation
 */
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
export type * from './types.js';

/** Which machine types {@link EnvoyClient.getMachines} lists. */
export const MachineCategory = {
  /** CPU machines. */
  CPU: 'cpu',
  /** GPU machines. */
  GPU: 'gpu',
  /** Every machine type. */
  ALL: 'all',
} as const;

/** One of {@link MachineCategory}'s values: `'cpu'`, `'gpu'` or `'all'`. */
export type MachineCategory = (typeof MachineCategory)[keyof typeof MachineCategory];
