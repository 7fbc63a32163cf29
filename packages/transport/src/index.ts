/**
 * `@gm/transport`: the typed HTTP layer between a client and the GridMarkets Envoy local service.
 *
 * The types come from `openapi/envoy.yaml` (generated into `src/generated/`); the client is openapi-fetch with
 * a base URL, per-request timeouts, abort signals, retries of idempotent reads, redacted logging hooks and one
 * {@link TransportError} for every network failure. It never throws on an HTTP status.
 *
 * @packageDocumentation
 */
import openapiFetch, { type Client } from 'openapi-fetch';
import { version as packageVersion } from '../package.json';
import type { paths } from './generated/envoy.js';

export type * from './generated/envoy.js';

// openapi-fetch's CommonJS build sets `exports.default`, which Node-style interop (our CJS build) hands over as
// the whole module object; the ESM build gives the function itself. Take the function in both.
const createClient: typeof openapiFetch =
  typeof openapiFetch === 'function'
    ? openapiFetch
    : (openapiFetch as unknown as { default: typeof openapiFetch }).default;

/** The version of this package. */
export const TRANSPORT_VERSION: string = packageVersion;

/** Where Envoy's local service listens unless told otherwise. */
export const DEFAULT_ENVOY_URL = 'http://localhost:8090';

/** The typed openapi-fetch client for every Envoy path: `GET`, `POST`, ... each return `{ data, error, response }`. */
export type EnvoyTransport = Client<paths>;

/** Retry policy for idempotent reads (GET). POSTs are never retried. */
export interface RetryOptions {
  /** Retries after the first attempt; 0 disables retrying. Default 2. */
  count?: number;
  /** Delay before the first retry, in milliseconds; doubled on each further retry. Default 100. */
  minDelayMs?: number;
  /** Upper bound of one delay, in milliseconds. Default 2000. */
  maxDelayMs?: number;
}

/** What a logging hook is told before a request is sent. Secrets in the body are already redacted. */
export interface RequestLog {
  /** HTTP method, upper case. */
  method: string;
  /** Full URL. */
  url: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  /** The request body as text with access keys and passwords replaced by `[REDACTED]`; undefined when there is none. */
  body: string | undefined;
}

/** What a logging hook is told when an answer arrives. */
export interface ResponseLog {
  /** HTTP method, upper case. */
  method: string;
  /** Full URL. */
  url: string;
  /** Which attempt this answer belongs to. */
  attempt: number;
  /** HTTP status. */
  status: number;
  /** Time from sending to the answer's headers, in milliseconds. */
  durationMs: number;
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /** Envoy's base URL. Default `http://localhost:8090`. */
  baseUrl?: string;
  /** The fetch to use; default `globalThis.fetch`. Tests inject one. */
  fetch?: (request: Request) => Promise<Response>;
  /** Time limit of one attempt, in milliseconds; 0 disables it. Default 30000. */
  timeoutMs?: number;
  /** Retries of GETs on network errors and 502/503/504: a count, or a full policy. */
  retries?: number | RetryOptions;
  /** Prepended to the user agent, such as `@gm/core/0.1.0`. */
  userAgent?: string;
  /** Called before every attempt, with secrets redacted. Must not throw. */
  onRequest?: (log: RequestLog) => void;
  /** Called after every answer. Must not throw. */
  onResponse?: (log: ResponseLog) => void;
  /** Waits between retries; injected by tests. Default a timer that honours the request's signal. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  /** Random number in [0, 1) for backoff jitter; injected by tests. Default `Math.random`. */
  random?: () => number;
}

const BRAND = Symbol.for('@gm/transport.TransportError');

/**
 * A request that got no HTTP answer: Envoy unreachable, connection reset, or timed out.
 * Carries the method, URL, attempt count and the underlying `cause`.
 */
export class TransportError extends Error {
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Full URL of the failed request. */
  readonly url: string;
  /** How many attempts were made. */
  readonly attempts: number;
  /** Whether the last attempt ran out of time rather than failing outright. */
  readonly timedOut: boolean;

