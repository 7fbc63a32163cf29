import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER, type EmulatorOptions, guardOptionProblems, startEmulator } from '../src/index.js';
import { type Client, expectContract, job, raw, setup, submitBody, tempDir, writeFiles } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const JSON_TYPE = { 'content-type': 'application/json' };
const login = JSON.stringify({ Username: DEMO_USER.email, AccessKey: DEMO_USER.accessKey });

async function started(options: Parameters<typeof setup>[0] = {}) {
  const s = await setup(options);
  cleanups.push(s.cleanup);
  await s.client.login();
  return s;
}

describe('who may call (a local service is reachable from every web page)', () => {
  let url: string;
  let port: number;
  let local: string;
  let client: Client;
  beforeAll(async () => {
    const s = await started();
    url = s.emulator.url;
    port = s.emulator.port;
    client = s.client;
    local = await tempDir();
    dirs.push(local);
    await writeFiles(local, { 'secret.txt': 'private key' });
  });

  it('refuses a Host that is not its own address (DNS rebinding), for reads and writes', async () => {
    const upload = JSON.stringify({
      upload: [{ localRoot: local, remoteRoot: '/stolen', files: ['secret.txt'] }],
    });
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `localhost.evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      // Other spellings of the loopback a resolver or browser may accept: trailing dots, IPv4 in IPv6 or
      // shorthand, a number, a padded port, names that merely start or end like its own.
      `localhost.:${port}`,
      `127.0.0.1.:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `[0:0:0:0:0:0:0:1]:${port}`,
      `127.1:${port}`,
      `2130706433:${port}`,
      `localhost:0${port}`,
      `evil.localhost:${port}`,
      `localhost:${port}@evil.example`,
      `localhost:${port}, evil.example`,
      'localhost',
    ]) {
      const post = await raw(url, 'POST', '/upload', { ...JSON_TYPE, host }, upload);
      expect(post.status, host).toBe(403);
      expectContract(
        '/upload',
        'post',
        post.status,
        String(post.headers['content-type']),
        JSON.parse(post.text),
      );
      const read = await raw(url, 'GET', '/user-info', { host });
      expect(read.status, host).toBe(403);
      expect(read.text).not.toContain(DEMO_USER.email);
    }
    expect((await client.call('GET', '/projects')).body.projects).toEqual([]);
    // URLs the router cannot read are refused for their Host first too.
    for (const path of ['/project-status/%E0%A4%A', `/project-status/${'x'.repeat(2500)}`]) {
      const bad = await raw(url, 'GET', path, { host: `evil.example:${port}` });
      expect(bad.status, path).toBe(403);
    }
    // HTTP/1.0 without any Host header.
    const bare = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('GET /user-info HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(bare).toMatch(/^HTTP\/1\.[01] 403/);
    expect(bare).not.toContain(DEMO_USER.email);
  });

  it('answers its own names: localhost, 127.0.0.1 and [::1] with its port', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect((await raw(url, 'GET', '/credits-info', { host })).status, host).toBe(200);
    }
  });

  it('refuses any request carrying an Origin, or marked cross-site, and sends no CORS headers', async () => {
    const post = await raw(url, 'POST', '/auth', { ...JSON_TYPE, origin: 'http://evil.example' }, login);
    expect(post.status).toBe(403);
    for (const origin of ['http://evil.example', 'null', `http://localhost:${port}`]) {
      const read = await raw(url, 'GET', '/credits-info', { origin });
      expect(read.status, origin).toBe(403);
      expect(read.text).not.toContain('credits_available');
      expect(read.headers['access-control-allow-origin']).toBeUndefined();
    }
    const crossSite = await raw(url, 'GET', '/user-info', { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const preflight = await raw(url, 'OPTIONS', '/upload', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const plain = await raw(url, 'GET', '/credits-info');
    expect(plain.status).toBe(200);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('takes JSON bodies only: text/plain, forms and no content type get 415', async () => {
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
    ]) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      const res = await raw(url, 'POST', '/auth', headers, login);
      expect(res.status, type).toBe(415);
      expectContract('/auth', 'post', res.status, String(res.headers['content-type']), JSON.parse(res.text));
      expect(JSON.parse(res.text).message).toContain('application/json');
    }
    expect(
      (await raw(url, 'POST', '/auth', { 'content-type': 'application/json; charset=utf-8' }, login)).status,
    ).toBe(200);
  });
});

