import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { Client, durableFramesDone, type Json, job, submitBody, tempDir, writeFiles } from './helpers.js';
import { checkPng } from './png-check.js';
import { BIN, children, killAll, killHard, spawnEmulator } from './spawn.js';

/** Waits until the data directory's state file records at least `count` finished frames of the project's first job. */
async function waitForDurableFrames(dataDir: string, project: string, count: number): Promise<void> {
  for (;;) {
    try {
      if ((await durableFramesDone(dataDir, project)) >= count) return;
    } catch {
      // Not written yet.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const dirs: string[] = [];
afterEach(async () => {
  await killAll();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('kill -9 and restart on the same data directory', () => {
  it('resumes an interrupted upload', async () => {
    const dataDir = await tempDir('gm-emu-data-');
    const local = await tempDir();
    dirs.push(dataDir, local);
    const big = randomBytes(300_000);
    await writeFiles(local, { 'a.bin': big, 'b.txt': 'small' });
    const first = await spawnEmulator(['--data-dir', dataDir, '--bandwidth', '100000']);
    const c1 = new Client(first.url);
    await c1.login();
    await c1.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/big', files: ['b.txt', 'a.bin'] }] },
    });
    // A third of the big file is copied (the small one long done) when the emulator dies.
    const mid = await c1.waitFor('big', (s) => s.Details['/big/a.bin'].BytesDone >= 100_000);
    expect(mid.State).toBe('Uploading');
    expect(mid.Details['/big/a.bin'].State).toBe('Uploading');
    const small = (await c1.call('GET', '/project/big/Files')).body.project_files.all_files;
    expect(small.map((f: Json) => f.Key)).toEqual(['/big/b.txt']);
    await killHard(first.child);

    const second = await spawnEmulator(['--data-dir', dataDir]);
    const c2 = new Client(second.url);
    const done = await c2.waitFor('big', (s) => s.State === 'Uploaded');
    expect(done.BytesDone).toBe(300_005);
    expect(await readFile(join(dataDir, 'store', 'big', 'a.bin'))).toEqual(big);
    const files = await c2.call('GET', '/project/big/Files', { template: '/project/{name}/Files' });
    const a = files.body.project_files.all_files.find((f: Json) => f.Key === '/big/a.bin');
    expect(a.CheckSum).toBe(createHash('sha256').update(big).digest('hex'));
    // The file finished before the kill is not copied again.
    const b = files.body.project_files.all_files.find((f: Json) => f.Key === '/big/b.txt');
    expect(b.LastModified).toBe(small[0].LastModified);
  });

  it('carries on a render: completed frames are not redone or charged twice, nothing is lost', async () => {
    const dataDir = await tempDir('gm-emu-data-');
    const local = await tempDir();
    dirs.push(dataDir, local);
    await writeFiles(local, { 'scene.blend': 'scene' });
    const first = await spawnEmulator(['--data-dir', dataDir, '--time-scale', '0.03']);
    const c1 = new Client(first.url);
    await c1.login();
    const body = submitBody(
      'crash',
      local,
      ['scene.blend'],
      [job('crash', { id: 'c1' }, { frames: '1 30', instances: 2 })],
      {
        watch_files: { '/crash/render_results/.+': join(local, 'out') },
      },
    );
    expect((await c1.call('POST', '/project-submit', { body })).status).toBe(201);
    // Kill once at least 4 frames are on disk in the state file (the status answer may run a write ahead of it).
    await waitForDurableFrames(dataDir, 'crash', 4);
    await killHard(first.child);
    // What a kill in the middle of writing the last frame's download leaves behind.
    await writeFiles(local, { 'out/my_results/frame_0030.png.gm-download.tmp': 'half a' });

    const second = await spawnEmulator(['--data-dir', dataDir, '--time-scale', '0.03']);
    const c2 = new Client(second.url);
    // What the first run recorded before dying.
    const recorded = (await c2.call('GET', '/project/crash/Files')).body.project_files.all_files.filter(
      (f: Json) => f.Key.startsWith('/crash/render_results/'),
    );
    expect(recorded.length).toBeGreaterThanOrEqual(4);
    // A retried submit after the restart is not run again.
    expect((await c2.call('POST', '/project-submit', { body })).status).toBe(201);
    const done = await c2.waitFor('crash', (s) => s.State === 'Completed');
    expect(done.Jobs).toHaveLength(1);
    expect(done.Jobs[0]).toMatchObject({
      State: 'Completed',
      FramesDone: 30,
      FramesTotal: 30,
      CreditsConsumed: 30,
    });
    const credits = await c2.call('GET', '/credits-info', { template: '/credits-info' });
    expect(credits.body).toEqual({ credits_available: 970, credits_consumed: 30 });
    const after = (await c2.call('GET', '/project/crash/Files')).body.project_files.all_files;
    for (const r of recorded) {
      expect(after.find((f: Json) => f.Key === r.Key)?.LastModified, `${r.Key} not redone`).toBe(
        r.LastModified,
      );
    }
    for (let f = 1; f <= 30; f++) {
      const png = await readFile(join(local, 'out', 'my_results', `frame_${String(f).padStart(4, '0')}.png`));
      expect(checkPng(png).width).toBe(64);
    }
    expect(done.Downloads).toEqual({ Done: 30, Pending: 0 });
    // Only finished files in the download folder: no temp file is left, from this run or the killed one.
    expect((await readdir(join(local, 'out', 'my_results'))).filter((f) => !f.endsWith('.png'))).toEqual([]);
  });
});

describe('kill -9 right after an answer', () => {
  it('an upload and submits that were answered are there after the restart', async () => {
    const dataDir = await tempDir('gm-emu-data-');
    const local = await tempDir();
    dirs.push(dataDir, local);
    await writeFiles(local, { 'scene.blend': 'scene' });
    // Slow frames: nothing but the answers themselves is written to disk before the kill.
    const first = await spawnEmulator(['--data-dir', dataDir, '--time-scale', '100']);
    const c1 = new Client(first.url);
    expect((await c1.login()).status).toBe(200);
    const names = ['ack_a', 'ack_b', 'ack_c'];
    const uploaded = await c1.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/ack_up', files: ['scene.blend'] }] },
    });
    expect(uploaded.status).toBe(200);
    for (const name of names) {
      const body = submitBody(name, local, ['scene.blend'], [job(name, { id: `${name}-1` })]);
      expect((await c1.call('POST', '/project-submit', { body })).status).toBe(201);
    }
    // Killed the moment the last answer arrives.
    await killHard(first.child);

    const second = await spawnEmulator(['--data-dir', dataDir, '--time-scale', '100']);
    const c2 = new Client(second.url);
    await c2.login();
    for (const name of names) {
      const s = await c2.status(name);
      expect(s.status, `${name} was answered 201, then lost`).toBe(200);
      expect(s.body.Jobs.map((j: Json) => j.Id)).toEqual([`${name}-1`]);
    }
    expect((await c2.status('ack_up')).status).toBe(200);
  });
});

describe('a data directory whose state.json was removed', () => {
  it('starts afresh: the journal left beside it brings back no balance', async () => {
    const dataDir = await tempDir('gm-emu-data-');
    const local = await tempDir();
    dirs.push(dataDir, local);
    await writeFiles(local, { 'scene.blend': 'scene' });
    const users = [{ email: 'reset@x.y', accessKey: 'k', credits: 100 }];
    const first = await startEmulator({ dataDir, users, timeScale: 0.005 });
    const c1 = new Client(first.url);
    await c1.login('reset@x.y', 'k');
    const body = submitBody('gone', local, ['scene.blend'], [job('gone', { id: 'g' }, { frames: '1 1000' })]);
    expect((await c1.call('POST', '/project-submit', { body })).status).toBe(201);
    // Frames journaled after the last snapshot; removing the snapshot is how a user starts over.
    const journaled = async (): Promise<boolean> => {
      for (const n of await readdir(dataDir)) {
        if (/^journal\.\d+\.log$/.test(n) && (await stat(join(dataDir, n))).size > 0) return true;
      }
      return false;
    };
    while (!(await journaled())) await new Promise((r) => setTimeout(r, 10));
    await first.close();
    await rm(join(dataDir, 'state.json'));
    const second = await startEmulator({ dataDir, users, timeScale: 0.005 });
    try {
      const c2 = new Client(second.url);
      await c2.login('reset@x.y', 'k');
      const credits = await c2.call('GET', '/credits-info', { template: '/credits-info' });
      expect(credits.body).toEqual({ credits_available: 100, credits_consumed: 0 });
      expect((await c2.call('GET', '/projects', { template: '/projects' })).body.projects).toEqual([]);
    } finally {
      await second.close();
    }
  });
});

describe('the gm-envoy-emulator command', () => {
  it('prints the URL and the demo credentials, and shuts down cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0', '--time-scale', '0.01'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('access key')) resolve();
      });
    });
    expect(out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toContain('demo@gridmarkets.local');
    expect(out).toContain('demo-access-key');
    expect(out).toMatch(/inspector: http:\/\/127\.0\.0\.1:\d+\//);
    expect(out).toContain('rendering: simulated');
    const dataDir = /data directory: (.+)/.exec(out)?.[1] ?? '';
    const url = /listening on (\S+)/.exec(out)?.[1] ?? '';
    expect((await new Client(url).login()).status).toBe(200);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    await expect(readFile(join(dataDir, 'state.json'))).rejects.toThrow();
  });

  it('a second Ctrl-C ends it at once while the clean shutdown of the first is still waiting', async () => {
    const { child, url } = await spawnEmulator(['--time-scale', '0.01']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // A request whose body never comes: the clean shutdown waits for it (up to the server's request timeout).
    const { hostname, port } = new URL(url);
    const sock = connect(Number(port), hostname);
    await new Promise((r) => sock.once('connect', r));
    const continued = new Promise((r) => sock.once('data', r));
    sock.write(
      `POST /auth HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n`,
    );
    // "100 Continue": the server is reading the request.
    await continued;
    sock.write('{"a');
    try {
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.once('exit', (c, s) => resolve([c, s])),
      );
      child.kill('SIGINT');
      while (!out.includes('SIGINT: shutting down')) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      expect(child.exitCode).toBeNull();
      child.kill('SIGINT');
      const stillRunning = new Promise((r) =>
        setTimeout(() => r('still running 30 s later'), 30_000).unref(),
      );
      expect(await Promise.race([exited, stillRunning])).toEqual([null, 'SIGINT']);
    } finally {
      sock.destroy();
    }
  });

  it.each([
    [['--port', 'abc']],
    [['--nope']],
    [['--user', 'no-colon']],
    [['--bandwidth', '0']],
    [['--products', '/no/such/file.json']],
    [['--time-scale', '-1']],
    [['--user', 'a@b.example:key:lots']],
  ])('exits with code 2 on bad flags %j', async (args) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/gm-envoy-emulator: .+/);
  });

  it('exits with code 2 naming the problems of a --machines file', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await writeFiles(dir, { 'm.json': JSON.stringify({ hou: { render: [{ id: 'x', gpu: 'yes' }] } }) });
    const child = spawn(process.execPath, [BIN, '--machines', join(dir, 'm.json')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain('machines.hou.render[0].name: is required');
    expect(err).toContain('machines.hou.render[0].gpu: must be boolean');
  });

  it('uses --user accounts, --host, and --products and --machines catalogue files', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const file = join(dir, 'products.json');
    const machinesFile = join(dir, 'machines.json');
    await writeFiles(dir, {
      'scene.blend': 'scene',
      'machines.json': JSON.stringify({
        blender: {
          render: [{ id: 'tiny', name: 'Tiny', gpu: false, is_default: true, credit_rate: 7 }],
        },
      }),
      'products.json': JSON.stringify([
        {
          id: 1,
          name: 'Blender',
          app_type: 'blender',
          version: '9.0',
          compatible_modules: [],
          business_vertical: 'media',
        },
      ]),
    });
    const { url } = await spawnEmulator([
      '--host',
      '127.0.0.1',
      '--user',
      'x@y.example:secret:42',
      '--products',
      file,
      '--machines',
      machinesFile,
      '--time-scale',
      '0.01',
    ]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const c = new Client(url);
    expect((await c.login()).status).toBe(401);
    expect((await c.login('x@y.example', 'secret')).status).toBe(200);
    expect((await c.call('GET', '/credits-info', { template: '/credits-info' })).body.credits_available).toBe(
      42,
    );
    const products = await c.call('GET', '/products', { template: '/products' });
    expect(products.body.map((p: Json) => p.version)).toEqual(['9.0']);
    const machines = await c.call('GET', '/machines?product=blender&operation=render', {
      template: '/machines',
    });
    expect(machines.body.map((m: Json) => m.id)).toEqual(['tiny']);
    expect((await c.call('GET', '/machines?product=c4d&operation=render')).status).toBe(400);
    // A submit runs on the file's machine at its rate, for the file's product version.
    const body = submitBody(
      'cat',
      dir,
      ['scene.blend'],
      [job('cat', { app_version: '9.0' }, { frames: '1 2' })],
    );
    expect((await c.call('POST', '/project-submit', { body, template: '/project-submit' })).status).toBe(201);
    const done = await c.waitFor('cat', (s) => s.State === 'Completed');
    expect(done.Jobs[0].CreditsConsumed).toBe(14);
    expect((await c.call('GET', '/credits-info')).body.credits_available).toBe(28);
  });
});
