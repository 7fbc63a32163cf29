/**
 * Reads Envoy's answers: every one is checked against the contract (status, content type, JSON shape and types)
 * before a caller sees it, and one that differs becomes an {@link UnexpectedAnswerError}. Error answers keep the
 * error class of their status; a malformed body only adds a note. The errors themselves are made by
 * `failures.ts`, loaded with `import()` when an answer is not a success or differs from the contract: a page
 * that only meets good answers never loads it.
 *
 * @module
 */
import {
  type AnswerSpec,
  answerSpec,
  answerStatuses,
  checkAnswer,
  nestsDeeper,
  type OperationId,
} from '@gm/transport';
import { GridMarketsError } from './errors.js';

/** A request as it was sent: method, URL and the body's text, if any. */
export interface SentRequest {
  /** The HTTP method. */
  method: string;
  /** The URL. */
  url: string;
  /** The body as sent, if any. */
  body?: string | undefined;
}

/**
 * `failures.ts`, the module that makes the error of a failed call, loaded on the first failure. Should the load
 * itself fail (a page whose server went away, a bundle missing a chunk), the caller still gets a
 * {@link GridMarketsError} that says so, rather than a bare module-loading error.
 *
 * @param operation - The contract's operation of the call that failed, named in that error.
 */
export async function loadFailures(operation: string): Promise<typeof import('./failures.js')> {
  try {
    return await import('./failures.js');
  } catch (cause) {
    throw new GridMarketsError(
      `${operation} failed, and loading @gm/core's failures.js to describe it failed too (${String(cause)}): reload the page`,
      { cause },
    );
  }
}

/**
 * How an answer differs from the contract before its body's shape is checked: a redirect, no body, another
 * content type, JSON nested too deeply, or no JSON at all. `failures.ts` words each in its message.
 */
export type AnswerFault =
  | { kind: 'redirect'; target: string | null }
  | { kind: 'no body'; media: string }
  | { kind: 'content type'; type: string; media: string }
  | { kind: 'too deep' }
  | { kind: 'not JSON'; reason: string };

/** What {@link readAnswer} needs besides the answer. */
export interface AnswerContext {
  /** The contract's operation of the call. */
  operation: OperationId;
  /** The request as it was sent (its body as the text sent, secrets not yet redacted): what an error describes. */
  sent: SentRequest;
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
  const failures = () => loadFailures(operation);
  const fail = async (fault: AnswerFault, body?: string) =>
    (await failures()).faultyAnswer(context, response, fault, body);
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    response.body?.cancel().catch(() => {});
    throw await fail({ kind: 'redirect', target: response.headers.get('location') });
  }
  const text = await response.text();
  const spec = answerSpec(operation, status) ?? (response.ok ? successSpec(operation) : undefined);
  if (!response.ok) {
    const parsed = text.trim() === '' ? { value: undefined } : parseJson(text);
    throw (await failures()).errorAnswer(context, response, text, parsed, spec);
  }
  const type = response.headers.get('content-type');
  if (spec?.media === undefined) return text === '' ? undefined : text;
  if (text.trim() === '') {
    if (context.emptyBody) return undefined;
    throw await fail({ kind: 'no body', media: spec.media });
  }
  if (spec.media !== 'application/json') return text;
  // A JSON answer may come as text/plain (a server that does not name the type, such as Go's, sniffs JSON as
  // text); any other named type (text/html, ...) is not the contract's.
  if (type !== null && !/^\s*(application\/([\w.+-]*\+)?json|text\/plain)\s*(;|$)/i.test(type)) {
    throw await fail({ kind: 'content type', type, media: spec.media }, text);
  }
  const parsed = parseJson(text);
  if ('kind' in parsed) throw await fail(parsed, text);
  const problem = spec.schema ? checkAnswer(spec.schema, parsed.value) : undefined;
  if (problem) throw (await failures()).differentAnswer(context, response, problem, text);
  return parsed.value;
}

/** The contract's success answer of `operation` (its first 2xx), for a success with another 2xx status. */
function successSpec(operation: OperationId): AnswerSpec | undefined {
  const status = answerStatuses(operation).find((s) => s.startsWith('2'));
  return status === undefined ? undefined : answerSpec(operation, Number(status));
}

/** The parsed JSON of `text`, or what is wrong with it: nested too deeply, or no JSON at all. */
function parseJson(text: string): { value: unknown } | AnswerFault {
  if (nestsDeeper(text)) return { kind: 'too deep' };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { kind: 'not JSON', reason: error instanceof Error ? error.message : String(error) };
  }
}
