import { inspect } from 'node:util';
import { fc, test } from '@fast-check/vitest';
import { TransportError } from '@gm/transport';
import { describe, expect } from 'vitest';
import { scrub } from '../src/errors.js';
import { errorFromResponse, errorFromThrown, fieldErrorsOf } from '../src/failures.js';
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  GridMarketsError,
  InsufficientCreditsError,
  InvalidRequestError,
} from '../src/index.js';

const request = { method: 'post', url: 'http://127.0.0.1:8090/project-submit?access_key=abc' };

describe('errorFromResponse', () => {
  test('401 → AuthenticationError with the plain-text message', () => {
    const error = errorFromResponse({ status: 401, body: 'Invalid credentials', request });
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toBeInstanceOf(GridMarketsError);
    expect(error).not.toBeInstanceOf(APIError);
    expect(error.status).toBe(401);
    expect(error.message).toContain('Invalid credentials');
    expect(error.request).toEqual({
      method: 'POST',
      url: 'http://127.0.0.1:8090/project-submit?access_key=[REDACTED]',
    });
  });

  test('400 → InvalidRequestError listing the field errors', () => {
    const error = errorFromResponse({
      status: 400,
      body: {
        message: 'The request has 2 problems.',
        errors: [
          { field: 'project_request.jobs[0].app_version', message: 'c4d has no version R99' },
          { field: 'project_request.jobs[0].params.instances', message: 'must be at least 1' },
        ],
      },
      request,
    });
    expect(error).toBeInstanceOf(InvalidRequestError);
    const invalid = error as InvalidRequestError;
    expect(invalid.fieldErrors).toHaveLength(2);
    expect(invalid.message).toContain('project_request.jobs[0].app_version: c4d has no version R99');
    expect(invalid.message).toContain('must be at least 1');
  });

  test('400 bodies of other shapes are tolerated', () => {
    expect(fieldErrorsOf({ errors: { name: ['is required', 'too short'], path: 'bad' } })).toEqual([
      { field: 'name', message: 'is required' },
      { field: 'name', message: 'too short' },
      { field: 'path', message: 'bad' },
    ]);
    const error = errorFromResponse({ status: 400, body: 'Bad Request', request }) as InvalidRequestError;
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.fieldErrors).toEqual([]);
    expect(error.message).toContain('Bad Request');
  });

  test('402 → InsufficientCreditsError with the amounts', () => {
    const error = errorFromResponse({
      status: 402,
      body: { message: 'Insufficient credits balance', credits_available: 0, credits_required: 12.5 },
      request,
    }) as InsufficientCreditsError;
    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect(error.creditsAvailable).toBe(0);
    expect(error.creditsRequired).toBe(12.5);
    expect(error.message).toContain('required 12.5');
  });

  test.each([404, 500, 503])('%i → APIError with the status', (status) => {
    const error = errorFromResponse({ status, body: { message: `boom ${status}` }, request });
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(InvalidRequestError);
    expect(error.status).toBe(status);
    expect(error.message).toContain(`boom ${status}`);
  });

  test('secrets echoed by the service are removed from messages', () => {
    const error = errorFromResponse({
      status: 401,
      body: 'no user with key sk-123-secret',
      request,
      secrets: ['sk-123-secret'],
    });
    expect(error.message).not.toContain('sk-123-secret');
    expect(error.message).toContain('[REDACTED]');
  });
});

describe('errorFromThrown', () => {
  test('TransportError → ConnectionError (an APIError) with status 0 naming the URL and telling to start Envoy', () => {
    const cause = new TypeError('fetch failed');
    const error = errorFromThrown(
      new TransportError({
        method: 'GET',
        url: 'http://127.0.0.1:9/products',
        attempts: 3,
        timedOut: false,
        cause,
      }),
    );
    if (!(error instanceof ConnectionError)) throw new Error('not a ConnectionError');
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(0);
    expect(error.message).toContain('http://127.0.0.1:9');
    expect(error.message).toMatch(/Start Envoy/);
    expect(error.cause).toBeInstanceOf(TransportError);
  });

  test.each([
    ['ECONNREFUSED', false, /refused the connection/],
    ['ENOTFOUND', false, /host name does not resolve/],
    ['ECONNRESET', false, /closed the connection without an answer/],
    [undefined, true, /did not answer in time/],
  ] as const)('no answer (%s, timed out %s) says what happened', (code, timedOut, said) => {
    const cause = new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code }) });
    const error = errorFromThrown(
      new TransportError({ method: 'GET', url: 'http://envoy.test:8090/x', attempts: 1, timedOut, cause }),
    );
    if (!(error instanceof ConnectionError)) throw new Error('not a ConnectionError');
    expect(error.message).toMatch(said);
    expect(error.code).toBe(timedOut ? 'ETIMEDOUT' : code);
  });

  test('a local failure (a throwing hook, a bug) is not turned into an Envoy error', () => {
    const bug = new TypeError('cannot read properties of undefined');
    expect(errorFromThrown(bug)).toBe(bug);
    const leaking = errorFromThrown(new RangeError('key sk-1 refused'), ['sk-1']) as Error;
    expect(leaking).not.toBeInstanceOf(GridMarketsError);
    expect(leaking.name).toBe('RangeError');
    expect(leaking.message).toBe('key [REDACTED] refused');
  });

  test('secrets in URLs are redacted in messages and requests', () => {
    const error = errorFromThrown(
      new TransportError({
        method: 'GET',
        url: 'http://user:pa55@envoy.test:8090/x?access_key=k3y&n=1',
        attempts: 1,
        timedOut: false,
        cause: new TypeError('fetch failed'),
      }),
    ) as ConnectionError;
    const shown = [error.message, JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');
    expect(shown).not.toContain('pa55');
    expect(shown).not.toContain('k3y');
    expect(error.request?.url).toBe('http://[REDACTED]@envoy.test:8090/x?access_key=[REDACTED]&n=1');
  });

  test('a GridMarketsError is kept', () => {
    const original = new InvalidRequestError('x');
    expect(errorFromThrown(original)).toBe(original);
  });
});

