/**
 * Every argument of EnvoyClient's own constructor and methods, arbitrary or hand-picked: each call either succeeds
 * or throws a typed error of this package, and a bad argument is an InvalidRequestError naming the field, thrown
 * before anything is sent (a request counter on a fake Envoy proves it).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, vi } from 'vitest';
import {
  EnvoyClient,
  type EnvoyClientOptions,
  GridMarketsError,
  InvalidRequestError,
  Job,
  Project,
} from '../src/index.js';
import { fakeEnvoy, json, SECRET_KEY } from './helpers.js';

// Servers, processes and many generated inputs: generous limits for a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const EMAIL = 'artist@studio.example';
const URL_ = 'http://envoy.test:8090';

const envoy = fakeEnvoy({
  'GET /credits-info': () => json({ credits_available: 10, credits_consumed: 0 }),
  'GET /user-info': () => json({ data: { email_address: EMAIL, credits_available: 10 } }),
  'GET /products': () => json([]),
  'GET /machines': () => json([{ id: 'gm4800', name: 'GM4800', gpu: false, is_default: true }]),
  'GET /projects': () => json({ projects: [] }),
  'GET /project/sample_project/Files': () => json({ project_files: { all_files: [] } }),
  'GET /project-status/sample_project': () => json({ State: 'Completed' }),
  'POST /upload': () => json({ ID: 'sample_project' }),
  'POST /project-submit': () => new Response(null, { status: 201 }),
});

/** Outcomes over every input tried, for the table in the report. */
const table = {
  tried: 0,
  typedBeforeSending: 0,
  crashes: 0,
  accepted: 0,
  sentBeforeChecking: 0,
  otherTyped: 0,
};
const crashes: string[] = [];

let base: string;
let project: Project;
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'gm-args-'));
  const root = path.join(base, 'sample_project');
  await mkdir(root);
  await writeFile(path.join(root, 'scene.c4d'), 'scene');
  project = new Project(root, { outputFolderName: 'out' });
  await project.addFiles(root, project.remoteRoot, ['scene.c4d']);
  project.addJobs(new Job({ name: 'j', app: 'c4d', appVersion: 'R19', path: '/sample_project/scene.c4d' }));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
  // The figures of the table; printed so that the run shows them.
  console.info(`client arguments: ${JSON.stringify(table)}`);
  expect(crashes).toEqual([]);
});

const client = () => new EnvoyClient({ email: EMAIL, accessKey: SECRET_KEY, url: URL_, fetch: envoy.fetch });

/** Values a caller may pass by mistake. */
const special = fc.constantFrom<unknown>(
  null,
  undefined,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  0,
  1.5,
  2 ** 31,
  '',
  ' ',
  'a\u0000b',
  '..',
  'a/b',
  'arnold',
  [],
  ['arnold'],
  [1],
  [''],
  {},
  { plugins: 'arnold' },
  { count: Number.POSITIVE_INFINITY },
  { intervalMs: Number.NaN },
  true,
  10n,
  Symbol('s'),
  () => {},
  new Date(0),
  new Map(),
  'notaurl',
  'ftp://envoy.test',
  'http://user:pa55@envoy.test',
  'http://envoy.test/?access_key=k',
);
const weird = fc.oneof(fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true }), special);
const pick = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 2 }, { arbitrary: weird, weight: 1 });
const options = (shape: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    weird,
    fc.record(shape, { requiredKeys: [] }),
    fc.record({ ...shape, extra: weird }, { requiredKeys: [] }),
  );
const signal = pick(fc.constant(new AbortController().signal));

/** Calls `run`, sorts the outcome into the table, and checks the rules. */
async function outcome(what: string, args: unknown[], run: () => Promise<unknown>): Promise<void> {
  table.tried++;
  const before = envoy.requests.length;
  let error: unknown;
  let ok = false;
  try {
    await run();
    ok = true;
  } catch (e) {
    error = e;
  }
  const sent = envoy.requests.length - before;
  if (ok) {
    table.accepted++;
    return;
  }
  if (error instanceof InvalidRequestError) {
    if (sent > 0) table.sentBeforeChecking++;
    else table.typedBeforeSending++;
    expect(sent, `${what} sent ${sent} request(s) before refusing ${fc.stringify(args)}`).toBe(0);
    expect(error.fieldErrors.length).toBeGreaterThan(0);
    for (const e of error.fieldErrors) expect(e.field).not.toBe('');
    return;
  }
  if (error instanceof GridMarketsError) {
    table.otherTyped++;
    return;
  }
  table.crashes++;
  crashes.push(`${what}(${fc.stringify(args)}): ${String(error)}`);
  throw error;
}

