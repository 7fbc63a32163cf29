/**
 * What a call that fails becomes: the error of its status (an answer that is not a success), an
 * {@link UnexpectedAnswerError} (an answer that differs from the contract, or is not taken), a
 * {@link ConnectionError} (no answer), with the request and the answer kept on it, secrets removed. The call path
 * (`client.ts`, `answers.ts`) loads this module with `import()` when a call fails, so that a page whose calls
 * succeed never loads it; the checks themselves are all made before, by `answers.ts`. It is loaded from where the
 * page's own scripts come from, not from Envoy: a failure to reach Envoy does not keep it from loading.
 *
 * @module
 */
import {
  AnswerError,
  type AnswerProblem,
  type AnswerSpec,
  checkAnswer,
  MAX_ANSWER_DEPTH,
  nestsDeeper,
  operationRoute,
  redactSecrets,
  redactUrl,
  TransportError,
} from '@gm/transport';
import { describeCause } from '#platform';
import type { AnswerContext, AnswerFault, SentRequest } from './answers.js';
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  type ErrorRequest,
  type ErrorResponse,
  type FieldError,
  GridMarketsError,
  InsufficientCreditsError,
  InvalidRequestError,
  RequestRefusedError,
  scrub,
  UnexpectedAnswerError,
} from './errors.js';
import { escapeControls } from './text.js';
import type { ProjectStatus, SubmitBody } from './types.js';

/** How much of a body an error message shows. */
const EXCERPT = 200;

/**
 * The error of an answer that is not a success: its status's class, with a note when its body is malformed.
 * `parsed`: its body as JSON, or why it is none (`answers.ts` reads it).
 */
export function errorAnswer(
  context: AnswerContext,
  response: Response,
  text: string,
  parsed: { value: unknown } | AnswerFault,
  spec: AnswerSpec | undefined,
): GridMarketsError {
  let body: unknown = 'kind' in parsed ? text : parsed.value;
  let note: string | undefined;
  if (spec?.media === 'application/json' && spec.schema) {
    const problem = 'kind' in parsed ? undefined : checkAnswer(spec.schema, parsed.value);
    if ('kind' in parsed || problem) {
      note = problem
        ? `its body differs from the contract at ${problem.at} (${problem.expected} expected)`
        : 'its body is not the JSON the contract describes';
      body = excerpt(text, context.secrets);
    }
  }
  return errorFromResponse({
    status: response.status,
    body,
    headers: response.headers,
    request: describeRequest(context.sent, context.secrets),
    secrets: context.secrets,
    ...(note ? { note } : {}),
  });
}

/** `text` cut to a few hundred characters, secrets removed, control characters escaped. */
function excerpt(text: string, secrets: readonly string[]): string {
  let clean = text;
  try {
    // A JSON body loses the values of secret-looking keys too (a nested one cannot reach here: it is refused first).
    if (!nestsDeeper(text)) clean = JSON.stringify(redactSecrets(JSON.parse(text)));
  } catch {}
  const short = scrub(clean, secrets);
  return escapeControls(short.length > EXCERPT ? `${short.slice(0, EXCERPT)}…` : short);
}

/** A value in a few characters for a message: `123`, `"Uploading"`, `an object`, `a list of 3`. */
function shownValue(value: unknown, secrets: readonly string[]): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return excerpt(text.length > 60 ? `${text.slice(0, 60)}…` : text, secrets);
}

/**
 * The {@link UnexpectedAnswerError} of an answer whose body differs from the contract at `problem.at`, with the
 * value found there in a few characters.
 */
export function differentAnswer(
  context: AnswerContext,
  response: Response,
  problem: AnswerProblem,
  body: string,
): UnexpectedAnswerError {
  const found = problem.missing ? undefined : shownValue(problem.found, context.secrets);
  const field =
    problem.at === '$' ? 'a body' : `${problem.at.replace(/^\$\.?/, '')}: ${found ?? '(missing)'}`;
  const what = problem.missing
    ? ` without ${problem.at}, which the contract requires (${problem.expected}).`
    : ` with ${problem.at === '$' ? `${found}` : field} at ${problem.at}; the contract says ${problem.expected}.`;
  return unexpectedAnswer(
    context,
    response,
    `${operationRoute(context.operation)} answered ${response.status}${what}`,
    { ...problem, found, body },
  );
}

