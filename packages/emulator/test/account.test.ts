import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRODUCTS, DEMO_USER, startEmulator } from '../src/index.js';
import { type Client, type Json, setup, tempDir, templateOf } from './helpers.js';

describe('account, catalogue and request validation', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let client: Client;
  beforeAll(async () => {
    env = await setup();
    client = env.client;
  });
  afterAll(() => env.cleanup());

  it('checks every answer on a contract path against the contract (the test client finds the path)', () => {
    expect(templateOf('/project-status/a%20b')).toBe('/project-status/{name}');
    expect(templateOf('/machines?product=c4d&operation=render')).toBe('/machines');
    expect(templateOf('/project/x/Files')).toBe('/project/{name}/Files');
    expect(templateOf('/no-such-thing')).toBeUndefined();
  });

  it('binds to 127.0.0.1 on a free port', () => {
    expect(env.emulator.url).toBe(`http://127.0.0.1:${env.emulator.port}`);
    expect(env.emulator.port).toBeGreaterThan(0);
  });

  it('answers 401 text/plain to user calls before any authentication', async () => {
    const calls: [string, string, Json?][] = [
      ['GET', '/credits-info'],
      ['GET', '/user-info'],
      ['GET', '/products'],
      ['GET', '/machines?product=c4d&operation=render'],
      ['GET', '/project-status/x', undefined],
      ['GET', '/projects'],
      ['GET', '/project/x/Files'],
    ];
    const templates: Record<string, string> = {
      '/machines?product=c4d&operation=render': '/machines',
      '/project-status/x': '/project-status/{name}',
      '/project/x/Files': '/project/{name}/Files',
    };
    for (const [method, path] of calls) {
      const a = await client.call(method, path, { template: templates[path] ?? path });
      expect(a.status, path).toBe(401);
      expect(a.type).toMatch(/^text\/plain/);
    }
    const up = await client.call('POST', '/upload', {
      body: { upload: [{ localRoot: '/tmp', remoteRoot: '/p', files: ['a'] }] },
      template: '/upload',
    });
    expect(up.status).toBe(401);
  });

  it('refuses wrong credentials with 401 text/plain', async () => {
    const wrongKey = await client.login(DEMO_USER.email, 'nope');
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.type).toMatch(/^text\/plain/);
    expect(wrongKey.body).not.toContain('nope');
    const unknown = await client.login('nobody@example.com', DEMO_USER.accessKey);
    expect(unknown.status).toBe(401);
    const wrongPassword = await client.call('POST', '/auth', {
      body: { Username: DEMO_USER.email, Password: 'bad' },
      template: '/auth',
    });
    expect(wrongPassword.status).toBe(401);
    expect((await client.call('GET', '/credits-info', { template: '/credits-info' })).status).toBe(401);
  });

  it('lists every problem of an invalid auth body by field', async () => {
    const a = await client.call('POST', '/auth', { body: { Username: '' }, template: '/auth' });
    expect(a.status).toBe(400);
    const fields = a.body.errors.map((e: Json) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['Username', 'AccessKey', 'Password']));
  });

  it('authenticates with the password too', async () => {
    const a = await client.call('POST', '/auth', {
      body: { Username: DEMO_USER.email, Password: DEMO_USER.password },
      template: '/auth',
    });
    expect(a.status).toBe(200);
    expect(a.body.Email).toBe(DEMO_USER.email);
  });

  it('authenticates with the access key and answers credits and user info', async () => {
    const auth = await client.login();
    expect(auth.status).toBe(200);
    expect(auth.body).toEqual({ Message: expect.any(String), Email: DEMO_USER.email });
    const credits = await client.call('GET', '/credits-info', { template: '/credits-info' });
    expect(credits.body).toEqual({ credits_available: 1000, credits_consumed: 0 });
    const info = await client.call('GET', '/user-info', { template: '/user-info' });
    expect(info.body.data).toEqual({
      created: DEMO_USER.created,
      credits_available: 1000,
      credits_consumed: 0,
      email_address: 'demo@gridmarkets.local',
      job_throughput_limit: 30,
      max_throughput: 30,
      name: 'Demo Artist',
      service_plan: 'Standard',
    });
  });

  it('lists the product catalogue with the documented Houdini combinations', async () => {
    const a = await client.call('GET', '/products', { template: '/products' });
    expect(a.status).toBe(200);
    expect(a.body).toEqual(DEFAULT_PRODUCTS);
    const hou173 = a.body.find((p: Json) => p.app_type === 'hou' && p.version === '17.5.173');
    expect(hou173.compatible_modules).toEqual([
      'hou_redshift:2.6.37',
      'hou_redshift:2.6.38',
      'hou_redshift:2.6.39',
      'htoa:4.0.1',
      'htoa:4.0.2',
    ]);
    const hou229 = a.body.find((p: Json) => p.app_type === 'hou' && p.version === '17.5.229');
    expect(hou229.compatible_modules).toEqual([
      'hou_redshift:2.6.37',
      'hou_redshift:2.6.38',
      'hou_redshift:2.6.39',
    ]);
    const apps = new Set(a.body.map((p: Json) => p.app_type));
    expect([...apps].sort()).toEqual(['blender', 'c4d', 'hou', 'maya', 'nuke', 'vray']);
    const versions = (app: string) =>
      a.body.filter((p: Json) => p.app_type === app).map((p: Json) => p.version);
    expect(versions('nuke')).toEqual(['11.3v5', '12.2v4', '13.2v8']);
    expect(versions('c4d')).toEqual(['R19', 'R20', 'R21', 'S24']);
    expect(versions('blender')).toEqual(expect.arrayContaining(['2.79', '2.80', '2.83', '3.6', '4.2']));
    for (const p of a.body) expect(p.business_vertical).toBe('media');
  });

  it('lists machines by product, operation, category and plugins', async () => {
    const all = await client.call('GET', '/machines?product=c4d&operation=render&category=all', {
      template: '/machines',
    });
    expect(all.status).toBe(200);
    expect(all.body.map((m: Json) => [m.id, m.gpu, m.is_default])).toEqual([
      ['gm4800', false, true],
      ['gm6400', false, false],
      ['1xp100-ob220', true, true],
      ['1xv100-ob330', true, false],
    ]);
    for (const m of all.body) expect(m.credit_rate).toBeGreaterThan(0);
    const cpu = await client.call('GET', '/machines?product=c4d&operation=render&category=cpu', {
      template: '/machines',
    });
    expect(cpu.body.map((m: Json) => m.id)).toEqual(['gm4800', 'gm6400']);
    const gpu = await client.call('GET', '/machines?product=c4d&operation=render&category=gpu', {
      template: '/machines',
    });
    expect(gpu.body.map((m: Json) => m.id)).toEqual(['1xp100-ob220', '1xv100-ob330']);
    const rs = await client.call(
      'GET',
      '/machines?product=c4d&operation=render&plugins=redshift&plugins=arnold',
      {
        template: '/machines',
      },
    );
    expect(rs.body.map((m: Json) => m.id)).toEqual(['1xp100-ob220', '1xv100-ob330']);
    const sim = await client.call('GET', '/machines?product=hou&operation=sim', { template: '/machines' });
    expect(sim.body.length).toBeGreaterThan(0);
  });

  it('refuses unknown products, operations and categories with 400 naming the field', async () => {
    const p = await client.call('GET', '/machines?product=nope&operation=render', { template: '/machines' });
    expect(p.status).toBe(400);
    expect(p.body.errors[0].field).toBe('product');
    const o = await client.call('GET', '/machines?product=c4d&operation=sim', { template: '/machines' });
    expect(o.status).toBe(400);
    expect(o.body.errors[0].field).toBe('operation');
    const c = await client.call('GET', '/machines?product=c4d&operation=render&category=tpu', {
      template: '/machines',
    });
    expect(c.status).toBe(400);
    expect(c.body.errors.map((e: Json) => e.field)).toContain('category');
    const missing = await client.call('GET', '/machines', { template: '/machines' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: Json) => e.field).sort()).toEqual(['operation', 'product']);
  });

  it('answers unknown routes and projects with 404 JSON', async () => {
    const r = await client.call('GET', '/no-such-thing');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ message: expect.any(String) });
    const s = await client.status('missing-project');
    expect(s.status).toBe(404);
    const f = await client.call('GET', '/project/missing-project/Files', {
      template: '/project/{name}/Files',
    });
    expect(f.status).toBe(404);
  });

  it('lists every schema problem of a submit body at once', async () => {
    const a = await client.call('POST', '/project-submit', {
      body: {
        project_request: {
          name: 'x',
          jobs: [
            {
              id: 'a',
              name: 'a',
              app: 'blender',
              app_version: '2.80',
              operation: 'render',
              path: '/p/s.blend',
              params: {},
            },
            {
              id: 'b',
              name: 'b',
              app: 'blender',
              operation: 'render',
              path: '/p/s.blend',
              params: { instances: 0 },
            },
          ],
        },
        project_files: { localRoot: '/tmp', remoteRoot: 'p', files: [] },
      },
      template: '/project-submit',
    });
    expect(a.status).toBe(400);
    const fields = a.body.errors.map((e: Json) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'project_request.jobs[1].app_version',
        'project_request.jobs[1].params.instances',
        'project_files.remoteRoot',
      ]),
    );
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await fetch(`${client.url}/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body.errors.length).toBeGreaterThan(0);
  });
});

describe('configured users and logs', () => {
  it('acts for the user of the last successful auth: their credits, their projects', async () => {
    const env = await setup({
      users: [
        { email: 'a@studio.example', accessKey: 'ka', credits: 5 },
        { email: 'b@studio.example', accessKey: 'kb', credits: 9 },
      ],
    });
    try {
      const c = env.client;
      expect((await c.login('a@studio.example', 'ka')).status).toBe(200);
      expect((await c.call('GET', '/credits-info')).body.credits_available).toBe(5);
      // A file of its own (not the emulator's state file, which is rewritten as it works).
      const local = await tempDir('gm-emu-mine-');
      await writeFile(join(local, 'scene.blend'), 'scene');
      const uploaded = await c.call('POST', '/upload', {
        body: { upload: [{ localRoot: local, remoteRoot: '/mine', files: ['scene.blend'] }] },
      });
      expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
      expect((await c.status('mine')).status).toBe(200);
      expect((await c.login('b@studio.example', 'kb')).status).toBe(200);
      expect((await c.call('GET', '/credits-info')).body.credits_available).toBe(9);
      expect((await c.status('mine')).status).toBe(404);
      expect((await c.call('GET', '/projects', { template: '/projects' })).body.projects).toEqual([]);
      // A failed auth leaves the user Envoy acts for as it was.
      expect((await c.login('a@studio.example', 'wrong')).status).toBe(401);
      expect((await c.call('GET', '/user-info')).body.data.email_address).toBe('b@studio.example');
    } finally {
      await env.cleanup();
    }
  });

  it('uses the configured users and never logs secrets', async () => {
    const lines: string[] = [];
    const env = await setup({
      users: [
        {
          email: 'a@studio.example',
          accessKey: 'key-a-secret',
          password: 'pw-a-secret',
          credits: 5,
          name: 'A',
        },
      ],
      logger: { stream: { write: (l: string) => lines.push(l) }, level: 'trace' },
    });
    try {
      expect((await env.client.login()).status).toBe(401);
      expect((await env.client.login('a@studio.example', 'key-a-secret')).status).toBe(200);
      await env.client.call('POST', '/auth', {
        body: { Username: 'a@studio.example', Password: 'pw-a-secret' },
      });
      // Even a client that puts them in the query string.
      await env.client.call('POST', '/auth?AccessKey=key-a-secret&Password=pw-a-secret', {
        body: { Username: 'a@studio.example', AccessKey: 'key-a-secret' },
      });
      await env.client.call('GET', '/credits-info?key-a-secret');
      const c = await env.client.call('GET', '/credits-info', { template: '/credits-info' });
      expect(c.body.credits_available).toBe(5);
      expect(lines.length).toBeGreaterThan(0);
      const log = lines.join('');
      expect(log).not.toContain('key-a-secret');
      expect(log).not.toContain('pw-a-secret');
      expect(log).toContain('/auth?[redacted]');
    } finally {
      await env.cleanup();
    }
  });
});

describe('catalogue options', () => {
  it('refuses products and machines that do not match the contract, naming each problem', async () => {
    const bad = startEmulator({
      // biome-ignore lint/suspicious/noExplicitAny: deliberately malformed
      products: [{ app_type: 'blender', version: 2, compatible_modules: ['no-colon'] } as any],
      // biome-ignore lint/suspicious/noExplicitAny: deliberately malformed
      machines: { blender: { render: [{ id: 'm', name: 'M', gpu: false, is_default: true } as any] } },
    });
    await expect(bad).rejects.toThrow(/products\[0\]\.version: must be string/);
    await expect(bad).rejects.toThrow(/products\[0\]\.compatible_modules\[0\]/);
    await expect(bad).rejects.toThrow(/machines\.blender\.render\[0\]\.credit_rate: is required/);
  });
});
