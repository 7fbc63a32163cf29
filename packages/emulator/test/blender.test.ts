/**
 * Real rendering with Debian's Blender (`/usr/bin/blender`, or `blender` on PATH): Blender jobs render the
 * scene from the emulator's store, frames in the job's format reach the watch folder, a texture left out of the
 * upload is a warning, a scene's auto-run script does not run, and a hung frame is stopped at its limit.
 *
 * Without Blender the tests are skipped with a note, unless GM_REQUIRE_BLENDER=1 (set by .ci/run, which
 * installs it), where a missing Blender fails them.
 */
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBlender } from '../src/blender.js';
import { PNG_SIGNATURE } from '../src/png.js';
import { type Client, type Json, job, setup, submitBody, tempDir } from './helpers.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'blender');
const BLENDER = findBlender(true, `/usr/bin${process.env.PATH ? `:${process.env.PATH}` : ''}`);
const required = process.env.GM_REQUIRE_BLENDER === '1';
if (!BLENDER && !required)
  console.warn('real-render tests skipped: no blender on PATH (Debian: apt-get install blender)');

/** Copies fixture files into a fresh local project folder. */
async function localProject(files: Record<string, string>): Promise<string> {
  const root = await tempDir('gm-blender-local-');
  for (const [rel, fixture] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await copyFile(join(FIXTURES, fixture), join(root, rel));
  }
  return root;
}

