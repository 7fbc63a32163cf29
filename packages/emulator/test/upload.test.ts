import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, type Json, job, setup, submitBody, tempDir, writeFiles } from './helpers.js';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('uploads', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let client: Client;
  let local: string;
  const big = randomBytes(60_000);
  beforeAll(async () => {
    // 20 kB/s shared: the 60 kB file takes a few seconds, so progress can be watched.
    env = await setup({ bandwidth: 40_000 });
    client = env.client;
    await client.login();
    local = await tempDir();
    await writeFiles(local, { 'scene.blend': big, 'tex/wood.png': 'wood', 'notes.txt': 'hello' });
  });
  afterAll(async () => {
    await env.cleanup();
    await rm(local, { recursive: true, force: true });
  });

  it('copies files into the remote store in the background and reports progress', async () => {
    const up = await client.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/shot1', files: ['scene.blend', 'tex/wood.png'] }] },
      template: '/upload',
    });
    expect(up).toMatchObject({ status: 200, body: { ID: 'shot1' } });
    const during = await client.waitFor('shot1', (s) => {
      const f = s.Details['/shot1/scene.blend'];
      return f !== undefined && f.BytesDone > 0 && f.BytesDone < f.BytesTotal;
    });
    expect(during.State).toBe('Uploading');
    expect(during.BytesTotal).toBe(big.length + 4);
    expect(Object.keys(during.Details).sort()).toEqual(['/shot1/scene.blend', '/shot1/tex/wood.png']);
    const file = during.Details['/shot1/scene.blend'];
    expect(file).toMatchObject({ Name: '/shot1/scene.blend', State: 'Uploading', BytesTotal: big.length });
    expect(file.Speed).toBeGreaterThan(0);
    // The totals are the sums over the files.
    const details = Object.values(during.Details) as Json[];
    expect(during.BytesDone).toBe(details.reduce((n, d) => n + d.BytesDone, 0));
    expect(during.BytesDone).toBeLessThan(during.BytesTotal);
    expect(during.Speed).toBe(details.reduce((n, d) => n + Number(d.Speed), 0));
    const done = await client.waitFor('shot1', (s) => s.State !== 'Uploading');
    expect(done.State).toBe('Uploaded');
    expect(done.BytesDone).toBe(done.BytesTotal);
    expect(done.Message).toMatch(/\w+ \w+/);
    for (const d of Object.values(done.Details) as Json[]) expect(d.State).toBe('Completed');
    expect(await readFile(join(env.dataDir, 'store', 'shot1', 'scene.blend'))).toEqual(big);
    expect(await readFile(join(env.dataDir, 'store', 'shot1', 'tex', 'wood.png'), 'utf8')).toBe('wood');
  });

  it('lists projects and files with sha256 checksums', async () => {
    const list = await client.call('GET', '/projects', { template: '/projects' });
    expect(list.body.projects).toEqual([
      {
        name: 'shot1',
        deleting: false,
        num_files: 2,
        total_size: big.length + 4,
        auto_downloading: false,
        watched_list: [],
      },
    ]);
    const files = await client.call('GET', '/project/shot1/Files', { template: '/project/{name}/Files' });
    const byKey = Object.fromEntries(files.body.project_files.all_files.map((f: Json) => [f.Key, f]));
    expect(byKey['/shot1/scene.blend']).toMatchObject({
      Name: 'scene.blend',
      Size: big.length,
      CheckSum: sha(big),
    });
    expect(byKey['/shot1/tex/wood.png']).toMatchObject({
      Name: 'tex/wood.png',
      Size: 4,
      CheckSum: sha('wood'),
    });
    expect(byKey['/shot1/scene.blend'].FmtName).toBe('58.6 KiB');
  });

  it('does not copy a file again when its content is unchanged, and does when it changed', async () => {
    const before = await client.call('GET', '/project/shot1/Files');
    const stamp = (b: Json, key: string) =>
      b.project_files.all_files.find((f: Json) => f.Key === key).LastModified;
    await writeFile(join(local, 'tex/wood.png'), 'oak!');
    await client.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/shot1', files: ['scene.blend', 'tex/wood.png'] }] },
    });
    await client.waitFor('shot1', (s) => s.State === 'Uploaded');
    const after = await client.call('GET', '/project/shot1/Files');
    expect(stamp(after.body, '/shot1/scene.blend')).toBe(stamp(before.body, '/shot1/scene.blend'));
    expect(stamp(after.body, '/shot1/tex/wood.png')).not.toBe(stamp(before.body, '/shot1/tex/wood.png'));
    expect(await readFile(join(env.dataDir, 'store', 'shot1', 'tex', 'wood.png'), 'utf8')).toBe('oak!');
  });

  it('refuses files outside localRoot, absolute, missing or symlinked out, naming each, before copying anything', async () => {
    const outside = await tempDir();
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(join(outside, 'secret.txt'), join(local, 'link.txt'));
    await symlink(outside, join(local, 'linkdir'));
    const a = await client.call('POST', '/upload', {
      body: {
        upload: [
          {
            localRoot: local,
            remoteRoot: '/shot2',
            files: [
              'notes.txt',
              '../secret.txt',
              join(outside, 'secret.txt'),
              'missing.txt',
              'link.txt',
              'linkdir/secret.txt',
              'a/../../x',
            ],
          },
        ],
      },
      template: '/upload',
    });
    expect(a.status).toBe(400);
    expect(a.body.errors.map((e: Json) => e.field)).toEqual([
      'upload[0].files[1]',
      'upload[0].files[2]',
      'upload[0].files[3]',
      'upload[0].files[4]',
      'upload[0].files[5]',
      'upload[0].files[6]',
    ]);
    const named = [
      '../secret.txt',
      join(outside, 'secret.txt'),
      'missing.txt',
      'link.txt',
      'linkdir/secret.txt',
      'a/../../x',
    ];
    for (const [i, e] of (a.body.errors as Json[]).entries()) expect(e.message).toContain(named[i]);
    expect(existsSync(join(env.dataDir, 'store', 'shot2'))).toBe(false);
    const s = await client.status('shot2');
    expect(s.status).toBe(404);
    await rm(outside, { recursive: true, force: true });
  });

  it('accepts a link that stays inside localRoot', async () => {
    await symlink(join(local, 'notes.txt'), join(local, 'inner-link.txt'));
    const a = await client.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/shot3', files: ['inner-link.txt'] }] },
    });
    expect(a.status).toBe(200);
    await client.waitFor('shot3', (s) => s.State === 'Uploaded');
    expect(await readFile(join(env.dataDir, 'store', 'shot3', 'inner-link.txt'), 'utf8')).toBe('hello');
  });

  it('starts a job only once the files of its project are uploaded', async () => {
    await writeFiles(local, { 'gated/scene.blend': randomBytes(30_000) });
    const a = await client.call('POST', '/project-submit', {
      body: submitBody(
        'gated',
        join(local, 'gated'),
        ['scene.blend'],
        [job('gated', { id: 'g1' }, { frames: '1 2' })],
      ),
      template: '/project-submit',
    });
    expect(a.status).toBe(201);
    const during = await client.waitFor('gated', (s) => s.BytesDone > 0 && s.BytesDone < s.BytesTotal);
    expect(during.State).toBe('Uploading');
    expect(during.Jobs[0]).toMatchObject({ State: 'Waiting', FramesDone: 0, FramesRunning: 0 });
    const done = await client.waitFor('gated', (s) => s.State === 'Completed');
    expect(done.Jobs[0]).toMatchObject({ State: 'Completed', FramesDone: 2 });
    await rm(join(local, 'gated'), { recursive: true });
  });

  it('refuses a relative localRoot and a bad remoteRoot', async () => {
    const a = await client.call('POST', '/upload', {
      body: { upload: [{ localRoot: 'relative/dir', remoteRoot: '/../x', files: ['a'] }] },
      template: '/upload',
    });
    expect(a.status).toBe(400);
    expect(a.body.errors.map((e: Json) => e.field).sort()).toEqual([
      'upload[0].localRoot',
      'upload[0].remoteRoot',
    ]);
  });

  it('refuses a project name with ":" (its folder is made on Windows too); folders below it may hold one', async () => {
    const colon = await client.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/a:b', files: ['notes.txt'] }] },
      template: '/upload',
    });
    expect(colon.status).toBe(400);
    expect(colon.body.errors).toEqual([
      { field: 'upload[0].remoteRoot', message: expect.stringContaining('project name "a:b"') },
    ]);
    const below = await client.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/colon_below/a:b', files: ['notes.txt'] }] },
      template: '/upload',
    });
    expect(below.status).toBe(200);
  });
});

