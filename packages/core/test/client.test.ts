import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { version } from '../package.json';
import {
  APIError,
  AuthenticationError,
  ConnectionError,
  EnvoyClient,
  GridMarketsError,
  InsufficientCreditsError,
  InvalidRequestError,
  Job,
  MachineCategory,
  Project,
  WatchFile,
} from '../src/index.js';
import { fakeEnvoy, json, type Route, SECRET_KEY, SECRET_PASSWORD, text } from './helpers.js';

const URL_ = 'http://envoy.test:8090';
const EMAIL = 'artist@studio.example';

const ok: Route = () => json({ Message: 'ok' });
const credits =
  (available: number): Route =>
  () =>
    json({ credits_available: available, credits_consumed: 1 });
const submitted: Route = () => new Response(null, { status: 201 });
const uploaded: Route = () => json({ ID: 'sample_project' });

function client(fetch: (r: Request) => Promise<Response>, extra = {}) {
  return new EnvoyClient({ email: EMAIL, accessKey: SECRET_KEY, url: URL_, fetch, retries: 0, ...extra });
}

let base: string;
let project: Project;
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'gm-client-'));
  const root = path.join(base, 'sample_project');
  await mkdir(root);
  await writeFile(path.join(root, 'sample.c4d'), 'scene');
  project = new Project(root, { outputFolderName: 'my_results' });
  await project.addFiles(project.localRoot, project.remoteRoot, ['sample.c4d']);
  project.addJobs(
    new Job({
      name: 'test job',
      app: 'c4d',
      appVersion: 'R19',
      path: '/sample_project/sample.c4d',
      instances: 2,
    }),
  );
});
afterAll(() => rm(base, { recursive: true, force: true }));

/** A user's details as the contract has them (\`UserInfo\`). */
function user(email: string, name: string) {
  return {
    created: '2019-07-01T15:27:48',
    credits_available: 5,
    credits_consumed: 0,
    email_address: email,
    name,
    service_plan: 'Standard',
  };
}

