/**
 * The errors of `@gm/core`: one base class and its kinds. What an answer or a failure to get one becomes is
 * `failures.ts`'s, loaded when one happens.
 *
 * `instanceof` works across two installed copies of this package: every instance carries a brand per class
 * of its chain (`Symbol.for('@gm/core.<ClassName>')`), and each class checks its brand.
 */

import { redactUrl } from '@gm/transport';

/** One problem with one field, from the service or from local validation. */
export interface FieldError {
  /** Path of the field, such as `jobs[0].instances` or `project_request.jobs[0].app_version`. */
  field: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** The request an error belongs to, with secrets redacted. */
export interface ErrorRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Full URL. */
  url: string;
  /** The body sent, as JSON, with access keys and passwords replaced by `[REDACTED]`; absent when there was none. */
  body?: unknown;
}

/** The answer an error belongs to, when one arrived, with secrets redacted. */
export interface ErrorResponse {
  /** HTTP status. */
  status: number;
  /** The answer's headers (lower-case names). */
  headers: Record<string, string>;
  /** The body: parsed JSON, text, or undefined. */
  body: unknown;
}

/** Options every error accepts. */
export interface GridMarketsErrorOptions {
  /** HTTP status of the answer; 0 when none arrived (or the error was found before sending). */
  status?: number;
  /** The underlying error. */
  cause?: unknown;
  /** The request, if one was made. */
  request?: ErrorRequest;
  /** The answer, if one arrived. */
  response?: ErrorResponse;
}

function brandOf(name: string): symbol {
  return Symbol.for(`@gm/core.${name}`);
}

function mark(target: object, name: string): void {
  Object.defineProperty(target, brandOf(name), { value: true, enumerable: false });
}

function hasBrand(cls: { brand?: symbol }, value: unknown): boolean {
  // A user's own subclass (without its own brand) falls back to the ordinary prototype check.
  if (!Object.hasOwn(cls, 'brand') || cls.brand === undefined) {
    return Function.prototype[Symbol.hasInstance].call(cls, value);
  }
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[cls.brand] === true
  );
}

/** The base of every error `@gm/core` throws. */
export class GridMarketsError extends Error {
  /** The brand that `instanceof` checks. */
  static readonly brand: symbol = brandOf('GridMarketsError');
  /** HTTP status of the answer; 0 for network failures and local validation. */
  readonly status: number;
  /** The request (method, URL and body, secrets redacted), when one was made. */
  readonly request: ErrorRequest | undefined;
  /** The answer (status, headers and body, secrets redacted), when one arrived. */
  readonly response: ErrorResponse | undefined;

  /** An error with `message`, the HTTP status (default 0), the request (redacted) and the cause. */
  constructor(message: string, options: GridMarketsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GridMarketsError';
    this.status = options.status ?? 0;
    const request = options.request;
    this.request = request
      ? {
          method: request.method.toUpperCase(),
          url: redactUrl(request.url),
          ...(request.body === undefined ? {} : { body: request.body }),
        }
      : undefined;
    this.response = options.response;
    mark(this, 'GridMarketsError');
  }

