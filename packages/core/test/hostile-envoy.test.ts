/**
 * Every public method of EnvoyClient that talks to Envoy, against a broken or hostile Envoy: each gets a typed
 * error within the time-out, reads no more than the size cap, and follows no redirect.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  AuthenticationError,
  ConnectionError,
  EnvoyClient,
  type Project,
  RequestRefusedError,
  UnexpectedAnswerError,
} from '../src/index.js';
import { c4dProject, SECRET_KEY } from './helpers.js';
import { type Hostility, startHostileEnvoy } from './hostile-envoy.js';

const EMAIL = 'artist@studio.example';
const CAP = 1024 * 1024;
const TIMEOUT = 800;

let base: string;
let project: Project;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'gm-hostile-'));
  project = await c4dProject(base, 'shot', '1 2');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

function client(url: string): EnvoyClient {
  return new EnvoyClient({
    url,
    email: EMAIL,
    accessKey: SECRET_KEY,
    timeoutMs: TIMEOUT,
    retries: 0,
    maxAnswerBytes: CAP,
  });
}

/** Every public method that talks to Envoy, as one call each. */
const METHODS: [string, (c: EnvoyClient) => Promise<unknown>][] = [
  ['validateAuth', (c) => c.validateAuth()],
  ['getCreditsInfo', (c) => c.getCreditsInfo()],
  ['validateCredits', (c) => c.validateCredits()],
  ['getUserInfo', (c) => c.getUserInfo()],
  ['getProductResolver', (c) => c.getProductResolver()],
  ['getMachines', (c) => c.getMachines('c4d', 'render')],
  ['uploadProjectFiles', (c) => c.uploadProjectFiles(project)],
  ['submitProject', (c) => c.submitProject(project)],
  ['getProjectStatus', (c) => c.getProjectStatus('shot')],
  ['listProjects', (c) => c.listProjects()],
  ['getProjectFiles', (c) => c.getProjectFiles('shot')],
  ['watchProjectStatus', (c) => c.watchProjectStatus('shot', { intervalMs: 10 }).next()],
];

/** What each hostility gives: the error class, and for a network failure its code. */
const EXPECTED: Record<
  Exclude<Hostility, 'escapes'>,
  { kind: typeof UnexpectedAnswerError | typeof ConnectionError; code?: string }
> = {
  endless: { kind: UnexpectedAnswerError },
  drip: { kind: ConnectionError, code: 'ETIMEDOUT' },
  redirect: { kind: UnexpectedAnswerError },
  'invalid-json': { kind: UnexpectedAnswerError },
  html: { kind: UnexpectedAnswerError },
  'cut-off': { kind: ConnectionError },
  deep: { kind: UnexpectedAnswerError },
  'wrong-types': { kind: UnexpectedAnswerError },
  huge: { kind: UnexpectedAnswerError },
};

// validateAuth only logs in, which these servers answer well: it is checked against a hostile login below.
const READS = METHODS.filter(([name]) => name !== 'validateAuth');