describe('EnvoyClient basics', () => {
  test('version and URL', () => {
    const c = new EnvoyClient();
    expect(c.version).toBe(version);
    expect(c.url).toBe('http://localhost:8090');
  });

  test('GM_ENVOY_URL is the URL of a client made without one, as on the command line; a given url wins', () => {
    const before = process.env.GM_ENVOY_URL;
    try {
      process.env.GM_ENVOY_URL = 'http://127.0.0.1:8111/';
      expect(new EnvoyClient().url).toBe('http://127.0.0.1:8111');
      expect(new EnvoyClient({ url: 'http://envoy.test:8090' }).url).toBe('http://envoy.test:8090');
      process.env.GM_ENVOY_URL = '';
      expect(new EnvoyClient().url).toBe('http://localhost:8090');
      // A bad value is named by the variable, with its secret hidden; a given url does not read it at all.
      process.env.GM_ENVOY_URL = 'http://me:secret@127.0.0.1:8111';
      const error = (() => {
        try {
          new EnvoyClient();
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).fieldErrors.map((e) => e.field)).toEqual(['GM_ENVOY_URL']);
      expect(String((error as Error).message)).toContain('GM_ENVOY_URL');
      expect(String((error as Error).message)).not.toContain('secret');
      expect(new EnvoyClient({ url: 'http://127.0.0.1:1' }).url).toBe('http://127.0.0.1:1');
    } finally {
      if (before === undefined) delete process.env.GM_ENVOY_URL;
      else process.env.GM_ENVOY_URL = before;
    }
  });

  test('spaces around a URL (a pasted env file line) are dropped, not sent as a path', () => {
    expect(new EnvoyClient({ url: 'http://127.0.0.1:8111/ ' }).url).toBe('http://127.0.0.1:8111');
    expect(new EnvoyClient({ url: ' http://127.0.0.1:8111\n' }).url).toBe('http://127.0.0.1:8111');
  });

  test('credentials never show in inspect, JSON, errors or logs', async () => {
    const logs: string[] = [];
    // A careless service that echoes the secret it was sent.
    const envoy = fakeEnvoy({
      'POST /auth': (r) => {
        const body = r.body as { AccessKey?: string; Password?: string };
        return text(`bad secret ${body.AccessKey ?? body.Password}`, 401);
      },
    });
    const c = client(envoy.fetch, { onRequest: (log: unknown) => logs.push(JSON.stringify(log)) });
    const error = await c.validateAuth().catch((e) => e);
    const pw = new EnvoyClient({
      url: URL_,
      fetch: envoy.fetch,
      onRequest: (log) => logs.push(JSON.stringify(log)),
    });
    const pwError = await pw.authenticate(EMAIL, SECRET_PASSWORD).catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(pwError).toBeInstanceOf(AuthenticationError);
    expect(envoy.requests[0]!.body).toEqual({ Username: EMAIL, AccessKey: SECRET_KEY });
    expect(envoy.requests[1]!.body).toEqual({ Username: EMAIL, Password: SECRET_PASSWORD });
    const shown = [
      inspect(c, { depth: 10, showHidden: true }),
      JSON.stringify(c),
      inspect(pw, { depth: 10, showHidden: true }),
      JSON.stringify(pw),
      error.message,
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      pwError.message,
      JSON.stringify(pwError),
      inspect(pwError, { depth: 10 }),
      ...logs,
    ].join('\n');
    expect(logs.length).toBe(2);
    expect(shown).not.toContain(SECRET_KEY);
    expect(shown).not.toContain(SECRET_PASSWORD);
    expect(shown).toContain(EMAIL);
  });
  test('a fetch failure that quotes the request body leaks no secret through the error or its causes', async () => {
    // A fetch whose own error message repeats what it was asked to send.
    const echoing = async (request: Request): Promise<Response> => {
      throw new TypeError(`could not send ${await request.text()}`);
    };
    const withKey = await client(echoing)
      .validateAuth()
      .catch((e) => e);
    const withPassword = await new EnvoyClient({ url: URL_, fetch: echoing, retries: 0 })
      .authenticate(EMAIL, SECRET_PASSWORD)
      .catch((e) => e);
    for (const error of [withKey, withPassword]) {
      expect(error).toBeInstanceOf(APIError);
      expect(error.status).toBe(0);
      const shown = [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 20 })].join(
        '\n',
      );
      expect(shown).not.toContain(SECRET_KEY);
      expect(shown).not.toContain(SECRET_PASSWORD);
      expect(shown).toContain('[REDACTED]');
    }
  });
});

describe('errors from answers', () => {
  test.each([
    [401, () => text('Invalid credentials', 401), AuthenticationError],
    [400, () => json({ message: 'bad', errors: [{ field: 'x', message: 'y' }] }, 400), InvalidRequestError],
    [
      402,
      () => json({ message: 'Insufficient credits balance', credits_available: 0, credits_required: 3 }, 402),
      InsufficientCreditsError,
    ],
    [404, () => json({ message: 'no' }, 404), APIError],
    [500, () => json({ message: 'internal error' }, 500), APIError],
    [503, () => json({ message: 'service unavailable' }, 503), APIError],
  ] as const)('POST /project-submit %i', async (status, route, kind) => {
    const envoy = fakeEnvoy({
      'POST /auth': ok,
      'GET /credits-info': credits(10),
      'POST /project-submit': route,
    });
    const error = await client(envoy.fetch)
      .submitProject(project)
      .catch((e) => e);
    expect(error).toBeInstanceOf(kind);
    expect(error).toBeInstanceOf(GridMarketsError);
    expect(error.status).toBe(status);
    // The request and the answer are kept on the error, as sent and as received.
    expect(error.request).toMatchObject({ method: 'POST', url: `${URL_}/project-submit` });
    expect(error.request.body.project_request.jobs[0].name).toBe('test job');
    expect(error.response.status).toBe(status);
    expect(error.response.headers['content-type']).toMatch(/json|text/);
    expect(error.response.body).toBeDefined();
  });

  test('the request kept on an error of the login hides the access key', async () => {
    const envoy = fakeEnvoy({ 'POST /auth': () => text('Invalid credentials', 401) });
    const error = await client(envoy.fetch)
      .getCreditsInfo()
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.request).toEqual({
      method: 'POST',
      url: `${URL_}/auth`,
      body: { Username: EMAIL, AccessKey: '[REDACTED]' },
    });
    expect(error.response).toMatchObject({ status: 401, body: 'Invalid credentials' });
    expect(envoy.calls()).toEqual(['POST /auth']);
  });

  test('network failure → ConnectionError (an APIError) naming the URL', async () => {
    const fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const error = await client(fetch)
      .getUserInfo()
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(0);
    expect(error.message).toContain(URL_);
    expect(error.message).toMatch(/Start Envoy/);
  });

  test('no credentials → AuthenticationError without a request', async () => {
    const envoy = fakeEnvoy({});
    const error = await new EnvoyClient({ url: URL_, fetch: envoy.fetch }).validateAuth().catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(envoy.requests).toHaveLength(0);
  });
});

