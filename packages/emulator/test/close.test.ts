import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, job, submitBody, tempDir, writeFiles } from './helpers.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'close-child.mjs');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('close()', () => {
  it('leaves no handles behind, even mid-upload and mid-render', async () => {
    const local = await tempDir();
    const dataDir = await tempDir('gm-emu-data-');
    dirs.push(local, dataDir);
    await writeFiles(local, { 'scene.blend': 'scene', 'big.bin': randomBytes(400_000) });
    const child = spawn(
      process.execPath,
      [CHILD, JSON.stringify({ dataDir, bandwidth: 50_000, timeScale: 0.2 })],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const next = (): Promise<Record<string, unknown>> =>
      new Promise((resolve) => child.once('message', (m) => resolve(m as Record<string, unknown>)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const { url } = (await next()) as { url: string };
    const client = new Client(url);
    await client.login();
    // A render with frames running, then an upload in the middle of its file.
    const render = submitBody(
      'render',
      local,
      ['scene.blend'],
      [job('render', {}, { frames: '1 50', instances: 3 })],
    );
    expect((await client.call('POST', '/project-submit', { body: render })).status).toBe(201);
    await client.waitFor('render', (s) => s.Jobs[0].FramesRunning > 0);
    await client.call('POST', '/upload', {
      body: { upload: [{ localRoot: local, remoteRoot: '/upload', files: ['big.bin'] }] },
    });
    await client.waitFor('upload', (s) => s.BytesDone > 0 && s.BytesDone < s.BytesTotal);
    const reported = next();
    child.send('close');
    expect(await reported).toEqual({ left: [] });
    expect(await exited).toBe(0);
  });
});
