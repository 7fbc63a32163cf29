/** The longest delay `setTimeout` keeps (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_DELAY_MS = 2_147_483_647;
/** The most retries of one read a transport (and a client) makes. */
export const MAX_RETRIES = 100;
/**
 * The default cap on the size of one answer's body: 64 MiB. The largest answers are file listings; one of
 * 100,000 files (`GET /project/{name}/Files`) is about 26 MiB with 40-character paths and 57 MiB with
 * 200-character ones.
 */
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** The largest cap `maxAnswerBytes` takes: 1 GiB. */
export const MAX_ANSWER_BYTES = 1024 * 1024 * 1024;

/** Options and logging records of the transport. */

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
  /**
   * Time limit of one attempt, in milliseconds, from sending to the last byte of the answer's body (not only its
   * headers); 0 disables it. Default 30000.
   */
  timeoutMs?: number;
  /**
   * The most bytes one answer's body may have, from 1 to 1 GiB; a larger one is not read past the cap and
   * throws an `AnswerError` (`too-large`). Default {@link DEFAULT_MAX_ANSWER_BYTES} (64 MiB).
   */
  maxAnswerBytes?: number;
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
