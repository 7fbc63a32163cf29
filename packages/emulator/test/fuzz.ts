/**
 * A fuzzer generated from the contract: fast-check arbitraries built from each operation's parameters and
 * request schema (with hostile values for the fields that become files, paths, patterns and map keys), sent to
 * the emulator bin running as its own process in a sandbox folder, every answer checked against the contract.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join, relative, sep } from 'node:path';
import fc from 'fast-check';
import { contractProblems, loadContract } from '../src/contract.js';
import { DEMO_USER } from '../src/index.js';
import { tempDir } from './helpers.js';
import { killHard, spawnEmulator } from './spawn.js';

// biome-ignore lint/suspicious/noExplicitAny: the contract is untyped JSON here
type Json = any;

const contract = loadContract() as Json;

/** What kind of hostile (or ordinary) request one generated request is. */
export type Kind =
  | 'contract'
  | 'foreign Host'
  | 'foreign Origin'
  | 'cross-site fetch'
  | 'not JSON (415)'
  | 'malformed JSON'
  | 'body over 16 MiB'
  | 'path parameter over 2,000 chars'
  | 'request line over 16 KiB';

interface Generated {
  kind: Kind;
  method: 'GET' | 'POST';
  template: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** One answer as the fuzzer saw it. */
export interface Seen {
  kind: Kind;
  method: string;
  template: string;
  status: number;
  problems: string[];
}

/** The figures of one run. */
export interface FuzzReport {
  requests: number;
  fiveHundreds: number;
  violations: number;
  /** Up to 20 examples of violations. */
  examples: string[];
  /** Answers by kind of request, then status. */
  byKind: Map<Kind, Map<number, number>>;
  /** Milliseconds the first request after the run took. */
  aliveMs: number;
  /** Files created or changed outside the data folder and the download folders. */
  strayWrites: string[];
  seconds: number;
}

/** Sandbox layout: everything the emulator may touch lies below `root`. */
interface Sandbox {
  root: string;
  data: string;
  src: string;
  downloads: string[];
  home: string;
}

async function makeSandbox(): Promise<Sandbox> {
  const root = await tempDir('gm-emu-fuzz-');
  const sb: Sandbox = {
    root,
    data: join(root, 'data'),
    src: join(root, 'src'),
    downloads: [join(root, 'dl1'), join(root, 'dl 2')],
    home: join(root, 'home'),
  };
  await mkdir(join(sb.src, 'sub'), { recursive: true });
  await mkdir(sb.home, { recursive: true });
  await mkdir(join(root, 'tmp'), { recursive: true });
  await writeFile(join(sb.src, 'scene.blend'), 'scene');
  await writeFile(join(sb.src, 'a.txt'), 'a');
  await writeFile(join(sb.src, 'sub', 'b.txt'), 'b');
  await writeFile(join(root, 'secret.txt'), 'private key');
  await writeFile(join(sb.home, '.profile'), 'home file');
  try {
    await symlink(join(root, 'secret.txt'), join(sb.src, 'link-out'));
  } catch {
    // No symlinks here (Windows without the right): that case is left out.
  }
  return sb;
}

/** Every file below `dir` with a hash of its content (links not followed). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    out.set(
      file,
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Values: the strings that matter for each kind of field.

const NAMES = [
  'p1',
  'p2',
  'shot_010',
  'sample project',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'CON',
  'nul.txt',
  'com1',
  '.',
  '..',
  'a.',
  'a ',
  'a\u0000b',
  'a\u0007b',
  'a\u007fb',
  'a:b',
  'a<b',
  'a?b',
  'a*b',
  'é'.repeat(100),
  'é'.repeat(101),
  'n'.repeat(200),
  'n'.repeat(256),
  'n'.repeat(300),
  'dir/sub',
  'a\\b',
  '',
  ' ',
  '%2e%2e',
];

function pools(sb: Sandbox) {
  const name = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  );
  const goodProject = fc.constantFrom('p1', 'p2', 'shot_010', 'constructor');
  const localRoot = fc.constantFrom(
    sb.src,
    sb.src,
    sb.src,
    join(sb.src, 'sub'),
    sb.root,
    join(sb.root, 'missing'),
    sb.home,
    '/',
    'relative/folder',
    'C:\\sample_project',
    join(sb.src, 'scene.blend'),
    `${sb.src}${sep}..${sep}`,
  );
  const file = fc.constantFrom(
    'scene.blend',
    'scene.blend',
    'a.txt',
    'sub/b.txt',
    './a.txt',
    'sub//b.txt',
    '../secret.txt',
    'sub/../../secret.txt',
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    'sub\\b.txt',
    'link-out',
    'missing.txt',
    'sub',
    '..',
    'constructor',
    '__proto__',
  );
  const remoteRoot = fc.oneof(
    { weight: 4, arbitrary: goodProject.map((p) => `/${p}`) },
    { weight: 2, arbitrary: name.map((n) => `/${n}`) },
    { weight: 1, arbitrary: fc.tuple(goodProject, name).map(([p, n]) => `/${p}/${n}`) },
    { weight: 1, arbitrary: fc.constantFrom('/', '//', 'p1', '/p1/../p2', '/p1/./x', '\\p1') },
  );
  const frames = fc.oneof(
    fc.constantFrom(
      '1',
      '1 3',
      '1 4,3 6',
      '1 10 3',
      '-2 2',
      '0 0 1',
      '1 100001',
      '1 9007199254740993',
      '5 1',
      '1 3 0',
      'a',
      '',
      ',',
      '1 2 3 4',
      '1e3',
    ),
    fc.string({ maxLength: 12 }),
  );
  const pattern = fc.oneof(
    { weight: 4, arbitrary: goodProject.map((p) => `/${p}/render_results/.+`) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '.+',
        '/p1/render_results/out/(a+)+b',
        '/p1/render_results/(.*)*x',
        '(?<=x)a',
        '(a)\\1',
        '([',
        '/p1/render_results/../.+',
        '/p1/render_results/\\.\\./.+',
        '\\\\p1\\\\render_results\\\\.+',
        'a'.repeat(1001),
        '',
        'constructor',
        '__proto__',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );
  const folder = fc.constantFrom(
    ...sb.downloads,
    sb.downloads[0] as string,
    'relative/dl',
    'C:\\results',
    '',
  );
  const app = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom('blender', 'c4d', 'hou', 'maya', 'nuke', 'vray') },
    { weight: 1, arbitrary: fc.constantFrom('constructor', '__proto__', 'toString', 'unknown', '') },
  );
  const version = fc.constantFrom(
    '2.80',
    '4.2',
    'R20',
    '17.5.173',
    '2020',
    '13.2v8',
    '5.00.05',
    '9.9',
    'constructor',
    '',
  );
  const operation = fc.constantFrom(
    'render',
    'render',
    'sim',
    'composite',
    'batch',
    'constructor',
    'hasOwnProperty',
    'x',
  );
  const machine = fc.constantFrom('', 'gm4800', 'gm6400', '1xp100-ob220', 'constructor', 'nope');
  const plugin = fc.constantFrom(
    'arnold',
    'redshift:2.6.44',
    'hou_redshift:2.6.38',
    'vray',
    'blender_vray:4.10.03',
    'constructor',
    '__proto__:1',
    'x:',
  );
  const jobId = fc.constantFrom('j1', 'j2', 'j3', 'j4', 'constructor', '__proto__');
  return {
    name,
    goodProject,
    localRoot,
    file,
    remoteRoot,
    frames,
    pattern,
    folder,
    app,
    version,
    operation,
    machine,
    plugin,
    jobId,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries from the contract's schemas, with the pools above for fields whose names say what they hold.

function deref(schema: Json): Json {
  let s = schema;
  while (s?.$ref) {
    const parts = String(s.$ref).replace(/^#\//, '').split('/');
    s = parts.reduce((o: Json, k: string) => o?.[k], contract);
  }
  return s;
}

type Pools = ReturnType<typeof pools>;

function fieldArb(key: string, p: Pools): fc.Arbitrary<unknown> | null {
  switch (key) {
    case 'localRoot':
      return p.localRoot;
    case 'remoteRoot':
      return p.remoteRoot;
    case 'files':
      return fc.array(p.file, { minLength: 0, maxLength: 4 });
    case 'frames':
      return p.frames;
    case 'app':
      return p.app;
    case 'app_version':
      return p.version;
    case 'operation':
      return p.operation;
    case 'machine_type':
      return p.machine;
    case 'plugins':
    case 'billing_meta':
      return fc.array(p.plugin, { maxLength: 3 });
    case 'output_prefix':
    case 'output_dir_name':
    case 'name':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('out', 'beauty', 'shot 2026-Jan-01 10:00:00 AM') },
        { weight: 2, arbitrary: p.name },
      );
    case 'output_format':
      return fc.constantFrom(
        'png',
        'PNG',
        'tiff',
        'jpeg',
        'open_exr',
        '.exr',
        'constructor',
        'x'.repeat(300),
        '!!',
        '',
      );
    case 'id':
      return p.jobId;
    case 'dependencies':
      return fc.array(p.jobId, { maxLength: 3 });
    case 'instances':
      return fc.constantFrom(1, 2, 20, 0, -1, 1.5, 1e9);
    case 'path':
      return fc.oneof(
        p.goodProject.map((x) => `/${x}/scene.blend`),
        fc.constantFrom('scene.blend', '/p1/missing', '/p1/../p2/scene.blend', ''),
      );
    case 'watch_files':
      return fc.dictionary(p.pattern, p.folder, { maxKeys: 3 });
    case 'Username':
      return fc.constantFrom(DEMO_USER.email, DEMO_USER.email.toUpperCase(), 'nobody@x.y', '', 'constructor');
    case 'AccessKey':
      return fc.constantFrom(DEMO_USER.accessKey, 'wrong', '');
    case 'Password':
      return fc.constantFrom(DEMO_USER.password, 'wrong');
    default:
      return null;
  }
}

function schemaArb(schema: Json, p: Pools, key: string, depth: number): fc.Arbitrary<unknown> {
  const s = deref(schema);
  const hinted = fieldArb(key, p);
  const junk = fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.boolean(),
    fc.string({ maxLength: 8 }),
    fc.constant({}),
    fc.constant([]),
  );
  const wrap = (a: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 30, arbitrary: a }, { weight: 1, arbitrary: junk });
  if (hinted) return wrap(hinted);
  if (!s || depth > 6) return junk;
  if (s.enum) return wrap(fc.constantFrom(...s.enum, 'constructor'));
  if (s.oneOf || s.anyOf)
    return wrap(fc.oneof(...(s.oneOf ?? s.anyOf).map((x: Json) => schemaArb(x, p, key, depth + 1))));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'string') return wrap(p.name);
  if (type === 'integer') return wrap(fc.integer({ min: -5, max: 100 }));
  if (type === 'number')
    return wrap(fc.oneof(fc.double({ min: -10, max: 1000, noNaN: true }), fc.constantFrom(0, 0.5, 5, 1e9)));
  if (type === 'boolean') return wrap(fc.boolean());
  if (type === 'array') {
    const max = key === 'jobs' ? 3 : key === 'upload' ? 2 : 3;
    return wrap(
      fc.array(schemaArb(s.items ?? {}, p, key === 'upload' ? 'upload[]' : `${key}[]`, depth + 1), {
        maxLength: max,
      }),
    );
  }
  if (type === 'object' || s.properties) {
    const props = (s.properties ?? {}) as Record<string, Json>;
    const required = new Set<string>(s.required ?? []);
    const entries = Object.entries(props).map(([k, v]) => {
      const arb = schemaArb(v, p, k, depth + 1);
      // Required fields nearly always, optional ones half the time.
      return fc.option(
        arb.map((x) => [k, x] as const),
        { freq: required.has(k) ? 20 : 1, nil: undefined },
      );
    });
    const extra = fc.option(
      fc.tuple(fc.constantFrom('constructor', 'toString', 'x', 'hasOwnProperty'), junk),
      { freq: 5, nil: undefined },
    );
    return wrap(
      fc.tuple(fc.tuple(...entries), extra).map(([list, more]) => {
        const o: Record<string, unknown> = {};
        for (const e of list) if (e) o[e[0]] = e[1];
        if (more) o[more[0]] = more[1];
        return o;
      }),
    );
  }
  return junk;
}

/** A submit whose project, files, products and watch folders mostly agree, with hostile values mixed in. */
function coherentSubmit(sb: Sandbox, p: Pools): fc.Arbitrary<unknown> {
  const products = fc.constantFrom(
    ['blender', '2.80', 'render'],
    ['blender', '4.2', 'render'],
    ['c4d', 'R20', 'render'],
    ['hou', '17.5.173', 'sim'],
    ['nuke', '13.2v8', 'composite'],
  );
  const name = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('out', 'beauty', 'my_results') },
    { weight: 1, arbitrary: p.name },
  );
  const jobArb = (project: string) =>
    fc
      .record(
        {
          id: p.jobId,
          product: products,
          frames: fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom('1', '1 3', '1 4,3 6', '2 8 3') },
            { weight: 1, arbitrary: p.frames },
          ),
          instances: fc.constantFrom(1, 2, 4),
          prefix: fc.option(name, { nil: undefined }),
          dir: fc.option(name, { nil: undefined }),
          format: fc.constantFrom('png', 'PNG', 'tiff', undefined),
          budget: fc.option(
            fc.record({
              value: fc.constantFrom(1, 2, 5),
              action: fc.constantFrom('stop', 'suspend', 'alert'),
            }),
            { freq: 4, nil: undefined },
          ),
          dependencies: fc.array(p.jobId, { maxLength: 2 }),
        },
        { requiredKeys: ['id', 'product', 'frames', 'instances', 'format', 'dependencies'] },
      )
      .map((j) => ({
        id: j.id,
        name: 'fuzz job',
        app: j.product[0],
        app_version: j.product[1],
        operation: j.product[2],
        path: `/${project}/scene.blend`,
        dependencies: j.dependencies,
        params: {
          frames: j.frames,
          instances: j.instances,
          billing_meta: [j.product[0]],
          ...(j.prefix === undefined ? {} : { output_prefix: j.prefix }),
          ...(j.dir === undefined ? {} : { output_dir_name: j.dir }),
          ...(j.format === undefined ? {} : { output_format: j.format }),
          ...(j.budget ? { credits_budget: j.budget } : {}),
        },
      }));
  return p.goodProject.chain((project) =>
    fc.record({
      project_request: fc.record({
        name: fc.oneof(
          { weight: 4, arbitrary: fc.constant(`${project} 2026-Jan-01 10:00:00 AM`) },
          { weight: 1, arbitrary: p.name },
        ),
        params: fc.constant({}),
        jobs: fc.array(jobArb(project), { minLength: 1, maxLength: 3 }),
      }),
      project_files: fc.record({
        localRoot: fc.oneof(
          { weight: 5, arbitrary: fc.constant(sb.src) },
          { weight: 1, arbitrary: p.localRoot },
        ),
        remoteRoot: fc.constant(`/${project}`),
        files: fc.oneof(
          { weight: 5, arbitrary: fc.constant(['scene.blend', 'sub/b.txt']) },
          { weight: 1, arbitrary: fc.array(p.file, { maxLength: 3 }) },
        ),
      }),
      watch_files: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constant({ [`/${project}/render_results/.+`]: sb.downloads[0] as string }),
        },
        { weight: 1, arbitrary: fc.dictionary(p.pattern, p.folder, { maxKeys: 2 }) },
      ),
    }),
  );
}

