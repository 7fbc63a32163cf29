/**
 * A lost answer is not a double charge: a proxy between the client and the emulator drops the answer to
 * `POST /project-submit` (after Envoy took the request), or the request itself; the client asks Envoy whether the
 * submission landed and says so.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningEmulator, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ConnectionError, EnvoyClient, type Project, type ProjectStatus } from '../src/index.js';
import { c4dProject } from './helpers.js';

// Servers, processes and many generated inputs: generous limits for a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const USER = { email: 'lost@studio.example', accessKey: 'lost-key', credits: 1000 };

type Mode = 'pass' | 'drop-answer' | 'drop-request' | 'down-after-submit';

let envoy: RunningEmulator;
let proxy: Server;
let proxyUrl: string;
let base: string;
let mode: Mode = 'pass';
let submitsSeen = 0;
let down = false;

/** Forwards everything to the emulator; what happens to `POST /project-submit` depends on `mode`. */
function startProxy(): Promise<void> {
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (down) {
      req.socket.destroy();
      return;
    }
    const isSubmit = req.method === 'POST' && req.url === '/project-submit';
    if (isSubmit) submitsSeen++;
    if (isSubmit && mode === 'drop-request') {
      req.socket.destroy();
      return;
    }
    const answer = await fetch(`${envoy.url}${req.url}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await answer.arrayBuffer());
    if (isSubmit && (mode === 'drop-answer' || mode === 'down-after-submit')) {
      // Envoy took the submission; its answer never reaches the client.
      if (mode === 'down-after-submit') down = true;
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    res.end(body);
  });
  return new Promise((resolve) => {
    proxy.listen(0, '127.0.0.1', () => {
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      resolve();
    });
  });
}

function client(): EnvoyClient {
  return new EnvoyClient({ url: proxyUrl, email: USER.email, accessKey: USER.accessKey, retries: 0 });
}

function projectOf(name: string): Promise<Project> {
  return c4dProject(base, name, '1 5');
}

async function finalStatus(c: EnvoyClient, name: string): Promise<ProjectStatus> {
  let last: ProjectStatus = {};
  for await (const status of c.watchProjectStatus(name, { intervalMs: 20 })) last = status;
  return last;
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'gm-lost-'));
  envoy = await startEmulator({ port: 0, timeScale: 0.002, users: [USER] });
  await startProxy();
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await envoy.close();
  await rm(base, { recursive: true, force: true });
});

describe('the answer to a submit is lost', () => {
  test('after Envoy took it: the client confirms it landed; one project, one job, one charge', async () => {
    const c = client();
    const project = await projectOf('landed');
    const before = (await c.getCreditsInfo()).credits_consumed ?? 0;
    mode = 'drop-answer';
    submitsSeen = 0;
    expect(await c.submitProject(project)).toBe('landed');
    expect(submitsSeen).toBe(1);
    mode = 'pass';
    // The same submission again (the same job ids) is answered again, not run twice.
    expect(await c.submitProject(project, { skipUpload: true })).toBe('landed');
    const last = await finalStatus(c, 'landed');
    expect(last.State).toBe('Completed');
    expect(last.Jobs?.map((j) => j.Id)).toEqual([project.jobs[0]!.id]);
    expect(last.Jobs?.[0]?.FramesDone).toBe(5);
    const charged = ((await c.getCreditsInfo()).credits_consumed ?? 0) - before;
    expect(charged).toBeGreaterThan(0);
    expect(charged).toBe(last.CreditsConsumed);
    expect((await c.listProjects()).filter((p) => p.name === 'landed')).toHaveLength(1);
  });

  test('a job added to the project while the submit is under way: the jobs sent decide whether it landed', async () => {
    const c = client();
    const project = await projectOf('grown');
    mode = 'drop-answer';
    const submitting = c.submitProject(project);
    // The body was made when submitProject was called; this job is not in it.
    project.addJobs(project.jobs[0]!.with({ name: 'later' }));
    expect(await submitting).toBe('grown');
    mode = 'pass';
    const last = await finalStatus(c, 'grown');
    expect(last.Jobs?.map((j) => j.Name)).toEqual(['render']);
  });

  test('before Envoy got it: a clear ConnectionError saying it did not land, and nothing is charged', async () => {
    const c = client();
    const project = await projectOf('not_landed');
    const before = (await c.getCreditsInfo()).credits_consumed ?? 0;
    mode = 'drop-request';
    const error = await c.submitProject(project).catch((e) => e);
    mode = 'pass';
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain('"not_landed"');
    expect(error.message).toMatch(/did not arrive and nothing was charged: submit it again/);
    expect((await c.getCreditsInfo()).credits_consumed).toBe(before);
    await expect(c.getProjectStatus('not_landed')).rejects.toMatchObject({ status: 404 });
    // Submitting again now is safe and runs once.
    expect(await c.submitProject(project)).toBe('not_landed');
    expect((await finalStatus(c, 'not_landed')).Jobs).toHaveLength(1);
  });

  test('when Envoy cannot be asked afterwards, the error says to check before submitting again', async () => {
    const c = client();
    const project = await projectOf('unknown');
    mode = 'down-after-submit';
    const error = await c.submitProject(project).catch((e) => e);
    mode = 'pass';
    down = false;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/could not be asked whether it arrived/);
    expect(error.message).toContain('gm status unknown');
    expect(error.message).toMatch(/may run and charge the jobs twice/);
  });
});
