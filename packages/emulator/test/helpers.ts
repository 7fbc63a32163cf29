import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { contractProblems, loadContract } from '../src/contract.js';
import { DEMO_USER, type EmulatorOptions, type RunningEmulator, startEmulator } from '../src/index.js';
import { loadState } from '../src/store.js';

/** Untyped JSON of an answer or a request body. */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are untyped JSON
export type Json = any;

const contract = loadContract() as {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, unknown> }> }>
  >;
  components: { responses: Record<string, { content?: Record<string, unknown> }> };
};

const pointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Validates an answer against the contract's schema for its path, method and status. */
export function expectContract(
  path: string,
  method: string,
  status: number,
  contentType: string,
  body: unknown,
): void {
  const op = contract.paths[path]?.[method];
  expect(op, `${method} ${path} in the contract`).toBeDefined();
  let response = op?.responses[String(status)];
  expect(response, `${method} ${path} ${status} in the contract`).toBeDefined();
  let ref = `contract#/paths/${pointer(path)}/${method}/responses/${status}`;
  if (response?.$ref) {
    const name = response.$ref.split('/').pop() as string;
    response = contract.components.responses[name];
    ref = `contract#/components/responses/${name}`;
  }
  const media = contentType.split(';')[0]?.trim() ?? '';
  expect(Object.keys(response?.content ?? {}), `${method} ${path} ${status} content types`).toContain(media);
  const problems = contractProblems({ $ref: `${ref}/content/${pointer(media)}/schema` }, body);
  expect(problems, `${method} ${path} ${status} matches the contract`).toEqual([]);
}

/** The contract path template a request path falls under (`/project-status/x` → `/project-status/{name}`). */
export function templateOf(path: string): string | undefined {
  const bare = path.split('?')[0] ?? path;
  return Object.keys(contract.paths).find((t) =>
    new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
  );
}

/** An answer: status, content type and parsed body. */
export interface Answer<T = Json> {
  status: number;
  type: string;
  body: T;
}

/** A tiny client for the emulator; every answer on a path of the contract is checked against it. */
export class Client {
  constructor(readonly url: string) {}

  async call<T = Json>(
    method: string,
    path: string,
    opts: { body?: unknown; template?: string } = {},
  ): Promise<Answer<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: opts.body === undefined ? {} : { 'content-type': 'application/json' },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const body = type.includes('json') ? JSON.parse(text) : text;
    const template = opts.template ?? templateOf(path);
    if (template) expectContract(template, method.toLowerCase(), res.status, type, body);
    return { status: res.status, type, body };
  }

  login(email = DEMO_USER.email, key = DEMO_USER.accessKey): Promise<Answer> {
    return this.call('POST', '/auth', { body: { Username: email, AccessKey: key }, template: '/auth' });
  }

  status(project: string): Promise<Answer> {
    return this.call('GET', `/project-status/${encodeURIComponent(project)}`, {
      template: '/project-status/{name}',
    });
  }

  /** Polls the project status until `until` holds (no wall-clock assertions: only a generous cap). */
  async waitFor(project: string, until: (body: Json) => boolean, tries = 2000): Promise<Json> {
    let last: Json;
    for (let i = 0; i < tries; i++) {
      const s = await this.status(project);
      last = s.body;
      if (s.status === 200 && until(s.body)) return s.body;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`condition never held; last status: ${JSON.stringify(last)}`);
  }
}

/** A temp folder, removed by `cleanup`. */
export async function tempDir(prefix = 'gm-emu-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes files (relative path → content) below a folder. */
export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(root, ...rel.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** Starts an emulator on 127.0.0.1 port 0 with a temp data dir; returns it with a client and a cleanup. */
export async function setup(options: EmulatorOptions = {}): Promise<{
  emulator: RunningEmulator;
  client: Client;
  dataDir: string;
  cleanup: () => Promise<void>;
}> {
  const dataDir = options.dataDir ?? (await tempDir('gm-emu-data-'));
  const emulator = await startEmulator({ timeScale: 0.005, ...options, dataDir });
  return {
    emulator,
    client: new Client(emulator.url),
    dataDir,
    cleanup: async () => {
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A submit body in the wire shape (envoy-wire.md) for one job. */
export function job(
  project: string,
  overrides: Record<string, Json> = {},
  params: Record<string, Json> = {},
): Json {
  return {
    id: overrides.id ?? `job-${Math.random().toString(16).slice(2)}`,
    name: 'test job',
    app: 'blender',
    app_version: '2.80',
    operation: 'render',
    path: `/${project}/scene.blend`,
    dependencies: [],
    ...overrides,
    params: {
      frames: '1 3',
      output_dir_name: 'my_results',
      output_upload: [`/${project}/render_results/my_results/.+`],
      billing_meta: [overrides.app ?? 'blender'],
      ...params,
    },
  };
}

/** A full submit body. */
export function submitBody(
  project: string,
  localRoot: string,
  files: string[],
  jobs: Json[],
  extra: Record<string, Json> = {},
): Json {
  return {
    project_request: { name: `${project} 2026-Jan-01 10:00:00 AM`, params: {}, jobs },
    project_files: { localRoot, remoteRoot: `/${project}`, files },
    watch_files: {},
    ...extra,
  };
}

/** An answer read with node:http, which (unlike fetch) sends any `Host`, `Origin` or content type asked for. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends one request with exactly the headers given (plus a `Host` naming 127.0.0.1 unless one is given). */
export function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method,
        path,
        agent: false,
        headers: {
          host: `${hostname}:${port}`,
          ...headers,
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The state of a project's first job recorded on disk (snapshot and journal), as a restart would find it. */
export async function durableJobState(dataDir: string, project: string): Promise<string | undefined> {
  const { state } = await loadState(dataDir, { tidy: false });
  return state.projects[project]?.jobs[0]?.state;
}

/** Frames of a project's first job recorded on disk (snapshot and journal), as a restart would find them. */
export async function durableFramesDone(dataDir: string, project: string): Promise<number> {
  const { state } = await loadState(dataDir, { tidy: false });
  return state.projects[project]?.jobs[0]?.done.size ?? 0;
}