  constructor(init: { method: string; url: string; attempts: number; timedOut: boolean; cause: unknown }) {
    const base = new URL(init.url).origin;
    const what = init.timedOut ? 'timed out' : `failed (${describeCause(init.cause)})`;
    const tries = init.attempts === 1 ? '1 attempt' : `${init.attempts} attempts`;
    super(
      `${init.method} ${init.url} ${what} after ${tries}. Envoy may not be running at ${base}: start Envoy, or pass the URL it listens on.`,
      { cause: init.cause },
    );
    this.name = 'TransportError';
    this.method = init.method;
    this.url = init.url;
    this.attempts = init.attempts;
    this.timedOut = init.timedOut;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof` that also recognises errors from another copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    const code = inner && typeof inner === 'object' && 'code' in inner ? String(inner.code) : undefined;
    return code ? `${cause.message}: ${code}` : cause.message;
  }
  return String(cause);
}

const SECRET_KEY = /access.?key|password|passwd|secret|token/i;

/** Replaces the values of secret-looking keys (access key, password, token, secret) anywhere in a JSON value. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        SECRET_KEY.test(key) && item !== undefined && item !== null ? '[REDACTED]' : redactSecrets(item);
    }
    return out as T;
  }
  return value;
}

/** Redacts a request body given as text: JSON bodies lose their secrets; other text is kept only when short and secret-free. */
export function redactBody(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.stringify(redactSecrets(JSON.parse(text)));
  } catch {
    return SECRET_KEY.test(text) ? '[REDACTED]' : text;
  }
}

const RETRY_STATUS = new Set([502, 503, 504]);

function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function retryPolicy(retries: TransportOptions['retries']): Required<RetryOptions> {
  const given = typeof retries === 'number' ? { count: retries } : (retries ?? {});
  return {
    count: Math.max(0, Math.floor(given.count ?? 2)),
    minDelayMs: Math.max(0, given.minDelayMs ?? 100),
    maxDelayMs: Math.max(0, given.maxDelayMs ?? 2000),
  };
}

/**
 * The delay before retry number `retry` (1-based): exponential from `minDelayMs`, capped at `maxDelayMs`,
 * with "equal jitter" (between half and all of it).
 */
export function backoffDelay(
  retry: number,
  policy: RetryOptions,
  random: () => number = Math.random,
): number {
  const { minDelayMs, maxDelayMs } = retryPolicy(policy);
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Wraps a fetch with Envoy's transport rules: user agent, per-attempt timeout, caller's abort signal,
 * retries of GETs, logging hooks with secrets redacted, and {@link TransportError} for network failures.
 */
export function createEnvoyFetch(options: TransportOptions = {}): (request: Request) => Promise<Response> {
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const policy = retryPolicy(options.retries);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const userAgent = [options.userAgent, `@gm/transport/${packageVersion}`, `node/${process.versions.node}`]
    .filter(Boolean)
    .join(' ');

  return async (request: Request): Promise<Response> => {
    const method = request.method.toUpperCase();
    const url = request.url;
    const callerSignal = request.signal;
    const maxAttempts = method === 'GET' || method === 'HEAD' ? policy.count + 1 : 1;
    const headers = new Headers(request.headers);
    headers.set('user-agent', userAgent);
    const bodyText = request.body ? await request.text() : undefined;

    for (let attempt = 1; ; attempt++) {
      // One controller per attempt, aborted by our timer or by the caller's signal.
      const controller = new AbortController();
      let timedOut = false;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              timedOut = true;
              controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
            }, timeoutMs)
          : undefined;
      const onCallerAbort = () => controller.abort(callerSignal.reason);
      if (callerSignal.aborted) onCallerAbort();
      else callerSignal.addEventListener('abort', onCallerAbort, { once: true });
      const init: RequestInit = { method, headers, signal: controller.signal };
      if (bodyText !== undefined) init.body = bodyText;
      options.onRequest?.({ method, url, attempt, body: redactBody(bodyText) });
      const started = performance.now();
      const attemptRequest = new Request(url, init);
      // The Request's own signal follows ours through a weak reference, and an injected fetch that only waits
      // on that signal holds nothing alive: keep the Request reachable from our controller while it runs, or
      // a garbage collection in between loses the timeout's abort.
      const keepAlive = () => attemptRequest;
      controller.signal.addEventListener('abort', keepAlive, { once: true });
      let response: Response;
      try {
        response = await baseFetch(attemptRequest);
      } catch (error) {
        if (callerSignal.aborted) throw callerSignal.reason;
        if (attempt < maxAttempts) {
          await sleep(backoffDelay(attempt, policy, random), callerSignal);
          continue;
        }
        throw new TransportError({ method, url, attempts: attempt, timedOut, cause: error });
      } finally {
        clearTimeout(timer);
        callerSignal.removeEventListener('abort', onCallerAbort);
        controller.signal.removeEventListener('abort', keepAlive);
      }
      options.onResponse?.({
        method,
        url,
        attempt,
        status: response.status,
        durationMs: Math.round(performance.now() - started),
      });
      if (RETRY_STATUS.has(response.status) && attempt < maxAttempts) {
        await response.body?.cancel().catch(() => {});
        await sleep(backoffDelay(attempt, policy, random), callerSignal);
        continue;
      }
      return response;
    }
  };
}

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