describe('round trips', () => {
  test('every operation logs in once; a submission (credits, submit) is one operation', async () => {
    const envoy = fakeEnvoy({
      'POST /auth': ok,
      'GET /credits-info': credits(10),
      'POST /project-submit': submitted,
      'POST /upload': uploaded,
    });
    const c = client(envoy.fetch);
    expect(await c.uploadProjectFiles(project)).toBe('sample_project');
    expect(await c.submitProject(project, { skipUpload: true })).toBe('sample_project');
    expect(await c.submitProject(project)).toBe('sample_project');
    expect(envoy.calls()).toEqual([
      'POST /auth',
      'POST /upload',
      'POST /auth',
      'GET /credits-info',
      'POST /project-submit',
      'POST /auth',
      'GET /credits-info',
      'POST /project-submit',
    ]);
    for (const auth of envoy.requests.filter((r) => r.path === '/auth')) {
      expect(auth.body).toEqual({ Username: EMAIL, AccessKey: SECRET_KEY });
    }
    expect((envoy.requests[4]!.body as Record<string, unknown>).skip_upload).toBe(true);
    expect('skip_upload' in (envoy.requests[7]!.body as object)).toBe(false);
  });

  test('after authenticate(), operations log in with the password; a 401 logs in again and retries once', async () => {
    let submits = 0;
    const envoy = fakeEnvoy({
      'POST /auth': ok,
      'GET /credits-info': credits(10),
      'POST /project-submit': (r) => (++submits === 1 ? text('session expired', 401) : submitted(r)),
    });
    const c = new EnvoyClient({ url: URL_, fetch: envoy.fetch });
    await c.authenticate(EMAIL, SECRET_PASSWORD);
    await c.submitProject(project);
    expect(envoy.calls()).toEqual([
      'POST /auth',
      'POST /auth',
      'GET /credits-info',
      'POST /project-submit',
      'POST /auth',
      'POST /project-submit',
    ]);
    for (const auth of envoy.requests.filter((r) => r.path === '/auth')) {
      expect(auth.body).toEqual({ Username: EMAIL, Password: SECRET_PASSWORD });
    }
  });

  test('a 401 whose new login fails is an AuthenticationError, without a second retry', async () => {
    let auths = 0;
    const envoy = fakeEnvoy({
      'POST /auth': (r) => (++auths <= 2 ? ok(r) : text('Invalid credentials', 401)),
      'GET /user-info': () => text('Unauthorized', 401),
    });
    const c = client(envoy.fetch);
    await c.validateAuth();
    const error = await c.getUserInfo().catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(envoy.calls()).toEqual(['POST /auth', 'POST /auth', 'GET /user-info', 'POST /auth']);
  });

  test('wrong credentials are an AuthenticationError on every call, and nothing else is sent', async () => {
    const envoy = fakeEnvoy({ 'POST /auth': () => text('Invalid credentials', 401) });
    const c = client(envoy.fetch);
    const calls: (() => Promise<unknown>)[] = [
      () => c.validateAuth(),
      () => c.getCreditsInfo(),
      () => c.validateCredits(),
      () => c.getUserInfo(),
      () => c.getProductResolver(),
      () => c.getMachines('c4d', 'render'),
      () => c.uploadProjectFiles(project),
      () => c.submitProject(project),
      () => c.getProjectStatus('sample_project'),
      () => c.listProjects(),
      () => c.getProjectFiles('sample_project'),
      () => c.watchProjectStatus('sample_project').next(),
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(AuthenticationError);
    expect(envoy.calls()).toEqual(calls.map(() => 'POST /auth'));
  });

  test('an answer for another account is refused', async () => {
    const envoy = fakeEnvoy({
      'GET /user-info': () => json({ data: user('someone.else@studio.example', 'B') }),
    });
    const error = await client(envoy.fetch)
      .getUserInfo()
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain('another account');
    expect(error.message).not.toContain('someone.else');
  });

  test('concurrent submissions each log in once', async () => {
    const envoy = fakeEnvoy({
      'POST /auth': ok,
      'GET /credits-info': credits(10),
      'POST /project-submit': submitted,
      'POST /upload': uploaded,
    });
    const c = client(envoy.fetch);
    await Promise.all([
      c.uploadProjectFiles(project),
      c.submitProject(project, { skipUpload: true }),
      c.submitProject(project, { skipUpload: true }),
    ]);
    expect(envoy.count('POST /auth')).toBe(3);
    expect(envoy.count('GET /credits-info')).toBe(2);
    expect(envoy.count('POST /project-submit')).toBe(2);
  });

  test('insufficient credits stops the submission before it is sent', async () => {
    const envoy = fakeEnvoy({
      'POST /auth': ok,
      'GET /credits-info': credits(0),
      'POST /project-submit': submitted,
    });
    const error = await client(envoy.fetch)
      .submitProject(project)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect(error.creditsAvailable).toBe(0);
    expect(envoy.count('POST /project-submit')).toBe(0);
  });

  test('every problem of a job comes in one InvalidRequestError when it is made, and nothing is sent', async () => {
    const envoy = fakeEnvoy({});
    const error = (() => {
      try {
        return new Job({
          name: '',
          app: 'c4d',
          appVersion: 'R19',
          path: '/sample_project/sample.c4d',
          instances: 0,
        });
      } catch (e) {
        return e as InvalidRequestError;
      }
    })();
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).fieldErrors.map((e) => e.field).sort()).toEqual([
      'instances',
      'name',
    ]);
    expect(() => new WatchFile('/sample_project/([unclosed', '/tmp/x')).toThrow(InvalidRequestError);
    const empty = await client(envoy.fetch)
      .submitProject(new Project(project.localRoot))
      .catch((e) => e);
    expect(empty).toBeInstanceOf(InvalidRequestError);
    expect(empty.status).toBe(0);
    expect(empty.fieldErrors.map((e: { field: string }) => e.field)).toEqual(['jobs']);
    expect(envoy.requests).toHaveLength(0);
  });

  test('an invalid project sends nothing', async () => {
    const envoy = fakeEnvoy({});
    const bad = new Project(project.localRoot);
    const job = new Job({
      name: 'j',
      app: 'c4d',
      appVersion: 'R19',
      path: '/sample_project/sample.c4d',
      dependencies: [new Job({ name: 'other', app: 'c4d', appVersion: 'R19', path: '/other_project/x.c4d' })],
    });
    expect(() => bad.addJobs(job)).toThrow(/jobs\[0\]\.dependencies: job "other"/);
    const error = await client(envoy.fetch)
      .submitProject(bad)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.fieldErrors[0].field).toBe('jobs');
    await expect(client(envoy.fetch).uploadProjectFiles(new Project(project.localRoot))).rejects.toThrow(
      /no files/,
    );
    expect(envoy.requests).toHaveLength(0);
  });
});

