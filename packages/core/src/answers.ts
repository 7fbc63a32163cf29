/**
 * Reads Envoy's answers: every one is checked against the contract (status, content type, JSON shape and types)
 * before a caller sees it, and one that differs becomes an {@link UnexpectedAnswerError}. Error answers keep the
 * error class of their status; a malformed body only adds a note.
 *
 * @module
 */
import {
  type AnswerProblem,
  type AnswerSpec,
  answerSpec,
  answerStatuses,
  checkAnswer,
  MAX_ANSWER_DEPTH,
  nestsDeeper,
  type OperationId,
  operationRoute,
  redactSecrets,
} from '@gm/transport';
import {
  type ErrorRequest,
  errorFromResponse,
  errorResponse,
  type GridMarketsError,
  scrub,
  UnexpectedAnswerError,
} from './errors.js';
import { escapeControls } from './text.js';

/** How much of a body an error message shows. */
const EXCERPT = 200;

/** What {@link readAnswer} needs besides the answer. */
export interface AnswerContext {
  /** The contract's operation of the call. */
  operation: OperationId;
  /** The request, secrets redacted (from the call path). */
  request: ErrorRequest;
  /** Strings never to show (the client's access key or password). */
  secrets: readonly string[];
  /** Envoy's base URL, for the advice in messages. */
  url: string;
  /**
   * Whether a success may come without a body: the answers to `POST /auth` and `POST /project-submit`, which a
   * real Envoy may send empty and which the client does not read.
   */
  emptyBody?: boolean;
}

/**
 * The body of a successful answer as the contract describes it (undefined for an empty body the contract allows);
 * throws the error of an answer that is not a success, and an {@link UnexpectedAnswerError} for an answer that
 * differs from the contract.
 */
export async function readAnswer(response: Response, context: AnswerContext): Promise<unknown> {
  const { operation } = context;
  const status = response.status;
  const route = operationRoute(operation);
  const fail = (what: string, details: Partial<AnswerProblem> & { body?: string; found?: string } = {}) =>
    unexpected(context, status, response.headers, `${route} answered ${status}${what}`, details);
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    response.body?.cancel().catch(() => {});
    const target = response.headers.get('location');
    throw fail(
      `, a redirect${target ? ` to ${target}` : ''}. The client never follows redirects, so nothing was sent there. Use the URL Envoy itself listens on.`,
    );
  }
  const text = await response.text();
  const spec = answerSpec(operation, status) ?? (response.ok ? successSpec(operation) : undefined);
  if (!response.ok) throw errorAnswer(context, response, text, spec);
  const type = response.headers.get('content-type');
  if (spec?.media === undefined) return text === '' ? undefined : text;
  if (text.trim() === '') {
    if (context.emptyBody) return undefined;
    throw fail(` with no body; the contract says ${spec.media}.`);
  }
  if (spec.media !== 'application/json') return text;
  // A JSON answer may come as text/plain (a server that does not name the type, such as Go's, sniffs JSON as
  // text); any other named type (text/html, ...) is not the contract's.
  if (type !== null && !/^\s*(application\/([\w.+-]*\+)?json|text\/plain)\s*(;|$)/i.test(type)) {
    throw fail(` with content type ${type}; the contract says ${spec.media}.`, { body: text });
  }
  const parsed = parseJson(text);
  if (typeof parsed === 'string') throw fail(parsed, { body: text });
  const problem = spec.schema ? checkAnswer(spec.schema, parsed.value) : undefined;
  if (problem) {
    const found = problem.missing ? undefined : shownValue(problem.found, context.secrets);
    const field =
      problem.at === '$' ? 'a body' : `${problem.at.replace(/^\$\.?/, '')}: ${found ?? '(missing)'}`;
    const what = problem.missing
      ? ` without ${problem.at}, which the contract requires (${problem.expected}).`
      : ` with ${problem.at === '$' ? `${found}` : field} at ${problem.at}; the contract says ${problem.expected}.`;
    throw fail(what, { ...problem, found, body: text });
  }
  return parsed.value;
}

/** The contract's success answer of `operation` (its first 2xx), for a success with another 2xx status. */
function successSpec(operation: OperationId): AnswerSpec | undefined {
  const status = answerStatuses(operation).find((s) => s.startsWith('2'));
  return status === undefined ? undefined : answerSpec(operation, Number(status));
}

/** The parsed JSON of `text`, or what is wrong with it: nested too deeply, or no JSON at all. */
function parseJson(text: string): { value: unknown } | string {
  if (nestsDeeper(text))
    return ` with JSON nested deeper than ${MAX_ANSWER_DEPTH} levels; the contract's answers nest a few.`;
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return ` with a body that is not JSON (${error instanceof Error ? error.message : String(error)}); the contract says application/json.`;
  }
}

/** The error of an answer that is not a success: its status's class, with a note when its body is malformed. */
function errorAnswer(
  context: AnswerContext,
  response: Response,
  text: string,
  spec: AnswerSpec | undefined,
): GridMarketsError {
  const parsed = text.trim() === '' ? { value: undefined } : parseJson(text);
  let body: unknown = typeof parsed === 'string' ? text : parsed.value;
  let note: string | undefined;
  if (spec?.media === 'application/json' && spec.schema) {
    const problem = typeof parsed === 'string' ? undefined : checkAnswer(spec.schema, parsed.value);
    if (typeof parsed === 'string' || problem) {
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
    request: context.request,
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

/** The {@link UnexpectedAnswerError} of an answer: the message, where it differs, and advice on what to do. */
function unexpected(
  context: AnswerContext,
  status: number,
  headers: Headers,
  message: string,
  details: Partial<AnswerProblem> & { body?: string; found?: string },
): UnexpectedAnswerError {
  const body = details.body === undefined ? '' : ` Body: ${excerpt(details.body, context.secrets)}`;
  const advice = ` If your Envoy is newer than this client, update the client (@gm/core, gm); otherwise Envoy, or another program listening at ${context.url}, answered wrongly.`;
  return new UnexpectedAnswerError(escapeControls(scrub(`${message}${advice}${body}`, context.secrets)), {
    status,
    request: context.request,
    response: errorResponse(
      status,
      headers,
      details.body === undefined ? undefined : excerpt(details.body, context.secrets),
      context.secrets,
    ),
    operation: context.operation,
    at: details.at,
    expected: details.expected,
    found: details.found,
  });
}