describe('uploads without a bandwidth limit (several copies at once)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let local: string;
  const MiB = 1024 * 1024;
  beforeAll(async () => {
    env = await setup();
    await env.client.login();
    local = await tempDir();
    // Big enough that the kernel's copy is still running when the same file is queued again.
    const f = await open(join(local, 'scene.blend'), 'w');
    const chunk = Buffer.alloc(MiB, 7);
    for (let i = 0; i < 96; i++) await f.write(chunk);
    await f.close();
  });
  afterAll(async () => {
    await env.cleanup();
    await rm(local, { recursive: true, force: true });
  });

  it('uploads a file queued again while its first copy is still running', async () => {
    const body = { upload: [{ localRoot: local, remoteRoot: '/twice', files: ['scene.blend'] }] };
    const [a, b] = await Promise.all([
      env.client.call('POST', '/upload', { body, template: '/upload' }),
      env.client.call('POST', '/upload', { body, template: '/upload' }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const done = await env.client.waitFor('twice', (s) => s.State !== 'Uploading');
    expect(done.State).toBe('Uploaded');
    expect(done.Details['/twice/scene.blend']).toMatchObject({ State: 'Completed', BytesDone: 96 * MiB });
    const files = await env.client.call('GET', '/project/twice/Files', { template: '/project/{name}/Files' });
    expect(files.body.project_files.all_files).toMatchObject([
      { Name: 'scene.blend', Size: 96 * MiB, CheckSum: sha(Buffer.alloc(96 * MiB, 7)) },
    ]);
    expect(await readdir(join(env.dataDir, 'store', 'twice'))).toEqual(['scene.blend']);
  }, 60_000);

  it('lists each file with the checksum of its bytes, whatever its size (empty, tiny, small, chunked)', async () => {
    const sizes = [0, 1, 1024, 64 * 1024, 64 * 1024 + 1, MiB, MiB + 1, 3 * MiB + 5];
    const contents = Object.fromEntries(sizes.map((n) => [`sizes/f_${n}.bin`, randomBytes(n)]));
    await writeFiles(local, contents);
    const up = await env.client.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/sizes', files: Object.keys(contents) }] },
      template: '/upload',
    });
    expect(up.status).toBe(200);
    const done = await env.client.waitFor('sizes', (s) => s.State !== 'Uploading');
    expect(done.State).toBe('Uploaded');
    const files = await env.client.call('GET', '/project/sizes/Files', { template: '/project/{name}/Files' });
    const listed = Object.fromEntries(
      files.body.project_files.all_files.map((f: Json) => [f.Name, { Size: f.Size, CheckSum: f.CheckSum }]),
    );
    for (const [name, bytes] of Object.entries(contents)) {
      expect(listed[name], name).toEqual({ Size: bytes.length, CheckSum: sha(bytes) });
      // The store holds the same bytes (compared as buffers: a deep comparison of megabytes is slow).
      expect((await readFile(join(env.dataDir, 'store', 'sizes', name))).equals(bytes), name).toBe(true);
    }
  }, 60_000);
});

