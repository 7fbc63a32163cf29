import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER } from '../src/index.js';
import { expectContract, type Json, setup, tempDir, writeFiles } from './helpers.js';
import { checkPng } from './png-check.js';

/** A client that speaks exactly the wire shapes of envoy-wire.md, as the Python client and Blender add-on do. */
class WireClient {
  constructor(private readonly base: string) {}
  private async req(
    method: string,
    path: string,
    template: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json }> {
    const res = await fetch(this.base + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const parsed = type.includes('json') ? JSON.parse(text) : text;
    expectContract(template, method.toLowerCase(), res.status, type, parsed);
    return { status: res.status, body: parsed };
  }
  auth(email: string, key: string) {
    return this.req('POST', '/auth', '/auth', { Username: email, AccessKey: key });
  }
  products() {
    return this.req('GET', '/products', '/products');
  }
  credits() {
    return this.req('GET', '/credits-info', '/credits-info');
  }
  upload(localRoot: string, project: string, files: string[]) {
    return this.req('POST', '/upload', '/upload', {
      upload: [{ localRoot, remoteRoot: `/${project}`, files }],
    });
  }
  submit(body: unknown) {
    return this.req('POST', '/project-submit', '/project-submit', body);
  }
  status(project: string) {
    return this.req('GET', `/project-status/${encodeURIComponent(project)}`, '/project-status/{name}');
  }
}

describe('a wire-shaped client from upload to downloaded results', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let local: string;
  beforeAll(async () => {
    env = await setup({ timeScale: 0.005 });
    local = await tempDir();
    await writeFiles(local, { 'scene.blend': 'BLENDER-v280 scene', 'textures/sky.png': 'sky' });
  });
  afterAll(async () => {
    await env.cleanup();
    await rm(local, { recursive: true, force: true });
  });

  it('runs two dependent jobs and downloads valid PNGs', async () => {
    const envoy = new WireClient(env.emulator.url);
    const project = 'wire project';
    expect((await envoy.auth(DEMO_USER.email, DEMO_USER.accessKey)).status).toBe(200);
    const products = await envoy.products();
    const blender = products.body.find((p: Json) => p.app_type === 'blender' && p.version === '2.80');
    expect(blender).toBeDefined();
    const before = (await envoy.credits()).body.credits_available;
    expect((await envoy.upload(local, project, ['scene.blend', 'textures/sky.png'])).body).toEqual({
      ID: project,
    });
    const results = `/${project}/render_results/my_results`;
    const params = (frames: string) => ({
      frames,
      output_prefix: '',
      output_format: 'PNG',
      output_dir_name: 'my_results',
      output_upload: [`${results}/.+`, `${results}/.+`.replaceAll('/', '\\\\')],
      billing_meta: ['blender'],
    });
    const sub = await envoy.submit({
      project_request: {
        name: `${project} 2026-Nov-29 10:15:00 AM`,
        params: {},
        jobs: [
          {
            id: '5b0f7d7e-3c1a-4a4e-9a57-0d3a5f8d2b11',
            name: 'sim',
            app: 'blender',
            app_version: '2.80',
            operation: 'render',
            path: `/${project}/scene.blend`,
            params: params('1 2'),
            dependencies: [],
          },
          {
            id: '0c2c3a61-8d5e-4a43-a3a4-1f8b5e7f4c22',
            name: 'beauty',
            app: 'blender',
            app_version: '2.80',
            operation: 'render',
            path: `/${project}/scene.blend`,
            params: params('3 5'),
            dependencies: ['5b0f7d7e-3c1a-4a4e-9a57-0d3a5f8d2b11'],
          },
        ],
      },
      project_files: {
        localRoot: local,
        remoteRoot: `/${project}`,
        files: ['scene.blend', 'textures/sky.png'],
      },
      watch_files: { [`${results}/.+`]: join(local, 'gm_results') },
    });
    expect(sub.status).toBe(201);
    const seen = new Set<string>();
    let status: Json;
    for (let i = 0; i < 3000; i++) {
      status = (await envoy.status(project)).body;
      seen.add(status.State);
      // The dependent job never runs before the first one completes.
      if (status.Jobs[1].FramesDone > 0 || status.Jobs[1].FramesRunning > 0)
        expect(status.Jobs[0].State).toBe('Completed');
      if (['Completed', 'Failed', 'Stopped'].includes(status.State)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(status.State).toBe('Completed');
    expect(status.Jobs.map((j: Json) => j.State)).toEqual(['Completed', 'Completed']);
    expect(status.Downloads).toEqual({ Done: 5, Pending: 0 });
    expect(
      [...seen].every((s) => ['Uploading', 'Submitted', 'Running', 'Downloading', 'Completed'].includes(s)),
    ).toBe(true);
    const files = (await readdir(join(local, 'gm_results', 'my_results'))).sort();
    expect(files).toEqual([
      'frame_0001.png',
      'frame_0002.png',
      'frame_0003.png',
      'frame_0004.png',
      'frame_0005.png',
    ]);
    const pngs = await Promise.all(files.map((f) => readFile(join(local, 'gm_results', 'my_results', f))));
    for (const png of pngs) expect(checkPng(png)).toEqual({ width: 64, height: 48 });
    // The frame number varies the colour.
    expect(pngs[0]?.equals(pngs[1] as Buffer)).toBe(false);
    expect((await envoy.credits()).body.credits_available).toBe(before - 5);
  });
});