describe('a submit without an answer', () => {
  /** Envoy that never answers the submit (the client's time limit ends it) and lists `listed` job ids. */
  function silentSubmit(listed: () => string[]) {
    return fakeEnvoy({
      'GET /credits-info': credits(10),
      'POST /project-submit': () => new Promise<Response>(() => {}),
      'GET /project-status/sample_project': () =>
        json({
          State: 'Queued',
          Jobs: listed().map((Id) => ({ Id, Name: 'j', State: 'Queued', FramesTotal: 1, FramesDone: 0 })),
        }),
    });
  }

  test('when Envoy lists the jobs afterwards, the submission landed and resolves', async () => {
    const envoy = silentSubmit(() => project.jobs.map((j) => j.id));
    const hanging = async (request: Request) => {
      const answer = envoy.fetch(request);
      return Promise.race([
        answer,
        new Promise<Response>((_, reject) =>
          request.signal.addEventListener('abort', () => reject(request.signal.reason)),
        ),
      ]);
    };
    expect(await client(hanging, { timeoutMs: 50 }).submitProject(project)).toBe('sample_project');
    expect(envoy.calls()).toEqual([
      'POST /auth',
      'GET /credits-info',
      'POST /project-submit',
      'GET /project-status/sample_project',
    ]);
  });

  test('when Envoy does not list them yet after a time-out, the error says to check before submitting again', async () => {
    const envoy = silentSubmit(() => []);
    const hanging = async (request: Request) =>
      Promise.race([
        envoy.fetch(request),
        new Promise<Response>((_, reject) =>
          request.signal.addEventListener('abort', () => reject(request.signal.reason)),
        ),
      ]);
    const error = await client(hanging, { timeoutMs: 50 })
      .submitProject(project)
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('ETIMEDOUT');
    expect(error.message).toMatch(/did not answer the submission of project "sample_project" in time/);
    expect(error.message).toMatch(/gm status sample_project/);
  });
});