function operations(): { method: 'GET' | 'POST'; template: string; op: Json }[] {
  const out: { method: 'GET' | 'POST'; template: string; op: Json }[] = [];
  for (const [template, item] of Object.entries(contract.paths as Record<string, Json>)) {
    for (const method of ['get', 'post'] as const) {
      if (item[method])
        out.push({ method: method.toUpperCase() as 'GET' | 'POST', template, op: item[method] });
    }
  }
  return out;
}

/** The request arbitrary: one operation of the contract with generated parameters, body and headers. */
function requestArb(sb: Sandbox, port: number): fc.Arbitrary<Generated> {
  const p = pools(sb);
  const perOp = operations().map(({ method, template, op }) => {
    const params = (op.parameters ?? []) as Json[];
    const pathParams = params.filter((x) => x.in === 'path');
    const queryParams = params.filter((x) => x.in === 'query');
    const pathArb = fc.tuple(
      ...pathParams.map(() =>
        fc.oneof(
          { weight: 3, arbitrary: p.goodProject.map(encodeURIComponent) },
          { weight: 3, arbitrary: p.name.map(encodeURIComponent) },
          { weight: 1, arbitrary: fc.constantFrom('', '..', '%', '%E0%A4%A', 'a%2Fb', '%00', '.%2e') },
        ),
      ),
    );
    const queryArb = fc.tuple(
      ...queryParams.map((q) => {
        const values =
          q.name === 'product'
            ? p.app
            : q.name === 'operation'
              ? p.operation
              : q.name === 'plugins'
                ? p.plugin
                : schemaArb(q.schema?.items ?? q.schema, p, q.name, 0).map(String);
        return fc.option(
          fc
            .array(values, { minLength: 1, maxLength: q.name === 'plugins' ? 3 : 2 })
            .map((vs) => vs.map((v) => `${q.name}=${encodeURIComponent(String(v))}`).join('&')),
          {
            freq: q.required ? 15 : 2,
            nil: undefined,
          },
        );
      }),
    );
    const body = op.requestBody?.content?.['application/json']?.schema;
    let bodyArb: fc.Arbitrary<unknown> = body ? schemaArb(body, p, 'body', 0) : fc.constant(undefined);
    // Submits whose parts agree with each other (same project, a product with its version) reach the jobs.
    if (template === '/project-submit') bodyArb = fc.oneof(bodyArb, coherentSubmit(sb, p));
    return fc.tuple(pathArb, queryArb, bodyArb).map(([ps, qs, b]): Generated => {
      let i = 0;
      const path = template.replace(/\{[^}]+\}/g, () => ps[i++] ?? '');
      const query = qs.filter((x) => x !== undefined).join('&');
      return {
        kind: 'contract',
        method,
        template,
        path: query ? `${path}?${query}` : path,
        headers: b === undefined ? {} : { 'content-type': 'application/json' },
        ...(b === undefined ? {} : { body: JSON.stringify(b) }),
      };
    });
  });
  const base = fc.oneof(...perOp);
  const host = `127.0.0.1:${port}`;
  // Hostile twists on a contract request.
  return fc
    .tuple(
      base,
      fc.constantFrom<Kind>(
        ...(Array(60).fill('contract') as Kind[]),
        'foreign Host',
        'foreign Host',
        'foreign Origin',
        'foreign Origin',
        'cross-site fetch',
        'not JSON (415)',
        'not JSON (415)',
        'malformed JSON',
        'malformed JSON',
        'path parameter over 2,000 chars',
        'request line over 16 KiB',
      ),
      fc.constantFrom(
        `evil.example:${port}`,
        'evil.example',
        `localhost:${port + 1}`,
        `127.0.0.1.evil.example:${port}`,
      ),
      fc.constantFrom('http://evil.example', 'null', `http://localhost:${port}`, 'https://localhost'),
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json-patch+json',
      ),
      fc.constantFrom(
        '{',
        '',
        '[',
        '{"a":',
        'nul',
        '{"__proto__":{"x":1}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '\u0000',
      ),
      fc.noBias(fc.nat({ max: 999 })),
    )
    .map(([r, kind, badHost, origin, type, broken, dice]): Generated => {
      const headers = { host, ...r.headers };
      switch (kind) {
        case 'foreign Host':
          return { ...r, kind, headers: { ...headers, host: badHost } };
        case 'foreign Origin':
          return { ...r, kind, headers: { ...headers, origin } };
        case 'cross-site fetch':
          return { ...r, kind, headers: { ...headers, 'sec-fetch-site': 'cross-site' } };
        case 'not JSON (415)':
          if (r.method !== 'POST') break;
          return { ...r, kind, headers: { ...headers, 'content-type': type } };
        case 'malformed JSON':
          if (r.method !== 'POST') break;
          return { ...r, kind, body: broken };
        case 'path parameter over 2,000 chars':
          if (!r.template.includes('{')) break;
          return { ...r, kind, path: r.template.replace(/\{[^}]+\}/, 'x'.repeat(2500)) };
        case 'request line over 16 KiB':
          return {
            ...r,
            kind,
            path: `${r.path}${r.path.includes('?') ? '&' : '?'}pad=${'x'.repeat(17_000)}`,
          };
      }
      // One in a thousand: a body over the 16 MiB limit.
      if (dice === 500 && r.method === 'POST') {
        return { ...r, kind: 'body over 16 MiB', body: Buffer.alloc(17 * 1024 * 1024, 0x20) };
      }
      return { ...r, headers };
    });
}