/** What each {@link AnswerFault} is, in the words that follow "`<route>` answered `<status>`". */
function faultText(fault: AnswerFault): string {
  switch (fault.kind) {
    case 'redirect':
      return `, a redirect${fault.target ? ` to ${fault.target}` : ''}. The client never follows redirects, so nothing was sent there. Use the URL Envoy itself listens on.`;
    case 'no body':
      return ` with no body; the contract says ${fault.media}.`;
    case 'content type':
      return ` with content type ${fault.type}; the contract says ${fault.media}.`;
    case 'too deep':
      return ` with JSON nested deeper than ${MAX_ANSWER_DEPTH} levels; the contract's answers nest a few.`;
    case 'not JSON':
      return ` with a body that is not JSON (${fault.reason}); the contract says application/json.`;
  }
}

/** The {@link UnexpectedAnswerError} of an answer with `fault`, an excerpt of its `body` when it has one. */
export function faultyAnswer(
  context: AnswerContext,
  response: Response,
  fault: AnswerFault,
  body?: string,
): UnexpectedAnswerError {
  return unexpectedAnswer(
    context,
    response,
    `${operationRoute(context.operation)} answered ${response.status}${faultText(fault)}`,
    { body },
  );
}

/** The {@link UnexpectedAnswerError} of an answer: the message, where it differs, and advice on what to do. */
export function unexpectedAnswer(
  context: AnswerContext,
  response: Response,
  message: string,
  details: Partial<AnswerProblem> & { body?: string | undefined; found?: string | undefined },
): UnexpectedAnswerError {
  const body = details.body === undefined ? '' : ` Body: ${excerpt(details.body, context.secrets)}`;
  const advice = ` If your Envoy is newer than this client, update the client (@gm/core, gm); otherwise Envoy, or another program listening at ${context.url}, answered wrongly.`;
  return new UnexpectedAnswerError(escapeControls(scrub(`${message}${advice}${body}`, context.secrets)), {
    status: response.status,
    request: describeRequest(context.sent, context.secrets),
    response: errorResponse(
      response.status,
      response.headers,
      details.body === undefined ? undefined : excerpt(details.body, context.secrets),
      context.secrets,
    ),
    operation: context.operation,
    at: details.at,
    expected: details.expected,
    found: details.found,
  });
}

/** What {@link errorFromResponse} needs to know about an answer. */
export interface ErrorAnswer {
  /** HTTP status. */
  status: number;
  /** The body: parsed JSON, text, or undefined. */
  body: unknown;
  /** The request. */
  request: ErrorRequest;
  /** The answer's headers, kept on the error. */
  headers?: Headers;
  /** Strings to remove from any message (the client's access key and password). */
  secrets?: readonly string[];
  /** A note appended to the message, such as that the body differs from the contract. */
  note?: string;
}

/** `value` with every secret removed from its strings (a JSON round trip); the same value when it holds none. */
function scrubValue(value: unknown, secrets: readonly string[]): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return scrub(value, secrets);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return undefined;
  }
  const clean = scrub(text, secrets);
  if (clean === text) return value;
  try {
    return JSON.parse(clean);
  } catch {
    return clean;
  }
}

/** The answer as kept on an error: status, headers and body, secrets removed. */
export function errorResponse(
  status: number,
  headers: Headers | undefined,
  body: unknown,
  secrets: readonly string[] = [],
): ErrorResponse {
  const kept: Record<string, string> = {};
  headers?.forEach((value, name) => {
    kept[name] = scrub(value, secrets);
  });
  return { status, headers: kept, body: scrubValue(body, secrets) };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The message of an answer's body, whatever its shape. */
function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return str(body.length > 500 ? `${body.slice(0, 500)}…` : body);
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    return str(record.message) ?? str(record.Message) ?? str(record.error) ?? str(record.detail);
  }
  return undefined;
}

/** Field errors from a 400 body: `{errors: [{field, message}]}`, `{errors: {field: message | [messages]}}`, ... */
export function fieldErrorsOf(body: unknown): FieldError[] {
  if (!body || typeof body !== 'object') return [];
  const record = body as Record<string, unknown>;
  const errors = record.errors ?? record.Errors ?? record.fields;
  if (Array.isArray(errors)) {
    return errors.map((item) => {
      if (item && typeof item === 'object') {
        const e = item as Record<string, unknown>;
        return {
          field: str(e.field) ?? str(e.Field) ?? str(e.path) ?? '',
          message: str(e.message) ?? str(e.Message) ?? JSON.stringify(item),
        };
      }
      return { field: '', message: String(item) };
    });
  }
  if (errors && typeof errors === 'object') {
    return Object.entries(errors).flatMap(([field, value]) =>
      (Array.isArray(value) ? value : [value]).map((message) => ({
        field,
        message: typeof message === 'string' ? message : JSON.stringify(message),
      })),
    );
  }
  return [];
}

