/**
 * `@gm/transport`: the typed HTTP layer between a client and the GridMarkets Envoy local service.
 *
 * The types come from `openapi/envoy.yaml` (generated into `src/generated/`); the client is openapi-fetch with
 * a base URL, time-outs that cover the whole answer, a size cap on answers, no redirects, abort signals, retries
 * of idempotent reads, redacted logging hooks, one {@link TransportError} for every network failure and one
 * {@link AnswerError} for an answer not taken. It never throws on an HTTP status. {@link checkAnswer} checks a
 * body against the contract's schema of its answer ({@link answerSpec}), generated from the contract too.
 *
 * @packageDocumentation
 */
import openapiFetch, { type Client } from 'openapi-fetch';
import { createEnvoyFetch } from './fetch.js';
import type { paths } from './generated/envoy.js';
import type { TransportOptions } from './options.js';

export {
  ANSWERS,
  type AnswerProblem,
  type AnswerSchema,
  type AnswerSpec,
  type AnswerTable,
  answerSpec,
  answerStatuses,
  checkAnswer,
  MAX_ANSWER_DEPTH,
  nestsDeeper,
  type OperationId,
  operationRoute,
} from './answers.js';
export { AnswerError, type AnswerErrorReason, TransportError } from './error.js';
export { redactSecrets } from './fetch.js';
// The generated wire types, by name. Schemas whose names core gives to its own, different types (`FieldError`,
// `CreditsBudget`, `JobParams`) stay reachable as `components['schemas'][...]` only, so that no two public types
// of the client packages share one name.
export type {
  AuthRequest,
  AuthResult,
  CreditsInfo,
  components,
  ErrorBody,
  FileStatus,
  InsufficientCreditsBody,
  JobAlert,
  JobRequest,
  JobStatus,
  Machine,
  operations,
  ProductVersion,
  ProjectFiles,
  ProjectList,
  ProjectParams,
  ProjectRequest,
  ProjectStatus,
  ProjectSummary,
  paths,
  RemoteFile,
  Speed,
  SubmitRequest,
  SubmitResult,
  UploadRequest,
  UploadResult,
  UploadSet,
  UserInfo,
  UserInfoResponse,
  ValidationErrorBody,
} from './generated/envoy.js';
export type { RequestLog, ResponseLog, RetryOptions, TransportOptions } from './options.js';
export { DEFAULT_MAX_ANSWER_BYTES, MAX_ANSWER_BYTES, MAX_DELAY_MS, MAX_RETRIES } from './options.js';
export { redactUrl } from './redact.js';
export { abortableSleep } from './sleep.js';

// openapi-fetch's CommonJS build sets `exports.default`, which Node-style interop (our CJS build) hands over as
// the whole module object; the ESM build gives the function itself. Take the function in both.
const createClient: typeof openapiFetch =
  typeof openapiFetch === 'function'
    ? openapiFetch
    : (openapiFetch as unknown as { default: typeof openapiFetch }).default;

/** Where Envoy's local service listens unless told otherwise; the one definition every package uses. */
export const DEFAULT_ENVOY_URL = 'http://localhost:8090';

/** The typed openapi-fetch client for every Envoy path: `GET`, `POST`, ... each return `{ data, error, response }`. */
export type EnvoyTransport = Client<paths>;

/**
 * Creates the typed Envoy transport.
 *
 * @example
 * ```ts
 * const envoy = createTransport({ baseUrl: 'http://localhost:8090', timeoutMs: 10_000 });
 * const { data, error, response } = await envoy.GET('/credits-info');
 * ```
 */
export function createTransport(options: TransportOptions = {}): EnvoyTransport {
  const baseUrl = (options.baseUrl ?? DEFAULT_ENVOY_URL).replace(/\/+$/, '');
  return createClient<paths>({ baseUrl, fetch: createEnvoyFetch(options) });
}