describe('reads', () => {
  test('validateCredits, getUserInfo, machines, projects, files, status', async () => {
    const envoy = fakeEnvoy({
      'GET /credits-info': credits(5),
      'GET /user-info': () => json({ data: user(EMAIL, 'A') }),
      'GET /machines': () => json([{ id: 'gm4800', name: 'GM4800', gpu: false, is_default: true }]),
      'GET /projects': () => json({ projects: [{ name: 'sample_project' }] }),
      'GET /project/sample project/Files': () =>
        json({ project_files: { all_files: [{ Name: 'a', Key: '/p/a', Size: 1 }] } }),
      'GET /project-status/sample project': () =>
        json({ Code: 200, State: 'Uploading', Speed: '0.00', Details: {} }),
    });
    const c = client(envoy.fetch);
    expect(await c.validateCredits()).toBe(true);
    expect(await c.getUserInfo()).toEqual(user(EMAIL, 'A'));
    expect(
      await c.getMachines('c4d', 'render', {
        category: MachineCategory.GPU,
        plugins: ['arnold', 'redshift'],
      }),
    ).toHaveLength(1);
    expect(envoy.requests.at(-1)!.search).toBe(
      '?product=c4d&operation=render&category=gpu&plugins=arnold&plugins=redshift',
    );
    expect(await c.listProjects()).toEqual([{ name: 'sample_project' }]);
    expect(await c.getProjectFiles('sample project')).toEqual([{ Name: 'a', Key: '/p/a', Size: 1 }]);
    expect((await c.getProjectStatus('sample project')).State).toBe('Uploading');
    expect(envoy.count('POST /auth')).toBe(6);
    const sent = envoy.requests.length;
    await expect(c.getMachines('', 'render', { category: 'tpu' as never })).rejects.toThrow(
      /product.*\n.*category/s,
    );
    expect(envoy.requests).toHaveLength(sent);
  });

  test('the resolver is built from /products', async () => {
    const envoy = fakeEnvoy({
      'GET /products': () =>
        json([
          {
            id: 1,
            name: 'Houdini',
            app_type: 'hou',
            version: '17.5.173',
            compatible_modules: ['htoa:4.0.1'],
          },
        ]),
    });
    const resolver = await client(envoy.fetch).getProductResolver();
    expect(resolver.getAllTypes(false)).toEqual({
      hou: { versions: ['17.5.173'], is_plugin: false, name: 'Houdini', business_vertical: 'media' },
    });
  });
});

