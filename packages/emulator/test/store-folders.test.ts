import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { job, setup, submitBody, tempDir, writeFiles } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('folders of the remote store removed while the emulator runs', () => {
  it('a job whose results folder is removed mid-render makes it again and completes', async () => {
    const env = await setup({ timeScale: 0.005 });
    const local = await tempDir();
    cleanups.push(env.cleanup, () => rm(local, { recursive: true, force: true }));
    await writeFiles(local, { 'scene.blend': 'scene' });
    await env.client.login();
    const body = submitBody(
      'cleared',
      local,
      ['scene.blend'],
      [job('cleared', { id: 'c' }, { frames: '1 60' })],
    );
    expect((await env.client.call('POST', '/project-submit', { body })).status).toBe(201);
    await env.client.waitFor('cleared', (s) => s.Jobs[0]?.FramesDone >= 3);
    // Frames keep being written meanwhile: retry while the folder fills again under rm.
    await rm(join(env.dataDir, 'store', 'cleared', 'render_results'), {
      recursive: true,
      force: true,
      maxRetries: 50,
      retryDelay: 5,
    });
    const done = await env.client.waitFor('cleared', (s) => s.State !== 'Running' && s.State !== 'Submitted');
    expect(done.Jobs[0]).toMatchObject({ State: 'Completed', FramesDone: 60, FramesCancelled: 0 });
  });

  it.each([
    ['without a bandwidth limit', {}],
    ['with a bandwidth limit', { bandwidth: 10_000_000 }],
  ])('an upload into a project whose store folder was removed makes it again (%s)', async (_, options) => {
    const env = await setup(options);
    const local = await tempDir();
    cleanups.push(env.cleanup, () => rm(local, { recursive: true, force: true }));
    await writeFiles(local, { 'a.txt': 'first', 'b.txt': 'second' });
    await env.client.login();
    const upload = (file: string) =>
      env.client.call('POST', '/upload', {
        body: { upload: [{ localRoot: local, remoteRoot: '/gone', files: [file] }] },
        template: '/upload',
      });
    expect((await upload('a.txt')).status).toBe(200);
    await env.client.waitFor('gone', (s) => s.State === 'Uploaded');
    await rm(join(env.dataDir, 'store', 'gone'), { recursive: true, force: true });
    expect((await upload('b.txt')).status).toBe(200);
    const done = await env.client.waitFor(
      'gone',
      (s) => s.Details['/gone/b.txt']?.State !== 'Queued' && s.State !== 'Uploading',
    );
    expect(done.Details['/gone/b.txt']).toMatchObject({ State: 'Completed' });
    expect(await readFile(join(env.dataDir, 'store', 'gone', 'b.txt'), 'utf8')).toBe('second');
  });
});