// ---------------------------------------------------------------------------------------------------------

function send(port: number, g: Generated): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: g.method,
        path: g.path,
        agent: false,
        headers: {
          ...g.headers,
          ...(g.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(g.body)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    if (g.body !== undefined && g.body.length > 1024 * 1024) {
      // A body over the limit is refused from its Content-Length, before it is read: wait for that answer
      // first (writing 17 MiB into a socket the server has closed fails with EPIPE).
      req.flushHeaders();
      const later = setTimeout(() => req.end(g.body), 3000);
      req.once('response', () => clearTimeout(later));
    } else {
      req.end(g.body);
    }
  });
}

/** Problems of one answer against the contract: status, content type and body schema. */
export function answerProblems(
  template: string,
  method: string,
  status: number,
  type: string,
  text: string,
): string[] {
  const op = contract.paths[template]?.[method.toLowerCase()];
  if (!op) return [`${method} ${template} is not in the contract`];
  let response = op.responses[String(status)];
  if (!response) return [`${method} ${template} answered ${status}, which the contract does not list`];
  let ref = `contract#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${status}`;
  if (response.$ref) {
    const name = String(response.$ref).split('/').pop() as string;
    response = contract.components.responses[name];
    ref = `contract#/components/responses/${name}`;
  }
  const media = type.split(';')[0]?.trim() ?? '';
  if (!response.content?.[media])
    return [`${method} ${template} ${status}: content type "${type}" is not in the contract`];
  let body: unknown = text;
  if (media === 'application/json') {
    try {
      body = JSON.parse(text);
    } catch {
      return [`${method} ${template} ${status}: body is not JSON: ${text.slice(0, 80)}`];
    }
  }
  return contractProblems({ $ref: `${ref}/content/${media.replace(/\//g, '~1')}/schema` }, body).map(
    (x) => `${method} ${template} ${status}: ${x}`,
  );
}

