/**
 * `@gm/core`: the GridMarkets Envoy client for TypeScript. {@link EnvoyClient} authenticates, discovers products
 * and machines, uploads and submits {@link Project}s of {@link Job}s, and reports status; every failure is a
 * {@link GridMarketsError}.
 *
 * @packageDocumentation
 */

/** Where Envoy's local service listens unless told otherwise: `http://localhost:8090`. */
export { DEFAULT_ENVOY_URL, redactUrl } from '@gm/transport';
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
  ConnectionError,
  type ErrorRequest,
  type ErrorResponse,
  type FieldError,
  GridMarketsError,
  type GridMarketsErrorOptions,
  InsufficientCreditsError,
  type InsufficientCreditsErrorOptions,
  InvalidRequestError,
  type InvalidRequestErrorOptions,
  RequestRefusedError,
  UnexpectedAnswerError,
  type UnexpectedAnswerErrorOptions,
} from './errors.js';
export {
  countFrames,
  expandFrames,
  type FrameRange,
  FrameRangeError,
  formatFrames,
  normalizeFrames,
  parseFrames,
  validateFrames,
} from './frames.js';
export {
  type CreditsBudget,
  CreditsBudgetAction,
  Job,
  type JobOptions,
  type JobParams,
  MAX_JOB_FRAMES,
} from './models/job.js';
export {
  folderTimestamp,
  MAX_JOBS,
  Project,
  type ProjectOptions,
  submissionTimestamp,
} from './models/project.js';
export { MAX_PATTERN_LENGTH, WatchFile } from './models/watch-file.js';
export {
  type FileNameRules,
  fileNameProblem,
  type PathFlavour,
  projectNameProblem,
  type RemoteFileRules,
  remoteFileProblem,
} from './paths.js';
export { type PluginSpecParts, parsePluginSpec } from './plugins.js';
export { ProductResolver, type ProductTypeInfo, type ProductTypes } from './resolver.js';
export { escapeControls } from './text.js';
export type * from './types.js';
export { downloadFolderProblems, projectProblems, type ValidateFor } from './validate.js';
export {
  compareVersions,
  matchesVersionPrefix,
  sortVersions,
  type VersionToken,
  versionTokens,
} from './versions.js';
export {
  MAX_OUTPUT_FORMAT_LENGTH,
  productOptionWireName,
  resultsPattern,
  type SubmitBodyOptions,
  toSubmitBody,
  toUploadBody,
} from './wire.js';