describe('a project of many small files, uploaded twice', () => {
  it('lists each file with the checksum of its new content; no temp file is left', async () => {
    const env = await setup();
    const local = await tempDir();
    try {
      await env.client.login();
      // More tiny files than are copied on the emulator's own thread, and larger ones: every copy path.
      const names = [
        ...Array.from({ length: 400 }, (_, i) => `many/tiny_${i}.txt`),
        ...Array.from({ length: 6 }, (_, i) => `many/big_${i}.bin`),
      ];
      const contents = (round: number) =>
        Object.fromEntries(
          names.map((n, i) => [
            n,
            n.includes('big') ? randomBytes(1024 * 1024 + i * 70_000) : `${round}:${n}`,
          ]),
        );
      for (const round of [1, 2]) {
        const files = contents(round);
        await writeFiles(local, files);
        const up = await env.client.call('POST', '/upload', {
          body: { upload: [{ localRoot: local, remoteRoot: '/many', files: names }] },
        });
        expect(up.status).toBe(200);
        const done = await env.client.waitFor('many', (s) => s.State !== 'Uploading');
        expect(done.State).toBe('Uploaded');
        const listed = await env.client.call('GET', '/project/many/Files', {
          template: '/project/{name}/Files',
        });
        const sums = Object.fromEntries(
          listed.body.project_files.all_files.map((f: Json) => [f.Key, f.CheckSum]),
        );
        for (const [name, bytes] of Object.entries(files)) {
          expect(sums[`/many/${name}`], `${name}, round ${round}`).toBe(sha(bytes));
          const stored = await readFile(join(env.dataDir, 'store', 'many', name));
          expect(stored.equals(Buffer.from(bytes)), `${name}, round ${round}`).toBe(true);
        }
      }
      const left = await readdir(join(env.dataDir, 'store', 'many', 'many'));
      expect(left.filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(left).toHaveLength(names.length);
    } finally {
      await env.cleanup();
      await rm(local, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a project holding both a file and that name with .part', () => {
  it.each([
    ['without a bandwidth limit', {}],
    ['with a bandwidth limit', { bandwidth: 10_000_000 }],
  ])('uploads both, each with its own content (%s)', async (_, options) => {
    const env = await setup(options);
    const local = await tempDir();
    try {
      await writeFiles(local, { 'scene.blend': 'the scene', 'scene.blend.part': 'a part of it' });
      await env.client.login();
      // One request per file, the second once the first is in the store: the order a user would take.
      for (const file of ['scene.blend.part', 'scene.blend']) {
        const up = await env.client.call('POST', '/upload', {
          body: { upload: [{ localRoot: local, remoteRoot: '/parts', files: [file] }] },
        });
        expect(up.status).toBe(200);
        await env.client.waitFor('parts', (s) => s.Details[`/parts/${file}`]?.State === 'Completed');
      }
      for (const [name, content] of [
        ['scene.blend', 'the scene'],
        ['scene.blend.part', 'a part of it'],
      ] as const) {
        expect(await readFile(join(env.dataDir, 'store', 'parts', name), 'utf8').catch(() => 'missing')).toBe(
          content,
        );
      }
      const files = await env.client.call('GET', '/project/parts/Files', {
        template: '/project/{name}/Files',
      });
      expect(
        Object.fromEntries(files.body.project_files.all_files.map((f: Json) => [f.Name, f.CheckSum])),
      ).toEqual({ 'scene.blend': sha('the scene'), 'scene.blend.part': sha('a part of it') });
    } finally {
      await env.cleanup();
      await rm(local, { recursive: true, force: true });
    }
  });
});

describe('an upload at the path of a render result', () => {
  it('is listed instead of the result it replaced in the store, until a later render replaces it', async () => {
    const env = await setup({ timeScale: 0.005 });
    const local = await tempDir();
    try {
      const rel = 'render_results/my_results/frame_0001.png';
      await writeFiles(local, { 'scene.blend': 'scene', [rel]: 'retouched' });
      const { client } = env;
      await client.login();
      const render = (id: string, frames: string) =>
        client.call('POST', '/project-submit', {
          body: submitBody('retouch', local, ['scene.blend'], [job('retouch', { id }, { frames })]),
        });
      /** The listed entry of the frame, and whether its size and checksum are those of the store's file. */
      const listed = async () => {
        const files = await client.call('GET', '/project/retouch/Files', {
          template: '/project/{name}/Files',
        });
        const entries = files.body.project_files.all_files.filter((f: Json) => f.Name === rel);
        expect(entries).toHaveLength(1);
        const stored = await readFile(join(env.dataDir, 'store', 'retouch', ...rel.split('/')));
        expect(entries[0]).toMatchObject({ Size: stored.length, CheckSum: sha(stored) });
        const projects = await client.call('GET', '/projects', { template: '/projects' });
        const all = files.body.project_files.all_files as Json[];
        expect(projects.body.projects[0]).toMatchObject({
          num_files: all.length,
          total_size: all.reduce((n, f) => n + f.Size, 0),
        });
        return stored;
      };
      expect((await render('first', '1 2')).status).toBe(201);
      await client.waitFor('retouch', (s) => s.State === 'Completed');
      const up = await client.call('POST', '/upload', {
        body: { upload: [{ localRoot: local, remoteRoot: '/retouch', files: [rel] }] },
      });
      expect(up.status).toBe(200);
      await client.waitFor('retouch', (s) => s.Details[`/retouch/${rel}`]?.State === 'Completed');
      expect((await listed()).toString()).toBe('retouched');
      // A job rendering the same frame afterwards replaces the upload in the store, and in the listing.
      expect((await render('second', '1')).status).toBe(201);
      await client.waitFor('retouch', (s) => s.State === 'Completed' && s.Jobs.length === 2);
      expect((await listed()).toString()).not.toBe('retouched');
    } finally {
      await env.cleanup();
      await rm(local, { recursive: true, force: true });
    }
  });
});