/**
 * Starts the bin in a fresh sandbox, logs in, sends `requests` generated requests (`concurrency` at a time),
 * then checks the process still answers and that nothing was written outside the data and download folders.
 */
export async function fuzzEmulator(options: {
  requests: number;
  seed?: number;
  concurrency?: number;
}): Promise<FuzzReport> {
  const started = Date.now();
  const sb = await makeSandbox();
  const before = await snapshot(sb.root);
  let child: ChildProcess | null = null;
  try {
    const spawned = await spawnEmulator(['--data-dir', sb.data, '--time-scale', '0.002'], {
      cwd: sb.home,
      env: {
        ...process.env,
        HOME: sb.home,
        USERPROFILE: sb.home,
        TMPDIR: join(sb.root, 'tmp'),
        TEMP: join(sb.root, 'tmp'),
      },
    });
    child = spawned.child;
    const port = Number(new URL(spawned.url).port);
    const login = JSON.stringify({ Username: DEMO_USER.email, AccessKey: DEMO_USER.accessKey });
    const auth = {
      method: 'POST' as const,
      template: '/auth',
      path: '/auth',
      kind: 'contract' as const,
      body: login,
    };
    await send(port, { ...auth, headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' } });
    const generated = fc.sample(requestArb(sb, port), { numRuns: options.requests, seed: options.seed ?? 9 });
    const report: FuzzReport = {
      requests: 0,
      fiveHundreds: 0,
      violations: 0,
      examples: [],
      byKind: new Map(),
      aliveMs: Number.NaN,
      strayWrites: [],
      seconds: 0,
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < generated.length) {
        const g = generated[next++] as Generated;
        let status = 0;
        let problems: string[];
        try {
          const a = await send(port, g);
          status = a.status;
          problems = answerProblems(g.template, g.method, a.status, a.type, a.text);
          if (status >= 500) {
            report.fiveHundreds++;
            problems.push(`${g.method} ${g.path.slice(0, 80)} answered ${status}: ${a.text.slice(0, 300)}`);
          }
        } catch (err) {
          problems = [`${g.method} ${g.path.slice(0, 80)}: ${(err as Error).message}`];
        }
        report.requests++;
        const counts = report.byKind.get(g.kind) ?? new Map<number, number>();
        counts.set(status, (counts.get(status) ?? 0) + 1);
        report.byKind.set(g.kind, counts);
        if (problems.length > 0) {
          report.violations++;
          if (report.examples.length < 20)
            report.examples.push(`${problems.join('; ')} [${(g.body ?? '').toString().slice(0, 1500)}]`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    // Still alive and answering.
    const t = performance.now();
    const alive = await send(port, {
      method: 'GET',
      template: '/credits-info',
      path: '/credits-info',
      kind: 'contract',
      headers: { host: `127.0.0.1:${port}` },
    });
    report.aliveMs = performance.now() - t;
    if (alive.status !== 200 || child.exitCode !== null)
      throw new Error(`the emulator stopped answering: ${alive.status}`);
    // Let background work (uploads, frames, downloads) stop, then look for writes outside the allowed folders.
    await killHard(child);
    child = null;
    const allowed = [sb.data, ...sb.downloads];
    const after = await snapshot(sb.root);
    for (const [file, hash] of after) {
      if (allowed.some((dir) => !relative(dir, file).startsWith('..'))) continue;
      if (file.startsWith(join(sb.root, 'tmp'))) continue;
      if (before.get(file) !== hash) report.strayWrites.push(file);
    }
    for (const file of before.keys()) if (!after.has(file)) report.strayWrites.push(`${file} (removed)`);
    report.seconds = (Date.now() - started) / 1000;
    return report;
  } finally {
    if (child) await killHard(child);
    await rm(sb.root, { recursive: true, force: true });
  }
}

/** The report as a Markdown table of figures and one of answers by kind of request. */
export function formatReport(r: FuzzReport, command: string): string {
  const lines = [
    `command: ${command}`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| requests fuzzed | ${r.requests} |`,
    `| 5xx answers | ${r.fiveHundreds} |`,
    `| contract violations | ${r.violations} |`,
    `| first answer after the run | ${r.aliveMs.toFixed(1)} ms |`,
    `| files written outside the data and download folders | ${r.strayWrites.length} |`,
    `| duration | ${r.seconds.toFixed(1)} s |`,
    '',
    '| kind of request | sent | answers by status |',
    '| --- | --- | --- |',
  ];
  for (const [kind, counts] of [...r.byKind].sort((a, b) => a[0].localeCompare(b[0]))) {
    const sent = [...counts.values()].reduce((a, b) => a + b, 0);
    const statuses = [...counts]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ');
    lines.push(`| ${kind} | ${sent} | ${statuses} |`);
  }
  return lines.join('\n');
}
