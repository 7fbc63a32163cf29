import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { backoffDelay, redactBody, runtimeTag } from './fetch.js';
import {
  createTransport,
  DEFAULT_ENVOY_URL,
  type RequestLog,
  TransportError,
  type TransportOptions,
} from './index.js';

type Handler = (request: Request, call: number) => Response | Promise<Response>;

function fakeFetch(handler: Handler) {
  const calls: Request[] = [];
  const fetch = async (request: Request) => {
    calls.push(request);
    return handler(request, calls.length);
  };
  return { fetch, calls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const noSleep: TransportOptions['sleep'] = async () => {};

describe('createTransport', () => {
  it('talks to localhost:8090 by default and sends a user agent naming the package', async () => {
    const { fetch, calls } = fakeFetch(() => json({ credits_available: 5 }));
    const envoy = createTransport({ fetch });
    const { data } = await envoy.GET('/credits-info');
    expect(data?.credits_available).toBe(5);
    expect(calls[0]?.url).toBe(`${DEFAULT_ENVOY_URL}/credits-info`);
    expect(calls[0]?.headers.get('user-agent')).toMatch(/^@gm\/transport\/\d+\.\d+\.\d+ node\//);
  });

  it('names Node in the user agent where there is a process, and reads no process where there is none', () => {
    expect(runtimeTag({ process: { versions: { node: '20.19.0' } } })).toBe('node/20.19.0');
    // A browser, a plugin panel, a worker: no `process` at all, or one without Node's version.
    expect(runtimeTag({})).toBeUndefined();
    expect(runtimeTag({ process: {} })).toBeUndefined();
    expect(runtimeTag()).toBe(`node/${process.versions.node}`);
  });

  it('returns HTTP errors as { error, response } instead of throwing', async () => {
    const { fetch } = fakeFetch(() => new Response('Invalid credentials', { status: 401 }));
    const envoy = createTransport({ fetch });
    const result = await envoy.POST('/auth', { body: { Username: 'a@b.c', AccessKey: 'k' } });
    expect(result.response.status).toBe(401);
    expect(result.error).toBe('Invalid credentials');
    expect(result.data).toBeUndefined();
  });

  it('retries a GET on 503 with backoff, then succeeds', async () => {
    const delays: number[] = [];
    const { fetch, calls } = fakeFetch((_r, n) => (n < 3 ? new Response('busy', { status: 503 }) : json([])));
    const envoy = createTransport({
      fetch,
      retries: { count: 3, minDelayMs: 100, maxDelayMs: 1000 },
      random: () => 1,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const { data, response } = await envoy.GET('/products');
    expect(response.status).toBe(200);
    expect(data).toEqual([]);
    expect(calls).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
  });

  it('gives the last 502/503/504 answer back when retries run out', async () => {
    const { fetch, calls } = fakeFetch(() => new Response('{"message":"down"}', { status: 504 }));
    const envoy = createTransport({ fetch, retries: 2, sleep: noSleep });
    const { error, response } = await envoy.GET('/projects');
    expect(response.status).toBe(504);
    expect(error).toEqual({ message: 'down' });
    expect(calls).toHaveLength(3);
  });

  it('never retries a POST, whatever the failure', async () => {
    const { fetch, calls } = fakeFetch(() => new Response('busy', { status: 503 }));
    const envoy = createTransport({ fetch, retries: 5, sleep: noSleep });
    const { response } = await envoy.POST('/upload', {
      body: { upload: [{ localRoot: '/p', remoteRoot: '/p', files: ['a'] }] },
    });
    expect(response.status).toBe(503);
    expect(calls).toHaveLength(1);

    const failing = fakeFetch(() => {
      throw new TypeError('fetch failed');
    });
    const envoy2 = createTransport({ fetch: failing.fetch, retries: 5, sleep: noSleep });
    await expect(envoy2.POST('/upload', { body: { upload: [] } })).rejects.toMatchObject({
      name: 'TransportError',
      attempts: 1,
    });
    expect(failing.calls).toHaveLength(1);
  });

  it('turns network failures into one TransportError with method, URL, attempts and cause', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const { fetch, calls } = fakeFetch(() => {
      throw refused;
    });
    const envoy = createTransport({ fetch, baseUrl: 'http://127.0.0.1:9/', retries: 2, sleep: noSleep });
    const error = await envoy.GET('/user-info').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    const te = error as TransportError;
    expect(te.method).toBe('GET');
    expect(te.url).toBe('http://127.0.0.1:9/user-info');
    expect(te.attempts).toBe(3);
    expect(te.cause).toBe(refused);
    expect(te.timedOut).toBe(false);
    expect(te.message).toContain('Envoy may not be running at http://127.0.0.1:9');
    expect(te.message).toContain('ECONNREFUSED');
    expect(calls).toHaveLength(3);
  });

  it('refuses retry counts and times it cannot honour, naming the option, before any request', () => {
    const { fetch, calls } = fakeFetch(() => new Response('', { status: 503 }));
    for (const [options, name] of [
      [{ retries: Number.POSITIVE_INFINITY }, 'options.retries '],
      [{ retries: -1 }, 'options.retries '],
      [{ retries: 1.5 }, 'options.retries '],
      [{ retries: { count: Number.NaN } }, 'options.retries.count '],
      [{ retries: { maxDelayMs: 2 ** 31 } }, 'options.retries.maxDelayMs '],
      [{ retries: { minDelayMs: -5 } }, 'options.retries.minDelayMs '],
      [{ timeoutMs: Number.NaN }, 'options.timeoutMs '],
      [{ timeoutMs: '100' as never }, 'options.timeoutMs '],
    ] as const) {
      expect(() => createTransport({ fetch, ...options }), name).toThrow(RangeError);
      expect(() => createTransport({ fetch, ...options }), name).toThrow(name);
    }
    expect(calls).toHaveLength(0);
  });

  it('retries with 0 disabled makes exactly one attempt', async () => {
    const { fetch, calls } = fakeFetch(() => new Response('', { status: 502 }));
    const envoy = createTransport({ fetch, retries: 0, sleep: noSleep });
    await envoy.GET('/projects');
    expect(calls).toHaveLength(1);
  });

  it('times out a slow attempt and reports it', async () => {
    const fetch = (request: Request) =>
      new Promise<Response>((_resolve, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason));
      });
    const envoy = createTransport({ fetch, timeoutMs: 20, retries: 1, sleep: noSleep });
    const error = (await envoy.GET('/projects').catch((e: unknown) => e)) as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.timedOut).toBe(true);
    expect(error.attempts).toBe(2);
    expect(error.message).toMatch(/timed out after 2 attempts/);
  });

  it('still times out when a garbage collection runs while an injected fetch waits on the signal', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const fetch = (request: Request) =>
      new Promise<Response>((_resolve, reject) => {
        request.signal.addEventListener('abort', () => reject(request.signal.reason));
      });
    const envoy = createTransport({ fetch, timeoutMs: 200, retries: 0 });
    const pending = envoy.GET('/projects').catch((e: unknown) => e);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 10));
      gc();
    }
    const error = (await pending) as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.timedOut).toBe(true);
  }, 10_000);

  it('stops at once when the caller aborts, without retrying', async () => {
    const controller = new AbortController();
    let calls = 0;
    const fetch = (request: Request) =>
      new Promise<Response>((_resolve, reject) => {
        calls++;
        request.signal.addEventListener('abort', () => reject(request.signal.reason));
        setTimeout(() => controller.abort(new Error('user cancelled')), 5);
      });
    const envoy = createTransport({ fetch, retries: 3, sleep: noSleep });
    await expect(envoy.GET('/projects', { signal: controller.signal })).rejects.toThrow('user cancelled');
    expect(calls).toBe(1);
  });

  it('an abort during the backoff wait ends the call', async () => {
    const controller = new AbortController();
    const { fetch, calls } = fakeFetch(() => {
      controller.abort(new Error('stop now'));
      return new Response('', { status: 503 });
    });
    const envoy = createTransport({ fetch, retries: { count: 3, minDelayMs: 60_000 } });
    await expect(envoy.GET('/projects', { signal: controller.signal })).rejects.toThrow('stop now');
    expect(calls).toHaveLength(1);
  });

  it('shows logging hooks the request with the access key and password redacted', async () => {
    const logs: RequestLog[] = [];
    const statuses: number[] = [];
    const { fetch, calls } = fakeFetch(() => json({ Message: 'ok' }));
    const envoy = createTransport({
      fetch,
      onRequest: (log) => logs.push(log),
      onResponse: (log) => statuses.push(log.status),
    });
    await envoy.POST('/auth', { body: { Username: 'me@studio.test', AccessKey: 'sekret-key-123' } });
    await envoy.POST('/auth', { body: { Username: 'me@studio.test', Password: 'hunter2-pass' } });
    const seen = JSON.stringify(logs);
    expect(seen).not.toContain('sekret-key-123');
    expect(seen).not.toContain('hunter2-pass');
    expect(seen).toContain('me@studio.test');
    expect(logs[0]?.body).toBe('{"Username":"me@studio.test","AccessKey":"[REDACTED]"}');
    expect(statuses).toEqual([200, 200]);
    // The service itself still receives the real credentials.
    expect(await calls[0]?.text()).toContain('sekret-key-123');
  });
});