describe.each(Object.entries(EXPECTED))('an Envoy whose answers are %s', (hostility, expected) => {
  test.each(READS)('%s throws a typed error, within the time-out and the size cap', async (_name, call) => {
    const envoy = await startHostileEnvoy(hostility as Hostility);
    try {
      const error = await call(client(envoy.url)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(expected.kind);
      if (expected.code) expect((error as ConnectionError).code).toBe(expected.code);
      const message = (error as Error).message;
      expect(message).not.toContain(SECRET_KEY);
      expect(message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      if (hostility === 'endless' || hostility === 'huge') expect(message).toContain('maxAnswerBytes');
      if (hostility === 'redirect') {
        expect(message).toContain('/steal');
        expect(envoy.stolen()).toBe(0);
      }
      // Reading stopped at the cap: what the server wrote is the cap plus what the sockets buffer, not more.
      expect(envoy.written()).toBeLessThan(CAP + 16 * 1024 * 1024);
    } finally {
      await envoy.close();
    }
  });
});

describe('a hostile login (POST /auth)', () => {
  test('a redirect sends the credentials nowhere: an UnexpectedAnswerError naming the target', async () => {
    const envoy = await startHostileEnvoy('redirect', { auth: true });
    try {
      const error = await client(envoy.url)
        .validateAuth()
        .catch((e) => e);
      expect(error).toBeInstanceOf(UnexpectedAnswerError);
      expect(error.message).toMatch(
        /POST \/auth answered 307, a redirect to http:\/\/127\.0\.0\.1:\d+\/steal/,
      );
      expect(envoy.stolen()).toBe(0);
      const password = await new EnvoyClient({ url: envoy.url, retries: 0 })
        .authenticate(EMAIL, 'hunter2')
        .catch((e) => e);
      expect(password).toBeInstanceOf(UnexpectedAnswerError);
      expect(envoy.stolen()).toBe(0);
    } finally {
      await envoy.close();
    }
  });

  test.each(['endless', 'drip', 'wrong-types', 'html'] as const)(
    'a login answered %s gives a typed error',
    async (hostility) => {
      const envoy = await startHostileEnvoy(hostility, { auth: true });
      try {
        const error = await client(envoy.url)
          .validateAuth()
          .catch((e) => e);
        expect(error).toBeInstanceOf(hostility === 'drip' ? ConnectionError : UnexpectedAnswerError);
      } finally {
        await envoy.close();
      }
    },
  );
});

describe('answers that differ from the contract', () => {
  test('a wrong type is named by operation, field, the contract and what came', async () => {
    const envoy = await startHostileEnvoy('wrong-types');
    try {
      const error = await client(envoy.url)
        .getProjectStatus('shot')
        .catch((e) => e);
      expect(error).toBeInstanceOf(UnexpectedAnswerError);
      expect(error.message).toContain(
        'GET /project-status/{name} answered 200 with State: 123 at $.State; the contract says string.',
      );
      expect(error.message).toContain('If your Envoy is newer than this client');
      expect(error).toMatchObject({
        operation: 'getProjectStatus',
        at: '$.State',
        expected: 'string',
        found: '123',
      });
      expect(error.status).toBe(200);
    } finally {
      await envoy.close();
    }
  });

  test('a fetch that resolves to no Response gives an UnexpectedAnswerError, not a crash', async () => {
    const c = new EnvoyClient({
      email: EMAIL,
      accessKey: SECRET_KEY,
      retries: 0,
      fetch: async () => ({}) as Response,
    });
    const error = await c.listProjects().catch((e) => e);
    expect(error).toBeInstanceOf(UnexpectedAnswerError);
    expect(error.message).toContain('resolved to an object with keys []');
  });

  test('maxAnswerBytes must be a whole number from 1 to 1 GiB', () => {
    expect(() => new EnvoyClient({ maxAnswerBytes: 0 })).toThrow(/options\.maxAnswerBytes/);
    expect(() => new EnvoyClient({ maxAnswerBytes: 1.5 })).toThrow(/options\.maxAnswerBytes/);
  });
});

describe("the emulator's refusal of a foreign Host or Origin (403)", () => {
  test('is a RequestRefusedError saying what to fix, not an AuthenticationError', async () => {
    const c = new EnvoyClient({
      url: 'http://localhost:8090',
      email: EMAIL,
      accessKey: SECRET_KEY,
      retries: 0,
      fetch: async () =>
        new Response(
          JSON.stringify({
            message:
              'Host "localhost:8090" is not this service\'s address; use localhost:8090 or start it with allowedHosts (--allow-host)',
          }),
          { status: 403, headers: { 'content-type': 'application/json' } },
        ),
    });
    const error = await c.validateAuth().catch((e) => e);
    expect(error).toBeInstanceOf(RequestRefusedError);
    expect(error).not.toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(403);
    expect(error.message).toContain("refused the request's Host or Origin, not the credentials");
    expect(error.message).toContain('--allow-origin');
  });
});