  /** `instanceof` that also recognises errors from another copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` asks about, a subclass included.
    return hasBrand(this, value);
  }

  /** A plain form for logs: name, message, status, request, response and the kind's own fields. Never holds secrets. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      request: this.request,
      response: this.response,
    };
  }
}

/** The credentials are wrong, missing, or do not belong to the user logged in to Envoy. */
export class AuthenticationError extends GridMarketsError {
  /** The brand that `instanceof` checks. */
  static override readonly brand: symbol = brandOf('AuthenticationError');
  /** An authentication failure with `message`. */
  constructor(message: string, options: GridMarketsErrorOptions = {}) {
    super(message, options);
    this.name = 'AuthenticationError';
    mark(this, 'AuthenticationError');
  }
}

/** Options of {@link InsufficientCreditsError}. */
export interface InsufficientCreditsErrorOptions extends GridMarketsErrorOptions {
  /** Credits left, when known. */
  creditsAvailable?: number;
  /** Credits the request needs at least, when known. */
  creditsRequired?: number;
}

/** The account's credits are not positive, or too few for the request. */
export class InsufficientCreditsError extends GridMarketsError {
  /** The brand that `instanceof` checks. */
  static override readonly brand: symbol = brandOf('InsufficientCreditsError');
  /** Credits left, when known. */
  readonly creditsAvailable: number | undefined;
  /** Credits the request needs at least, when known. */
  readonly creditsRequired: number | undefined;
  /** A credits failure with `message` and, when known, the credits available and required. */
  constructor(message: string, options: InsufficientCreditsErrorOptions = {}) {
    super(message, options);
    this.name = 'InsufficientCreditsError';
    this.creditsAvailable = options.creditsAvailable;
    this.creditsRequired = options.creditsRequired;
    mark(this, 'InsufficientCreditsError');
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      creditsAvailable: this.creditsAvailable,
      creditsRequired: this.creditsRequired,
    };
  }
}

/** Options of {@link InvalidRequestError}. */
export interface InvalidRequestErrorOptions extends GridMarketsErrorOptions {
  /** Every problem, by field. */
  fieldErrors?: FieldError[];
}

/** The request (a job, a project, a file, a query) is invalid; {@link InvalidRequestError.fieldErrors} lists every problem. */
export class InvalidRequestError extends GridMarketsError {
  /** The brand that `instanceof` checks. */
  static override readonly brand: symbol = brandOf('InvalidRequestError');
  /** Every problem, by field. */
  readonly fieldErrors: FieldError[];
  /**
   * An invalid request listing every problem.
   * @param message - the summary; the field errors are appended to it, one per line.
   */
  constructor(message: string, options: InvalidRequestErrorOptions = {}) {
    const fieldErrors = (options.fieldErrors ?? []).map((e) => ({ field: e.field, message: e.message }));
    const lines = fieldErrors.map((e) => (e.field ? `  - ${e.field}: ${e.message}` : `  - ${e.message}`));
    super(lines.length > 0 ? `${message}\n${lines.join('\n')}` : message, options);
    this.name = 'InvalidRequestError';
    this.fieldErrors = fieldErrors;
    mark(this, 'InvalidRequestError');
  }

  /** An error listing `problems`, with a summary that counts them. */
  static fromProblems(problems: FieldError[], what = 'The request'): InvalidRequestError {
    const summary =
      problems.length === 1 ? `${what} has 1 problem:` : `${what} has ${problems.length} problems:`;
    return new InvalidRequestError(summary, { fieldErrors: problems });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), fieldErrors: this.fieldErrors };
  }
}

/** Any other failure of a call to Envoy: not found, service errors, unexpected answers, no answer at all. */
export class APIError extends GridMarketsError {
  /** The brand that `instanceof` checks. */
  static override readonly brand: symbol = brandOf('APIError');
  /** Any other failure with `message`. */
  constructor(message: string, options: GridMarketsErrorOptions = {}) {
    super(message, options);
    this.name = 'APIError';
    mark(this, 'APIError');
  }
}

/** What {@link UnexpectedAnswerError} tells about the answer that differs from the contract. */
export interface UnexpectedAnswerErrorOptions extends GridMarketsErrorOptions {
  /** The contract's operation, such as `getProjectStatus`. */
  operation?: string | undefined;
  /** Where in the body: `$.State`, `$.projects[3].name`; `$` for the whole body; absent when the body was not read. */
  at?: string | undefined;
  /** What the contract says is there, such as `string`. */
  expected?: string | undefined;
  /** What came instead, shown in a few characters (secrets removed, control characters escaped). */
  found?: string | undefined;
}