describe('watchProjectStatus', () => {
  test('yields snapshots until a final state', async () => {
    const states = ['Uploading', 'Submitted', 'Running', 'Completed', 'Never'];
    let i = 0;
    const envoy = fakeEnvoy({ 'GET /project-status/p': () => json({ Code: 200, State: states[i++] }) });
    const seen: string[] = [];
    for await (const status of client(envoy.fetch).watchProjectStatus('p', { intervalMs: 1 }))
      seen.push(status.State!);
    expect(seen).toEqual(['Uploading', 'Submitted', 'Running', 'Completed']);
  });

  test.each(['Stopped', 'Failed'])('%s is final too', async (final) => {
    const states = ['Running', final, 'Running'];
    let i = 0;
    const envoy = fakeEnvoy({ 'GET /project-status/p': () => json({ Code: 200, State: states[i++] }) });
    const seen: string[] = [];
    for await (const status of client(envoy.fetch).watchProjectStatus('p', { intervalMs: 1 }))
      seen.push(status.State!);
    expect(seen).toEqual(['Running', final]);
  });

  test('an abort during the wait between two requests ends the watch without another request', async () => {
    const envoy = fakeEnvoy({ 'GET /project-status/p': () => json({ Code: 200, State: 'Running' }) });
    const controller = new AbortController();
    const seen: string[] = [];
    // An interval far beyond the test's time limit: only the abort can end the wait.
    for await (const status of client(envoy.fetch).watchProjectStatus('p', {
      intervalMs: 3_600_000,
      signal: controller.signal,
    })) {
      seen.push(status.State!);
      setTimeout(() => controller.abort(), 1);
    }
    expect(seen).toEqual(['Running']);
    expect(envoy.calls()).toEqual(['POST /auth', 'GET /project-status/p']);
  });

  test('an upload-only project ends at Uploaded; a submitted one does not', async () => {
    const envoy = fakeEnvoy({
      'GET /project-status/u': () => json({ State: 'Uploaded' }),
      'GET /project-status/s': () =>
        json({
          State: 'Uploaded',
          Jobs: [{ Id: '1', Name: 'j', State: 'Queued', FramesTotal: 1, FramesDone: 0 }],
        }),
    });
    const c = client(envoy.fetch);
    const u: string[] = [];
    for await (const status of c.watchProjectStatus('u', { intervalMs: 1 })) u.push(status.State!);
    expect(u).toEqual(['Uploaded']);
    const controller = new AbortController();
    let s = 0;
    for await (const _ of c.watchProjectStatus('s', { intervalMs: 1, signal: controller.signal })) {
      if (++s === 3) controller.abort();
    }
    expect(s).toBe(3);
  });

  test('stops cleanly when aborted during a request', async () => {
    const controller = new AbortController();
    const fetch = (request: Request) =>
      new Promise<Response>((_, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason));
        controller.abort();
      });
    const seen: unknown[] = [];
    for await (const status of client(fetch).watchProjectStatus('p', { signal: controller.signal }))
      seen.push(status);
    expect(seen).toEqual([]);
  });

  test('getProjectStatus aborted by the caller rejects with the abort reason, not an APIError', async () => {
    const controller = new AbortController();
    const reason = new Error('user pressed cancel');
    const fetch = (request: Request) =>
      new Promise<Response>((_, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason));
        controller.abort(reason);
      });
    const error = await client(fetch)
      .getProjectStatus('p', { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(error).not.toBeInstanceOf(APIError);
  });
});