/** Maps an Envoy answer that is not a success to its error class. */
export function errorFromResponse(answer: ErrorAnswer): GridMarketsError {
  const error = errorOfStatus(answer);
  if (answer.note) error.message = `${error.message} Note: ${answer.note}.`;
  return error;
}

function errorOfStatus(answer: ErrorAnswer): GridMarketsError {
  const { status, body, request } = answer;
  const secrets = answer.secrets ?? [];
  const where = `${request.method.toUpperCase()} ${redactUrl(request.url)}`;
  const said = messageOf(body);
  // Envoy's own words, without secrets and with control characters escaped (a message may reach a terminal).
  const text = (fallback: string) => escapeControls(scrub(said ?? fallback, secrets), true);
  const options = { status, request, response: errorResponse(status, answer.headers, body, secrets) };
  switch (status) {
    case 403: {
      let origin = request.url;
      try {
        origin = new URL(request.url).origin;
      } catch {}
      return new RequestRefusedError(
        `${text('The request was refused')} (${where} answered 403). The service refused the request's Host or Origin, not the credentials: use the URL Envoy listens on exactly (http://127.0.0.1:8090 and http://localhost:8090 are different hosts to it; ${origin} was used), and from a web page, an origin the service allows (the emulator's --allow-origin).`,
        options,
      );
    }
    case 401:
      return new AuthenticationError(
        `${text('Authentication failed')} (${where} answered ${status}). Check the email and access key or password, and that this user is logged in to Envoy.`,
        options,
      );
    case 402: {
      const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
      const creditsAvailable = num(record.credits_available);
      const creditsRequired = num(record.credits_required);
      const detail = [
        creditsAvailable === undefined ? undefined : `available ${creditsAvailable}`,
        creditsRequired === undefined ? undefined : `required ${creditsRequired}`,
      ]
        .filter(Boolean)
        .join(', ');
      return new InsufficientCreditsError(`${text('Insufficient credits')}${detail ? ` (${detail})` : ''}.`, {
        ...options,
        creditsAvailable,
        creditsRequired,
      });
    }
    case 400:
    case 422: {
      const fieldErrors = fieldErrorsOf(body).map((e) => ({
        field: scrub(e.field, secrets),
        message: scrub(e.message, secrets),
      }));
      return new InvalidRequestError(`${text('Invalid request')} (${where} answered ${status})`, {
        ...options,
        fieldErrors,
      });
    }
    default:
      return new APIError(`${text(`Envoy answered ${status}`)} (${where} answered ${status}).`, options);
  }
}

/** `cause` with every secret removed from its message, stack and own causes; the same value when it holds none. */
function scrubCause(cause: unknown, secrets: readonly string[]): unknown {
  const shown = typeof cause === 'string' ? cause : describeCause(cause);
  if (!secrets.some((secret) => secret && shown.includes(secret))) return cause;
  if (!(cause instanceof Error)) return scrub(shown, secrets);
  const copy = new Error(
    scrub(cause.message, secrets),
    cause.cause === undefined ? undefined : { cause: scrubCause(cause.cause, secrets) },
  );
  copy.name = cause.name;
  copy.stack = scrub(cause.stack ?? '', secrets);
  return copy;
}

const NO_ANSWER: Record<string, string> = {
  ECONNREFUSED: 'refused the connection',
  ENOTFOUND: 'could not be found (the host name does not resolve)',
  EAI_AGAIN: 'could not be found (the host name does not resolve)',
  ECONNRESET: 'closed the connection without an answer',
  UND_ERR_SOCKET: 'closed the connection without an answer',
  EPIPE: 'closed the connection without an answer',
  EHOSTUNREACH: 'could not be reached (no route to the host)',
  ENETUNREACH: 'could not be reached (no route to the host)',
};

/**
 * Maps anything thrown while calling Envoy: a `TransportError` (no answer) becomes a {@link ConnectionError}
 * naming the URL and what happened; an `AnswerError` (an answer too large, or no `Response` from the fetch given)
 * an {@link UnexpectedAnswerError} of `operation`; a {@link GridMarketsError} is kept. Anything else is a local failure (a
 * throwing hook, a bug), not Envoy's: it is returned as it is, or as a copy without secrets when it holds any.
 */
