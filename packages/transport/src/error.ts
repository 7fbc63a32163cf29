/** The one error the transport throws: no HTTP answer arrived. */
import { redactUrl } from './redact.js';

const BRAND = Symbol.for('@gm/transport.TransportError');

/**
 * A request that got no HTTP answer: Envoy unreachable, connection reset, or timed out.
 * Carries the method, URL, attempt count and the underlying `cause`.
 */
export class TransportError extends Error {
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Full URL of the failed request, with secrets in it redacted. */
  readonly url: string;
  /** How many attempts were made. */
  readonly attempts: number;
  /** Whether the last attempt ran out of time rather than failing outright. */
  readonly timedOut: boolean;
  /** The system error code of the failure when one is known, such as `ECONNREFUSED`, `ENOTFOUND` or `ECONNRESET`. */
  readonly code: string | undefined;

  /** A failed request: its method, URL (redacted here), attempts, whether it timed out, and the cause. */
  constructor(init: { method: string; url: string; attempts: number; timedOut: boolean; cause: unknown }) {
    const url = redactUrl(init.url);
    let base = url;
    try {
      base = new URL(init.url).origin;
    } catch {}
    const what = init.timedOut ? 'timed out' : `failed (${describeCause(init.cause)})`;
    const tries = init.attempts === 1 ? '1 attempt' : `${init.attempts} attempts`;
    super(
      `${init.method} ${url} ${what} after ${tries}. Envoy may not be running at ${base}: start Envoy, or pass the URL it listens on.`,
      { cause: init.cause },
    );
    this.name = 'TransportError';
    this.method = init.method;
    this.url = url;
    this.code = errorCode(init.cause);
    this.attempts = init.attempts;
    this.timedOut = init.timedOut;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof` that also recognises errors from another copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** The first string `code` in the cause chain (undici puts the system error under `cause`). */
function errorCode(cause: unknown): string | undefined {
  for (let e = cause, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeCause(cause: unknown): string {
  const message = redactUrl(cause instanceof Error ? cause.message : String(cause));
  const code = errorCode(cause);
  return code && !message.includes(code) ? `${message}: ${code}` : message;
}

const ANSWER_BRAND = Symbol.for('@gm/transport.AnswerError');

/** Why an {@link AnswerError} was thrown. */
export type AnswerErrorReason = 'too-large' | 'not-a-response' | 'redirected';

/**
 * An answer that arrived but is not taken: its body is larger than `maxAnswerBytes` (`too-large`; reading stopped
 * at the cap), the injected fetch resolved to something that is not a `Response` (`not-a-response`), or that fetch
 * followed a redirect although told not to (`redirected`). Never retried.
 */
export class AnswerError extends Error {
  /** HTTP method of the request. */
  readonly method: string;
  /** Full URL of the request, with secrets in it redacted. */
  readonly url: string;
  /** HTTP status of the answer; 0 when there is none. */
  readonly status: number;
  /** Why the answer is not taken. */
  readonly reason: AnswerErrorReason;
  /** The size cap in bytes, for `too-large`. */
  readonly limit: number | undefined;

  /** An answer not taken: the request, its status, the reason and (for `too-large`) the cap. */
  constructor(init: {
    method: string;
    url: string;
    status: number;
    reason: AnswerErrorReason;
    limit?: number;
    detail?: string;
  }) {
    const url = redactUrl(init.url);
    const what =
      init.reason === 'too-large'
        ? `answered ${init.status} with a body larger than ${init.limit} bytes (maxAnswerBytes); reading stopped there`
        : init.reason === 'redirected'
          ? `was redirected${init.detail ? ` to ${redactUrl(init.detail)}` : ''} by the fetch function given, which must not follow redirects`
          : `got no Response from the fetch function given (it resolved to ${init.detail ?? 'something else'})`;
    super(`${init.method} ${url} ${what}.`);
    this.name = 'AnswerError';
    this.method = init.method;
    this.url = url;
    this.status = init.status;
    this.reason = init.reason;
    this.limit = init.limit;
    Object.defineProperty(this, ANSWER_BRAND, { value: true });
  }

  /** `instanceof` that also recognises errors from another copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ANSWER_BRAND] === true
    );
  }
}
