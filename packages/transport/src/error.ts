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