export function errorFromThrown(
  error: unknown,
  secrets: readonly string[] = [],
  operation?: string,
): unknown {
  if (error instanceof GridMarketsError) return error;
  if (error instanceof AnswerError) {
    const request = { method: error.method, url: error.url };
    const fix =
      error.reason === 'too-large'
        ? ` A listing that large needs a higher cap (the client option maxAnswerBytes); otherwise Envoy, or something else listening on its port, sent an endless answer.`
        : error.reason === 'redirected'
          ? ' Nothing more was read from it.'
          : ' Pass a fetch that resolves to a Response.';
    return new UnexpectedAnswerError(scrub(`${error.message}${fix}`, secrets), {
      status: error.status,
      request,
      operation,
      cause: error,
    });
  }
  if (error instanceof TransportError) {
    let origin = error.url;
    try {
      origin = new URL(error.url).origin;
    } catch {}
    const code = error.timedOut ? 'ETIMEDOUT' : error.code;
    const what = error.timedOut
      ? 'did not answer in time'
      : ((code && NO_ANSWER[code]) ?? 'could not be reached');
    return new ConnectionError(
      scrub(
        `Envoy at ${origin} ${what} (${error.method} ${error.url}, ${error.attempts} attempt${error.attempts === 1 ? '' : 's'}). Start Envoy, or pass the URL it listens on.`,
        secrets,
      ),
      { cause: scrubCause(error, secrets), request: { method: error.method, url: error.url }, code },
    );
  }
  return scrubCause(error, secrets);
}

/**
 * After a lost answer to a submit (`lost`): resolves when Envoy lists every job of the `body` sent (`status` asks
 * it), else throws a {@link ConnectionError} saying whether the submission arrived, so that a retry never runs
 * and charges the jobs twice. The jobs sent decide, not the project's jobs now: a job added while the submit was
 * under way was not sent.
 */
export async function confirmSubmitted(
  name: string,
  body: SubmitBody,
  lost: ConnectionError,
  status: () => Promise<ProjectStatus>,
): Promise<void> {
  const ids = body.project_request.jobs.map((job) => job.id);
  const request = lost.request;
  let answer: ProjectStatus;
  try {
    answer = await status();
  } catch (error) {
    if (!(error instanceof APIError) || error.status !== 404) {
      throw new ConnectionError(
        `The answer to the submission of project "${name}" was lost (${lost.message}), and Envoy could not be asked whether it arrived. Check with getProjectStatus("${name}") (gm status ${name}) before submitting again: a second submission may run and charge the jobs twice.`,
        { cause: lost, request, code: lost.code },
      );
    }
    answer = {};
  }
  const known = new Set((answer.Jobs ?? []).map((job) => job.Id));
  if (ids.length > 0 && ids.every((id) => known.has(id))) return;
  if (lost.code === 'ETIMEDOUT') {
    // Envoy may still be working on a request it did not answer in time.
    throw new ConnectionError(
      `Envoy did not answer the submission of project "${name}" in time (${lost.message}) and does not list its jobs yet. Check with getProjectStatus("${name}") (gm status ${name}) in a moment before submitting again: a second submission may run and charge the jobs twice.`,
      { cause: lost, request, code: lost.code },
    );
  }
  throw new ConnectionError(
    `The answer to the submission of project "${name}" was lost (${lost.message}). Envoy does not list its jobs, so the submission did not arrive and nothing was charged: submit it again.`,
    { cause: lost, request, code: lost.code },
  );
}

/** No credentials to log in with: none given to the client, nor to `authenticate`. */
export function noCredentials(): AuthenticationError {
  return new AuthenticationError(
    'No credentials: pass { email, accessKey } to new EnvoyClient(), or call authenticate(email, password).',
  );
}

/** The account's credits are not positive: `available`, as `GET /credits-info` of the Envoy at `url` said. */
export function noCredits(available: number, url: string): InsufficientCreditsError {
  return new InsufficientCreditsError(
    `Insufficient credits: ${Number.isFinite(available) ? available : 'no'} credits available. Top up the account to submit.`,
    {
      creditsAvailable: Number.isFinite(available) ? available : undefined,
      request: { method: 'GET', url: `${url}/credits-info` },
    },
  );
}

/** Envoy at `url` answered `GET /user-info` for another account than `email`'s. */
export function otherAccount(email: string, url: string): AuthenticationError {
  return new AuthenticationError(
    `Envoy answered for another account than ${email}: another program logged Envoy in as someone else during the call. Try again.`,
    { status: 200, request: { method: 'GET', url: `${url}/user-info` } },
  );
}

/** The request an error keeps: method, URL and the body sent, secrets redacted. */
function describeRequest(sent: SentRequest, secrets: readonly string[]): ErrorRequest {
  let body: unknown;
  if (sent.body !== undefined && sent.body !== '') {
    try {
      body = redactSecrets(JSON.parse(sent.body));
    } catch {
      body = scrub(sent.body, secrets);
    }
  }
  return { method: sent.method, url: sent.url, ...(body === undefined ? {} : { body }) };
}
