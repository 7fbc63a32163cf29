/**
 * The fetch wrapper behind {@link createTransport}: user agent, timeouts, abort, retries of reads, redacted
 * logging and {@link TransportError}. Internal: not exported from the package's entry.
 *
 * @module
 */
import { version as packageVersion } from '../package.json';
import { AnswerError, TransportError } from './error.js';
import {
  DEFAULT_MAX_ANSWER_BYTES,
  MAX_ANSWER_BYTES,
  MAX_DELAY_MS,
  MAX_RETRIES,
  type RetryOptions,
  type TransportOptions,
} from './options.js';
import { abortableSleep } from './sleep.js';

const SECRET_KEY = /access.?key|password|passwd|secret|token/i;

/**
 * Replaces the values of secret-looking keys (access key, password, token, secret) anywhere in a JSON value.
 *
 * @internal
 */
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

/**
 * `value` when it is a number from `min` to `max` (a whole one with `whole`); a `RangeError` naming the option
 * otherwise: `Infinity` retries would retry a read for ever, `NaN` would silently turn the timeout off.
 */
function inRange(value: unknown, name: string, max: number, whole = false, min = 0): number {
  if (typeof value === 'number' && value >= min && value <= max && (!whole || Number.isInteger(value)))
    return value;
  throw new RangeError(
    `createTransport: options.${name} must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, not ${String(value)}`,
  );
}

function retryPolicy(retries: TransportOptions['retries']): Required<RetryOptions> {
  const given = typeof retries === 'number' ? { count: retries } : (retries ?? {});
  const name = typeof retries === 'number' ? 'retries' : 'retries.count';
  return {
    count: inRange(given.count ?? 2, name, MAX_RETRIES, true),
    minDelayMs: inRange(given.minDelayMs ?? 100, 'retries.minDelayMs', MAX_DELAY_MS),
    maxDelayMs: inRange(given.maxDelayMs ?? 2000, 'retries.maxDelayMs', MAX_DELAY_MS),
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
 * The runtime in the user agent: `node/<version>` (also under Bun and Deno, which report Node's version too),
 * or nothing where there is no `process` (a browser, a plugin panel, a worker), which is never read there.
 */
export function runtimeTag(
  scope: { process?: { versions?: { node?: unknown } } } = globalThis as never,
): string | undefined {
  const version = scope.process?.versions?.node;
  return typeof version === 'string' ? `node/${version}` : undefined;
}

/** Whether `value` can be read as a fetch `Response` (also one of another realm or copy of undici). */
function isResponse(value: unknown): value is Response {
  const r = value as Response | null | undefined;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.status === 'number' &&
    typeof r.headers?.get === 'function' &&
    (r.body === null || typeof r.body?.getReader === 'function')
  );
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The fetch already started and will settle on its own: its rejection is no one's to handle any more.
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The answer with its whole body read into memory: at most `limit` bytes (more throws a `too-large`
 * {@link AnswerError} and stops reading), and no longer than `signal` allows (an abort stops reading even when the
 * body does not heed the signal itself). The time-out thus covers the body, not only the headers.
 */
async function readWhole(
  response: Response,
  limit: number,
  signal: AbortSignal,
  request: { method: string; url: string },
): Promise<Response> {
  const tooLarge = () => new AnswerError({ ...request, status: response.status, reason: 'too-large', limit });
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (response.body === null) return response;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await untilAborted(reader.read(), signal);
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  const { status, statusText, headers } = response;
  // Statuses without a body (204, 205, 304) take none; a 1xx or 0 never gets here with one.
  return new Response(status === 204 || status === 205 || status === 304 ? null : body, {
    status,
    statusText,
    headers,
  });
}

/**
 * Wraps a fetch with Envoy's transport rules: user agent, a time-out of each attempt that covers the whole answer,
 * the caller's abort signal, retries of GETs, a size cap on answers, no redirects, logging hooks with secrets
 * redacted, {@link TransportError} for network failures and {@link AnswerError} for answers not taken.
 */
export function createEnvoyFetch(options: TransportOptions = {}): (request: Request) => Promise<Response> {
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const timeoutMs = inRange(options.timeoutMs ?? 30_000, 'timeoutMs', MAX_DELAY_MS);
  const policy = retryPolicy(options.retries);
  const maxAnswerBytes = inRange(
    options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES,
    'maxAnswerBytes',
    MAX_ANSWER_BYTES,
    true,
    1,
  );
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const userAgent = [options.userAgent, `@gm/transport/${packageVersion}`, runtimeTag()]
    .filter(Boolean)
    .join(' ');

  return async (request: Request): Promise<Response> => {
    const method = request.method.toUpperCase();
    const url = request.url;
    const callerSignal = request.signal;
    const maxAttempts = method === 'GET' || method === 'HEAD' ? policy.count + 1 : 1;
    const headers = new Headers(request.headers);
    headers.set('user-agent', userAgent);
    // The body's bytes, sent again as they are by every attempt (read as text only for the logging hook).
    const bodyBytes = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    let bodyText: string | undefined;
    const loggedBody = () => {
      if (bodyBytes === undefined) return undefined;
      bodyText ??= new TextDecoder().decode(bodyBytes);
      return redactBody(bodyText);
    };

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
      // Never follow a redirect: the body (credentials, for POST /auth) would go to wherever it points.
      const init: RequestInit = { method, headers, signal: controller.signal, redirect: 'manual' };
      if (bodyBytes !== undefined) init.body = bodyBytes;
      options.onRequest?.({ method, url, attempt, body: loggedBody() });
      const started = performance.now();
      const attemptRequest = new Request(url, init);
      // The Request's own signal follows ours through a weak reference, and an injected fetch that only waits
      // on that signal holds nothing alive: keep the Request reachable from our controller while it runs, or
      // a garbage collection in between loses the timeout's abort.
      const keepAlive = () => attemptRequest;
      controller.signal.addEventListener('abort', keepAlive, { once: true });
      let response: Response;
      try {
        const given: unknown = await untilAborted(baseFetch(attemptRequest), controller.signal);
        if (!isResponse(given)) {
          throw new AnswerError({
            method,
            url,
            status: 0,
            reason: 'not-a-response',
            detail: describeValue(given),
          });
        }
        if (given.redirected) {
          await given.body?.cancel().catch(() => {});
          throw new AnswerError({
            method,
            url,
            status: given.status,
            reason: 'redirected',
            detail: given.url,
          });
        }
        options.onResponse?.({
          method,
          url,
          attempt,
          status: given.status,
          durationMs: Math.round(performance.now() - started),
        });
        if (RETRY_STATUS.has(given.status) && attempt < maxAttempts) {
          await given.body?.cancel().catch(() => {});
          response = given;
        } else {
          response = await readWhole(given, maxAnswerBytes, controller.signal, { method, url });
        }
      } catch (error) {
        if (callerSignal.aborted) throw callerSignal.reason;
        if (error instanceof AnswerError) throw error;
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
      if (RETRY_STATUS.has(response.status) && attempt < maxAttempts) {
        await sleep(backoffDelay(attempt, policy, random), callerSignal);
        continue;
      }
      return response;
    }
  };
}

/** A value in a few words, for a message: `{}`, `undefined`, `a string`. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object'
      ? `a ${name}`
      : `an object with keys [${Object.keys(value).slice(0, 5).join(', ')}]`;
  }
  return `a ${typeof value}`;
}