/**
 * Envoy (or whatever listens on its port) answered something the contract does not allow: a body that is no JSON
 * or of the wrong shape or types, too large or too deeply nested, an unexpected content type, a redirect. The
 * message names the operation, the field, what the contract says and what came, with an excerpt of the body
 * (secrets removed, control characters escaped). A real Envoy newer than this client may answer so: update the
 * client.
 */
export class UnexpectedAnswerError extends APIError {
  /** The brand that `instanceof` checks. */
  static override readonly brand: symbol = brandOf('UnexpectedAnswerError');
  /** The contract's operation, such as `getProjectStatus`, when known. */
  readonly operation: string | undefined;
  /** Where in the body the answer differs (`$.State`), when it was read. */
  readonly at: string | undefined;
  /** What the contract says is there. */
  readonly expected: string | undefined;
  /** What came instead, in a few characters. */
  readonly found: string | undefined;
  /** An answer that differs from the contract, with `message` and where it differs. */
  constructor(message: string, options: UnexpectedAnswerErrorOptions = {}) {
    super(message, options);
    this.name = 'UnexpectedAnswerError';
    this.operation = options.operation;
    this.at = options.at;
    this.expected = options.expected;
    this.found = options.found;
    mark(this, 'UnexpectedAnswerError');
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      operation: this.operation,
      at: this.at,
      expected: this.expected,
      found: this.found,
    };
  }
}

/**
 * The service refused the request for where it comes from or what it is addressed to (403): its `Host` is not an
 * address the service answers on, or it carries a web page's `Origin` that is not allowed. Not a credentials
 * problem: a real Envoy answers wrong credentials with 401 ({@link AuthenticationError}).
 */
export class RequestRefusedError extends APIError {
  /** The brand that `instanceof` checks. */
  static override readonly brand: symbol = brandOf('RequestRefusedError');
  /** A refused request with `message`. */
  constructor(message: string, options: GridMarketsErrorOptions = {}) {
    super(message, options);
    this.name = 'RequestRefusedError';
    mark(this, 'RequestRefusedError');
  }
}

/**
 * No answer came from Envoy: the connection was refused, the host name did not resolve, the connection was reset,
 * or Envoy did not answer in time. `status` is 0 and {@link ConnectionError.code} names the system error when known.
 */
export class ConnectionError extends APIError {
  /** The brand that `instanceof` checks. */
  static override readonly brand: symbol = brandOf('ConnectionError');
  /** The system error code, such as `ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, or `ETIMEDOUT` for a time-out. */
  readonly code: string | undefined;
  /** A failure to get any answer, with `message` and the system error code when known. */
  constructor(message: string, options: GridMarketsErrorOptions & { code?: string | undefined } = {}) {
    super(message, { ...options, status: 0 });
    this.name = 'ConnectionError';
    this.code = options.code;
    mark(this, 'ConnectionError');
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code };
  }
}

const WORD = /[\p{L}\p{N}_]/u;

/**
 * `text` with every occurrence of each secret that stands on its own replaced by `[REDACTED]`, and URL secrets
 * (`user:password@`, `access_key=...`) redacted. An occurrence stands on its own when it is not glued to letters
 * or digits on either side, so that a secret that happens to be a piece of a word (a one-character access key
 * `b` in `problems`) never garbles other text.
 */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    if (!secret) continue;
    const first = WORD.test(secret[0] ?? '');
    const last = WORD.test(secret.at(-1) ?? '');
    let result = '';
    let from = 0;
    for (let at = out.indexOf(secret); at !== -1; at = out.indexOf(secret, at + 1)) {
      if (at < from) continue;
      const before = out[at - 1];
      const after = out.codePointAt(at + secret.length);
      const gluedBefore = first && before !== undefined && WORD.test(before);
      const gluedAfter = last && after !== undefined && WORD.test(String.fromCodePoint(after));
      if (gluedBefore || gluedAfter) continue;
      result += `${out.slice(from, at)}[REDACTED]`;
      from = at + secret.length;
    }
    out = result + out.slice(from);
  }
  return out;
}