describe('helpers', () => {
  it('backoff doubles from the minimum, is capped, and jitters between half and all', () => {
    const policy = { minDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 400, 500]);
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
  });

  it('redactBody hides secrets in nested JSON and in plain text', () => {
    expect(redactBody('{"a":{"access_key":"x","list":[{"password":"y"}]},"n":1}')).toBe(
      '{"a":{"access_key":"[REDACTED]","list":[{"password":"[REDACTED]"}]},"n":1}',
    );
    expect(redactBody('AccessKey=abc')).toBe('[REDACTED]');
    expect(redactBody('')).toBeUndefined();
  });

  it('TransportError instanceof works for an error made by another copy of the package', () => {
    const foreign = new Error('x');
    Object.defineProperty(foreign, Symbol.for('@gm/transport.TransportError'), { value: true });
    expect(foreign).toBeInstanceOf(TransportError);
    expect(new Error('y')).not.toBeInstanceOf(TransportError);
  });
});

describe('the published builds', () => {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

  it.each([
    ['CommonJS', 'index.cjs'],
    ['ES module', 'index.mjs'],
  ])('the %s build creates a working transport', async (_kind, file) => {
    const built = join(pkg, 'dist', file);
    const mod = (
      file.endsWith('.cjs') ? createRequire(import.meta.url)(built) : await import(built)
    ) as typeof import('./index.js');
    const { fetch, calls } = fakeFetch(() => json({ credits_available: 3 }));
    const envoy = mod.createTransport({ fetch });
    const { data } = await envoy.GET('/credits-info');
    expect(data?.credits_available).toBe(3);
    expect(calls).toHaveLength(1);
  });
});

describe('generated code', () => {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
  const run = (dir: string) => {
    try {
      execFileSync('node', [join(pkg, 'scripts', 'generate.mjs'), '--check', '--dir', dir], {
        stdio: 'pipe',
      });
      return 0;
    } catch (error) {
      return (error as { status: number }).status;
    }
  };

  it('the drift check passes on the committed files and fails when one is edited by hand', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-drift-'));
    try {
      cpSync(join(pkg, 'src', 'generated'), dir, { recursive: true });
      expect(run(dir)).toBe(0);
      appendFileSync(join(dir, 'envoy.ts'), '\n// edited by hand\n');
      expect(run(dir)).toBe(1);
      cpSync(join(pkg, 'src', 'generated', 'envoy.ts'), join(dir, 'envoy.ts'));
      appendFileSync(join(dir, 'openapi.json'), ' ');
      expect(run(dir)).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Three runs of the generator: minutes on a loaded machine.
  }, 600_000);
});