describe('the arguments of EnvoyClient', () => {
  test.prop(
    [
      options({
        email: pick(fc.constant(EMAIL)),
        accessKey: pick(fc.constant(SECRET_KEY)),
        url: pick(fc.constantFrom(URL_, 'https://envoy.test/', 'http://127.0.0.1:8090/base')),
        timeoutMs: pick(fc.integer({ min: 0, max: 60_000 })),
        retries: pick(
          fc.oneof(
            fc.integer({ min: 0, max: 5 }),
            fc.record(
              { count: fc.integer({ min: 0, max: 3 }), minDelayMs: fc.nat(10) },
              { requiredKeys: [] },
            ),
          ),
        ),
        onRequest: pick(fc.constant(() => {})),
      }),
    ],
    { numRuns: 400 },
  )(
    'new EnvoyClient(options): a client that only ever calls its own fetch, or an InvalidRequestError',
    async (given) => {
      await outcome('new EnvoyClient', [given], async () => {
        const withFetch =
          given && typeof given === 'object' && !Array.isArray(given)
            ? { ...given, fetch: envoy.fetch }
            : given;
        const c = new EnvoyClient(withFetch as EnvoyClientOptions);
        expect(c.url).toMatch(/^https?:\/\//);
        // A client made from whatever options answers with a typed error at worst, and never hangs: no retries
        // are left to wait on since every answer of the fake Envoy is final.
        await c.getCreditsInfo().catch((e) => {
          if (!(e instanceof GridMarketsError)) throw e;
        });
      });
    },
  );

  test.prop(
    [
      pick(fc.constantFrom('c4d', 'hou')),
      pick(fc.constantFrom('render', 'simulation')),
      options({
        category: pick(fc.constantFrom('cpu', 'gpu', 'all')),
        plugins: pick(fc.array(fc.constantFrom('arnold', 'redshift:3.0', 'octane'), { maxLength: 3 })),
      }),
    ],
    { numRuns: 400 },
  )('getMachines(product, operation, options)', async (product, operation, given) => {
    await outcome('getMachines', [product, operation, given], async () => {
      const before = envoy.requests.length;
      await client().getMachines(product as string, operation as string, given as never);
      // Only whole plugin codes ever travel: never "a", "r", "n", ... of a string taken for a list.
      const query = new URLSearchParams(envoy.requests.slice(before).at(-1)?.search ?? '');
      const plugins = (given as { plugins?: unknown } | undefined)?.plugins;
      expect(query.getAll('plugins')).toEqual(Array.isArray(plugins) ? plugins : []);
    });
  });

  test.prop(
    [
      pick(fc.constant('project')),
      options({ skipUpload: pick(fc.boolean()), skipAutoDownload: pick(fc.boolean()) }),
    ],
    {
      numRuns: 300,
    },
  )('submitProject(project, options)', async (which, given) => {
    const arg = which === 'project' ? project : which;
    await outcome('submitProject', [which, given], () =>
      client().submitProject(arg as Project, given as never),
    );
  });

  test.prop([pick(fc.constant('project'))], { numRuns: 150 })(
    'uploadProjectFiles(project)',
    async (which) => {
      const arg = which === 'project' ? project : which;
      await outcome('uploadProjectFiles', [which], () => client().uploadProjectFiles(arg as Project));
    },
  );

  test.prop([pick(fc.constant('sample_project')), options({ signal })], { numRuns: 300 })(
    'getProjectStatus(name, options)',
    async (name, given) => {
      await outcome('getProjectStatus', [name, given], () =>
        client().getProjectStatus(name as string, given as never),
      );
    },
  );

  test.prop([pick(fc.constant('sample_project'))], { numRuns: 150 })(
    'getProjectFiles(name)',
    async (name) => {
      await outcome('getProjectFiles', [name], () => client().getProjectFiles(name as string));
    },
  );

  test.prop(
    [
      pick(fc.constant('sample_project')),
      options({ intervalMs: pick(fc.integer({ min: 0, max: 50 })), signal }),
    ],
    { numRuns: 300 },
  )('watchProjectStatus(name, options)', async (name, given) => {
    await outcome('watchProjectStatus', [name, given], async () => {
      const watch = client().watchProjectStatus(name as string, given as never);
      await watch.next();
      await watch.return(undefined);
    });
  });

  test.prop([pick(fc.constant(EMAIL)), pick(fc.constant('a password'))], { numRuns: 150 })(
    'authenticate(email, password)',
    async (email, password) => {
      await outcome('authenticate', [email, password], () =>
        new EnvoyClient({ url: URL_, fetch: envoy.fetch }).authenticate(email as string, password as string),
      );
    },
  );
});

describe('examples of the issue', () => {
  const refused = async (run: () => unknown, field: RegExp) => {
    const before = envoy.requests.length;
    let error: unknown;
    try {
      await run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).fieldErrors.map((e) => e.field).join(' ')).toMatch(field);
    expect(envoy.requests.length).toBe(before);
    return error as InvalidRequestError;
  };

  test.each([
    ['new EnvoyClient(null)', () => new EnvoyClient(null as never), /^options$/],
    [
      "getMachines('c4d','render',null)",
      () => client().getMachines('c4d', 'render', null as never),
      /^options$/,
    ],
    [
      "getMachines(..., {plugins:'arnold'})",
      () => client().getMachines('c4d', 'render', { plugins: 'arnold' as never }),
      /options\.plugins/,
    ],
    ['submitProject(null)', () => client().submitProject(null as never), /^project$/],
    ['getProjectStatus(undefined)', () => client().getProjectStatus(undefined as never), /^name$/],
    [
      'watchProjectStatus(n, {intervalMs: NaN})',
      () => client().watchProjectStatus('sample_project', { intervalMs: Number.NaN }).next(),
      /options\.intervalMs/,
    ],
    [
      'retries: {count: Infinity}',
      () => new EnvoyClient({ url: URL_, retries: { count: Number.POSITIVE_INFINITY } }),
      /options\.retries\.count/,
    ],
    ['timeoutMs: -1', () => new EnvoyClient({ timeoutMs: -1 }), /options\.timeoutMs/],
    ['retries: 1.5', () => new EnvoyClient({ retries: 1.5 }), /options\.retries/],
    ["url: 'notaurl'", () => new EnvoyClient({ url: 'notaurl' }), /options\.url/],
    ["url: 'ftp://envoy'", () => new EnvoyClient({ url: 'ftp://envoy.test' }), /options\.url/],
    ['a misspelt option', () => new EnvoyClient({ accesskey: 'k' } as never), /options\.accesskey/],
  ])('%s', async (_, run, field) => {
    await refused(run, field);
  });

  test('a URL with a password or an access key is refused, and the message does not repeat the secret', async () => {
    for (const url of ['http://me:pa55word@envoy.test', 'http://envoy.test/?access_key=sk-secret-1']) {
      const error = await refused(() => new EnvoyClient({ url }), /options\.url/);
      expect(error.message).not.toContain('pa55word');
      expect(error.message).not.toContain('sk-secret-1');
      expect(error.message).toContain('[REDACTED]');
    }
  });

  test.prop(
    [
      // Lengths spread over the whole range ('max'), not only short ones.
      fc.string({
        unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'),
        minLength: 8,
        maxLength: 150,
        size: 'max',
      }),
      fc.string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
        minLength: 1,
        maxLength: 90,
        size: 'max',
      }),
      fc.constantFrom('http', 'ftp', 'no scheme', 'access_key', 'token'),
    ],
    { numRuns: 200 },
  )(
    'no part of a long secret in a URL shows in the message, however the message is cut',
    async (secret, host, where) => {
      const url =
        where === 'http' || where === 'ftp'
          ? `${where}://me:${secret}@${host}.test:8090`
          : where === 'no scheme'
            ? `me:${secret}@${host}.test:8090`
            : `http://${host}.test:8090/?${where}=${secret}`;
      const error = await refused(() => new EnvoyClient({ url }), /options\.url/);
      expect(error.message).not.toContain(secret.slice(0, 8));
    },
  );

  test('a throwing hook is reported as itself, not as "Envoy not reachable"', async () => {
    const bug = new TypeError('my logger broke');
    const c = new EnvoyClient({
      email: EMAIL,
      accessKey: SECRET_KEY,
      url: URL_,
      fetch: envoy.fetch,
      onRequest: () => {
        throw bug;
      },
    });
    await expect(c.getUserInfo()).rejects.toBe(bug);
  });
});