describe('classes', () => {
  test('instanceof works across copies through the brand', () => {
    // An object built by "another copy": same brands, different prototype.
    const foreign = Object.create(Error.prototype) as object;
    Object.defineProperty(foreign, Symbol.for('@gm/core.GridMarketsError'), { value: true });
    Object.defineProperty(foreign, Symbol.for('@gm/core.AuthenticationError'), { value: true });
    expect(foreign instanceof AuthenticationError).toBe(true);
    expect(foreign instanceof GridMarketsError).toBe(true);
    expect(foreign instanceof InvalidRequestError).toBe(false);
    expect({} instanceof GridMarketsError).toBe(false);
    expect((null as unknown) instanceof GridMarketsError).toBe(false);
  });

  test('user subclasses keep ordinary instanceof', () => {
    class MyError extends AuthenticationError {}
    const mine = new MyError('mine');
    expect(mine).toBeInstanceOf(MyError);
    expect(mine).toBeInstanceOf(AuthenticationError);
    expect(mine).toBeInstanceOf(GridMarketsError);
    expect(new AuthenticationError('other')).not.toBeInstanceOf(MyError);
  });

  test('toJSON, toString and inspect carry the useful fields', () => {
    const error = new InvalidRequestError('The job has 1 problem:', {
      fieldErrors: [{ field: 'name', message: 'is required' }],
      status: 0,
    });
    expect(error.name).toBe('InvalidRequestError');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'InvalidRequestError',
      message: 'The job has 1 problem:\n  - name: is required',
      status: 0,
      fieldErrors: [{ field: 'name', message: 'is required' }],
    });
    expect(String(error)).toContain('InvalidRequestError: The job has 1 problem');
    expect(inspect(error)).toContain('name: is required');
  });
});

describe('redaction', () => {
  test('a secret that is a piece of a word never garbles the word', () => {
    expect(scrub('problems with b', ['b'])).toBe('problems with [REDACTED]');
    expect(scrub('Invalid credentials', ['a'])).toBe('Invalid credentials');
    expect(scrub('key="sk-1", again sk-1.', ['sk-1'])).toBe('key="[REDACTED]", again [REDACTED].');
  });

  const word = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
  const gap = fc.constantFrom(' ', ', ', '"', ': ', '\n', '=', '&', '/');

  test.prop([fc.array(fc.tuple(word, gap), { maxLength: 12 }), word])(
    'text without the secret as a word of its own comes back unchanged',
    (parts, secret) => {
      fc.pre(parts.every(([w]) => w !== secret));
      const text = parts.map(([w, g]) => w + g).join('');
      expect(scrub(text, [secret])).toBe(text);
    },
  );

  test.prop([fc.array(fc.tuple(word, gap, fc.boolean()), { maxLength: 12 }), word])(
    'every occurrence of the secret as a word of its own is redacted, and nothing else changes',
    (parts, secret) => {
      fc.pre(parts.every(([w]) => w !== secret));
      const text = parts.map(([w, g, s]) => (s ? secret + g : '') + w + g).join('');
      const expected = parts.map(([w, g, s]) => (s ? `[REDACTED]${g}` : '') + w + g).join('');
      expect(scrub(text, [secret])).toBe(expected);
    },
  );

  test.prop([
    fc.webUrl({ withQueryParameters: true }),
    fc.stringMatching(/^[A-Za-z0-9]{1,10}$/),
    fc.stringMatching(/^[A-Za-z0-9]{1,10}$/),
  ])('user information and access keys in any URL are redacted in messages', (url, user, key) => {
    const withSecrets = url.replace('://', `://${user}:${key}@`);
    const separator = withSecrets.includes('?') ? '&' : '?';
    const text = `GET ${withSecrets}${separator}access_key=${key} failed`;
    const out = scrub(text);
    expect(out).toContain('://[REDACTED]@');
    expect(out).toContain('access_key=[REDACTED]');
    expect(out.startsWith('GET ')).toBe(true);
    expect(out.endsWith(' failed')).toBe(true);
  });
});