describe('allowedHosts and allowedOrigins open it up deliberately', () => {
  it('lets a named origin in (with CORS headers) and nothing else', async () => {
    const { emulator } = await started({
      allowedOrigins: ['http://localhost:3000'],
      allowedHosts: ['envoy.test'],
    });
    const { url, port } = emulator;
    const ok = await raw(url, 'GET', '/credits-info', { origin: 'http://localhost:3000' });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const pre = await raw(url, 'OPTIONS', '/project-submit', {
      origin: 'http://localhost:3000',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toBe('content-type');
    const post = await raw(url, 'POST', '/auth', { ...JSON_TYPE, origin: 'http://localhost:3000' }, login);
    expect(post.status).toBe(200);
    for (const origin of [
      'http://localhost:3001',
      'https://localhost:3000',
      'http://localhost:3000.evil.example',
      'http://evil.example',
    ]) {
      const res = await raw(url, 'GET', '/credits-info', { origin });
      expect(res.status, origin).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect((await raw(url, 'GET', '/credits-info', { host: `envoy.test:${port}` })).status).toBe(200);
    expect((await raw(url, 'GET', '/credits-info', { host: `other.test:${port}` })).status).toBe(403);
  });
});

describe('allowedHosts and allowedOrigins that could never match', () => {
  it('are refused when the emulator starts, naming the value and the form to give', async () => {
    const cases: [EmulatorOptions, string][] = [
      [{ allowedOrigins: ['localhost:3000'] }, 'allow-origin "localhost:3000" is not a web origin'],
      [{ allowedOrigins: ['http://localhost:3000/app'] }, 'allow-origin "http://localhost:3000/app"'],
      [{ allowedOrigins: ['http://user@localhost:3000'] }, 'allow-origin "http://user@localhost:3000"'],
      [{ allowedHosts: ['envoy.test:port'] }, 'allow-host "envoy.test:port" is not a host'],
    ];
    for (const [options, named] of cases) {
      await expect(startEmulator({ port: 0, ...options })).rejects.toThrow(named);
    }
    expect(
      guardOptionProblems({ allowedOrigins: ['http://localhost:3000/'], allowedHosts: ['[::1]:8090'] }),
    ).toEqual([]);
  });
});

describe('names that can never become files are refused at submit', () => {
  let client: Client;
  let local: string;
  beforeAll(async () => {
    ({ client } = await started());
    local = await tempDir();
    dirs.push(local);
    await writeFiles(local, { 'scene.blend': 'scene' });
  });
  const submit = (body: unknown) => client.call('POST', '/project-submit', { body });

  it.each([
    ['submission name of 256 characters', { name: 'n'.repeat(256) }, {}, 'project_request.name'],
    [
      'output_prefix with a NUL byte',
      {},
      { output_prefix: 'a\u0000b' },
      'project_request.jobs[0].params.output_prefix',
    ],
    [
      'output_prefix of 300 characters',
      {},
      { output_prefix: 'p'.repeat(300) },
      'project_request.jobs[0].params.output_prefix',
    ],
    [
      'output_prefix a device name',
      {},
      { output_prefix: 'nul.txt' },
      'project_request.jobs[0].params.output_prefix',
    ],
    [
      'output_prefix with a colon',
      {},
      { output_prefix: 'a:b' },
      'project_request.jobs[0].params.output_prefix',
    ],
    [
      'output_dir_name of 300 characters',
      {},
      { output_dir_name: 'd'.repeat(300) },
      'project_request.jobs[0].params.output_dir_name',
    ],
    [
      'output_dir_name ending with a dot',
      {},
      { output_dir_name: 'out.' },
      'project_request.jobs[0].params.output_dir_name',
    ],
    [
      'output_dir_name with a control character',
      {},
      { output_dir_name: 'a\tb' },
      'project_request.jobs[0].params.output_dir_name',
    ],
    [
      'an output format of 300 letters',
      {},
      { output_format: 'x'.repeat(300) },
      'project_request.jobs[0].params.output_format',
    ],
  ])('%s: 400 naming the field', async (_what, request, params, field) => {
    const body = submitBody('names', local, ['scene.blend'], [job('names', {}, params)]);
    Object.assign(body.project_request, request);
    const res = await submit(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses a remote root whose folder name is too long or reserved', async () => {
    for (const remoteRoot of [`/${'r'.repeat(300)}`, '/ok/CON', '/ok/with\u0001control']) {
      const res = await client.call('POST', '/upload', {
        body: { upload: [{ localRoot: local, remoteRoot, files: ['scene.blend'] }] },
      });
      expect(res.status, remoteRoot).toBe(400);
      expect(res.body.errors[0].field).toBe('upload[0].remoteRoot');
    }
  });

  it('accepts names at the limits and finishes the job: 200 UTF-8 bytes, a colon in the submission name', async () => {
    const prefix = 'é'.repeat(100); // 200 bytes
    const body = submitBody(
      'limits',
      local,
      ['scene.blend'],
      [job('limits', {}, { output_prefix: prefix, output_dir_name: 'd'.repeat(200) })],
    );
    body.project_request.name = `${'s'.repeat(190)} 10:00:00`;
    expect((await submit(body)).status).toBe(201);
    const done = await client.waitFor(
      'limits',
      (s) => s.State !== 'Submitted' && s.State !== 'Running' && s.State !== 'Uploading',
    );
    expect(done.Jobs[0].State).toBe('Completed');
    const files = (await client.call('GET', '/project/limits/Files')).body.project_files.all_files;
    expect(files.map((f: { Name: string }) => f.Name)).toContain(
      `render_results/${'d'.repeat(200)}/${prefix}_0001.png`,
    );
  });
});

describe('prototype names are names like any other', () => {
  let client: Client;
  let local: string;
  beforeAll(async () => {
    ({ client } = await started());
    local = await tempDir();
    dirs.push(local);
    await writeFiles(local, { 'scene.blend': 'scene' });
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'GET /machines with %s: 400',
    async (name) => {
      const a = await client.call('GET', `/machines?product=c4d&operation=${name}`);
      expect(a.status).toBe(400);
      expect(a.body.errors[0].field).toBe('operation');
      const b = await client.call('GET', `/machines?product=${name}&operation=render`);
      expect(b.status).toBe(400);
      expect(b.body.errors[0].field).toBe('product');
    },
  );

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'a project named %s is just a project',
    async (name) => {
      expect((await client.call('GET', `/project-status/${name}`)).status).toBe(404);
      expect((await client.call('GET', `/project/${name}/Files`)).status).toBe(404);
      const up = await client.call('POST', '/upload', {
        body: { upload: [{ localRoot: local, remoteRoot: `/${name}`, files: ['scene.blend'] }] },
      });
      expect(up.status).toBe(200);
      const s = await client.waitFor(name, (b) => b.State === 'Uploaded');
      expect(Object.keys(s.Details)).toEqual([`/${name}/scene.blend`]);
    },
  );

  it('a submit naming a prototype app, operation or output format is refused like any unknown one', async () => {
    for (const [over, params, field] of [
      [{ app: 'constructor' }, {}, 'app'],
      [{ operation: 'toString' }, {}, 'operation'],
      [{ app_version: '__proto__' }, {}, 'app_version'],
    ] as const) {
      const res = await client.call('POST', '/project-submit', {
        body: submitBody('proto', local, ['scene.blend'], [job('proto', { ...over }, params)]),
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(
        `project_request.jobs[0].${field}`,
      );
    }
    const ok = await client.call('POST', '/project-submit', {
      body: submitBody(
        'proto',
        local,
        ['scene.blend'],
        [job('proto', {}, { output_format: 'constructor', frames: '1' })],
      ),
    });
    expect(ok.status).toBe(201);
    await client.waitFor('proto', (s) => s.Jobs?.[0]?.State === 'Completed');
    const files = (await client.call('GET', '/project/proto/Files')).body.project_files.all_files;
    expect(files.map((f: { Name: string }) => f.Name)).toContain(
      'render_results/my_results/frame_0001.constructor',
    );
  });
});

describe('watch patterns are RE2: matched in linear time, or refused', () => {
  it('a catastrophic-backtracking pattern does not stall the service', async () => {
    const { client } = await started();
    const local = await tempDir();
    const out = await tempDir();
    dirs.push(local, out);
    await writeFiles(local, { 'scene.blend': 'scene' });
    // With a backtracking engine, matching this pattern against one output path takes minutes.
    const body = submitBody(
      'redos',
      local,
      ['scene.blend'],
      [job('redos', {}, { frames: '1 3', output_dir_name: 'out', output_prefix: 'a'.repeat(40) })],
      {
        watch_files: { '/redos/render_results/out/(a+)+b': out, '/redos/render_results/out/.+': out },
      },
    );
    expect((await client.call('POST', '/project-submit', { body })).status).toBe(201);
    const done = await client.waitFor('redos', (s) => s.State === 'Completed' || s.State === 'Failed');
    expect(done.State).toBe('Completed');
    expect((await readdir(join(out, 'out'))).sort()).toEqual(
      [1, 2, 3].map((f) => `${'a'.repeat(40)}_000${f}.png`),
    );
  });

  it.each([
    ['(?<=x)a', 'not an RE2'],
    ['(a)\\1', 'not an RE2'],
    ['([', 'not an RE2'],
    ['a'.repeat(1001), 'at most 1000'],
    ['/re/render_results/\u0000.+', 'control character \\x00 at 19'],
    ['/re/render_results/a\n.+', 'control character \\x0a at 20'],
  ])('refuses %s with 400 naming watch_files', async (pattern, message) => {
    const { client } = await started();
    const local = await tempDir();
    dirs.push(local);
    await writeFiles(local, { 'scene.blend': 'scene' });
    const body = submitBody('re', local, ['scene.blend'], [job('re')], { watch_files: { [pattern]: local } });
    const res = await client.call('POST', '/project-submit', { body });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toMatch(/^watch_files\[/);
    expect(res.body.errors[0].message).toContain(message);
  });
});

describe('dependency chains', () => {
  const chain = (project: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      job(project, { id: `j${i}`, dependencies: i === 0 ? [] : [`j${i - 1}`] }, { frames: '1' }),
    );

  it('accepts a chain of 9,999 jobs, just under the limit (checked without recursion)', async () => {
    const { client } = await started({ timeScale: 1000 });
    const local = await tempDir();
    dirs.push(local);
    await writeFiles(local, { 'scene.blend': 'scene' });
    const res = await client.call('POST', '/project-submit', {
      body: submitBody('chain', local, ['scene.blend'], chain('chain', 9999)),
    });
    expect(res.status).toBe(201);
    expect(res.body.Jobs).toHaveLength(9999);
    const s = await client.status('chain');
    expect(s.body.Jobs).toHaveLength(9999);
  });

  it('refuses a cycle at the end of a long chain, and more than 10,000 jobs in a project', async () => {
    const { client } = await started({ timeScale: 1000 });
    const local = await tempDir();
    dirs.push(local);
    await writeFiles(local, { 'scene.blend': 'scene' });
    const jobs = chain('cyc', 6000);
    jobs[0].dependencies = ['j5999'];
    const res = await client.call('POST', '/project-submit', {
      body: submitBody('cyc', local, ['scene.blend'], jobs),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toContain('dependency cycle');
    const many = Array.from({ length: 10_001 }, (_, i) => job('many', { id: `m${i}` }, { frames: '1' }));
    const big = await client.call('POST', '/project-submit', {
      body: submitBody('many', local, ['scene.blend'], many),
    });
    expect(big.status).toBe(400);
    expect(big.body.errors.map((e: { field: string }) => e.field)).toContain('project_request.jobs');
  });
});

describe('leftovers', () => {
  it('removes temp files of dead processes at start, keeps those of live ones, writes state.json 0600', async () => {
    const dataDir = await tempDir('gm-emu-data-');
    dirs.push(dataDir);
    // A pid that surely is not running: a process that has exited.
    const dead = Number(
      execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString(),
    );
    const deadTmp = join(
      dataDir,
      'store',
      'p',
      'render_results',
      'out',
      `frame_0001.png.${dead}.0a1b2c3d.tmp`,
    );
    const deadState = join(dataDir, `state.json.${dead}.deadbeef.tmp`);
    const liveTmp = join(dataDir, 'store', 'p', `x.png.${process.pid}.00112233.tmp`);
    const unrelated = join(dataDir, 'store', 'p', 'notes.tmp');
    await writeFiles(dataDir, {
      [`store/p/render_results/out/frame_0001.png.${dead}.0a1b2c3d.tmp`]: 'half',
      [`state.json.${dead}.deadbeef.tmp`]: '{',
      [`store/p/x.png.${process.pid}.00112233.tmp`]: 'being written',
      'store/p/notes.tmp': 'a user file',
    });
    await writeFile(
      join(dataDir, 'state.json'),
      JSON.stringify({ version: 1, currentUser: null, balances: {}, projects: {} }),
      { mode: 0o644 },
    );
    const s = await setup({ dataDir });
    cleanups.push(s.cleanup);
    expect(existsSync(deadTmp)).toBe(false);
    expect(existsSync(deadState)).toBe(false);
    expect(existsSync(liveTmp)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
    await s.client.login();
    await s.emulator.close();
    if (process.platform !== 'win32') {
      expect((await stat(join(dataDir, 'state.json'))).mode & 0o777).toBe(0o600);
    }
  });

  it('keeps an uploaded file whose name looks like a temp file of a dead process', async () => {
    const dataDir = await tempDir('gm-emu-data-');
    const local = await tempDir();
    dirs.push(dataDir, local);
    const dead = Number(
      execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString(),
    );
    const name = `take.${dead}.0a1b2c3d.tmp`;
    await writeFiles(local, { [name]: 'a user file' });
    const first = await setup({ dataDir });
    await first.client.login();
    await first.client.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/keep', files: [name] }] },
    });
    await first.client.waitFor('keep', (s) => s.State === 'Uploaded');
    await first.emulator.close();
    const second = await setup({ dataDir });
    cleanups.push(second.cleanup);
    expect(existsSync(join(dataDir, 'store', 'keep', name))).toBe(true);
    await second.client.login();
    const files = await second.client.call('GET', '/project/keep/Files');
    expect(files.body.project_files.all_files.map((f: { Key: string }) => f.Key)).toEqual([`/keep/${name}`]);
  });
});