/** The first event of the inspector's stream: every account, project and job as the page first shows them. */
async function inspectorHello(url: string): Promise<Json> {
  const controller = new AbortController();
  const res = await fetch(`${url}/inspector/events`, { signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  const data = /^data: (.*)$/m.exec(text)?.[1] ?? 'null';
  return JSON.parse(data);
}

describe.runIf(BLENDER || required)('real Blender rendering', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let client: Client;

  beforeAll(async () => {
    expect(BLENDER, 'blender is installed (GM_REQUIRE_BLENDER=1)').not.toBeNull();
    env = await setup({ blender: BLENDER as string, blenderFrameSeconds: 120, blenderProcesses: 2 });
    client = env.client;
    await client.login();
  });
  afterAll(() => env?.cleanup());

  it('renders the uploaded scene: real PNG frames in the watch folder, charged, marked as Blender', async () => {
    const local = await localProject({
      'scene.blend': 'cube.blend',
      'textures/checker.png': 'textures/checker.png',
    });
    const out = await tempDir('gm-blender-out-');
    const body = submitBody(
      'cube',
      local,
      ['scene.blend', 'textures/checker.png'],
      [job('cube', {}, { frames: '1 3' })],
      {
        watch_files: { '/cube/render_results/my_results/.+': out },
      },
    );
    const before = (await client.call('GET', '/credits-info')).body;
    expect((await client.call('POST', '/project-submit', { body })).status).toBe(201);
    const status = await client.waitFor('cube', (s) => s.State === 'Completed', 6000);
    const [j] = status.Jobs;
    expect(j).toMatchObject({ State: 'Completed', FramesDone: 3, Renderer: 'blender' });
    expect(j.Alerts, 'every file the scene reads was uploaded').toEqual([]);
    const files = (await readdir(join(out, 'my_results'))).sort();
    expect(files).toEqual(['frame_0001.png', 'frame_0002.png', 'frame_0003.png']);
    const first = await readFile(join(out, 'my_results', 'frame_0001.png'));
    const last = await readFile(join(out, 'my_results', 'frame_0003.png'));
    // Blender's image of the scene: its resolution (64 × 48), and the cube turns between frames.
    expect(first.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect([first.toString('ascii', 12, 16), first.readUInt32BE(16), first.readUInt32BE(20)]).toEqual([
      'IHDR',
      64,
      48,
    ]);
    expect(first.equals(last)).toBe(false);
    // The listing gives the checksum and size of what Blender wrote.
    const listing = (await client.call('GET', '/project/cube/Files')).body.project_files.all_files;
    const entry = listing.find(
      (f: { Name: string }) => f.Name === 'render_results/my_results/frame_0001.png',
    );
    expect(entry.Size).toBe(first.length);
    const after = (await client.call('GET', '/credits-info')).body;
    expect(before.credits_available - after.credits_available).toBeCloseTo(j.CreditsConsumed, 6);
    expect(j.CreditsConsumed).toBeGreaterThan(0);
    // Nothing but the frames is left in the results folder: Blender's own folder is gone.
    const store = join(env.dataDir, 'store', 'cube', 'render_results', 'my_results');
    expect((await readdir(store)).sort()).toEqual(files);
  });

  it('warns of a texture left out of the upload, though it sits beside the scene on the user disk', async () => {
    // The texture is in the user's folder but not uploaded: on the farm (and here) it is really missing.
    const local = await localProject({
      'scene.blend': 'cube.blend',
      'textures/checker.png': 'textures/checker.png',
    });
    const body = submitBody('notex', local, ['scene.blend'], [job('notex', {}, { frames: '2' })]);
    expect((await client.call('POST', '/project-submit', { body })).status).toBe(201);
    const status = await client.waitFor('notex', (s) => s.State === 'Completed', 6000);
    const [j] = status.Jobs;
    expect(j.FramesDone).toBe(1);
    expect(j.Alerts.map((a: { Message: string }) => a.Message)).toEqual([
      'missing image: //textures/checker.png (not in the uploaded files) (frame 2)',
    ]);
    // The inspector shows the same alert on the job, and the job as rendered by Blender.
    const page = await inspectorHello(env.emulator.url);
    const shown = page.projects.find((p: { name: string }) => p.name === 'notex').jobs[0];
    expect(shown).toMatchObject({ renderer: 'blender', alerts: j.Alerts });
  });

  it('does not run the Python script a scene carries', async () => {
    const local = await localProject({ 'scene.blend': 'autorun.blend' });
    const body = submitBody('autorun', local, ['scene.blend'], [job('autorun', {}, { frames: '1' })]);
    expect((await client.call('POST', '/project-submit', { body })).status).toBe(201);
    const status = await client.waitFor('autorun', (s) => s.State === 'Completed', 6000);
    // The script writes //AUTORUN_RAN beside the scene when it runs (Blender run with --enable-autoexec does).
    expect(await readdir(join(env.dataDir, 'store', 'autorun'))).not.toContain('AUTORUN_RAN');
    expect(status.Jobs[0].Alerts.map((a: { Message: string }) => a.Message)).toContain(
      'script autorun.py was not run (Python auto-run is disabled) (frame 1)',
    );
  });

  it('renders EXR frames when the job asks for EXR', async () => {
    const local = await localProject({
      'scene.blend': 'cube.blend',
      'textures/checker.png': 'textures/checker.png',
    });
    const files = ['scene.blend', 'textures/checker.png'];
    const body = submitBody('exr', local, files, [
      job('exr', {}, { frames: '1', output_format: 'OPEN_EXR', output_prefix: 'beauty' }),
    ]);
    expect((await client.call('POST', '/project-submit', { body })).status).toBe(201);
    await client.waitFor('exr', (s) => s.State === 'Completed', 6000);
    const data = await readFile(
      join(env.dataDir, 'store', 'exr', 'render_results', 'my_results', 'beauty_0001.exr'),
    );
    // OpenEXR's magic number.
    expect(data.readUInt32LE(0)).toBe(20000630);
  });
});

describe.runIf(BLENDER || required)('a hung Blender frame', () => {
  it('is stopped at its time limit: the job fails and says why', async () => {
    const env = await setup({ blender: BLENDER as string, blenderFrameSeconds: 3 });
    try {
      await env.client.login();
      const local = await localProject({ 'scene.blend': 'slow.blend' });
      const body = submitBody('hung', local, ['scene.blend'], [job('hung', {}, { frames: '1' })]);
      expect((await env.client.call('POST', '/project-submit', { body })).status).toBe(201);
      const status = await env.client.waitFor('hung', (s) => s.State === 'Failed', 6000);
      expect(status.Jobs[0]).toMatchObject({
        State: 'Failed',
        FramesDone: 0,
        FramesCancelled: 1,
        CreditsConsumed: 0,
      });
      expect(status.Jobs[0].Message).toBe('frame 1 failed: stopped at its time limit of 3 s');
    } finally {
      await env.cleanup();
    }
  });
});

describe('Blender that is not there', () => {
  it('is refused with the fix when named, and the jobs are simulated when none is found', async () => {
    await expect(setup({ blender: '/nowhere/blender' })).rejects.toThrow(
      "blender: /nowhere/blender is not an executable file; give the path of Blender's program (e.g. /usr/bin/blender), or leave it out to simulate every frame",
    );
    const env = await setup({ blender: false });
    try {
      await env.client.login();
      const local = await tempDir('gm-blender-local-');
      await copyFile(join(FIXTURES, 'cube.blend'), join(local, 'scene.blend'));
      const body = submitBody('sim', local, ['scene.blend'], [job('sim')]);
      expect((await env.client.call('POST', '/project-submit', { body })).status).toBe(201);
      const status = await env.client.waitFor('sim', (s) => s.State === 'Completed');
      expect(status.Jobs[0]).toMatchObject({ FramesDone: 3, Renderer: 'simulated', Alerts: [] });
    } finally {
      await env.cleanup();
    }
  });
});
