/**
 * Envoy holds one login at a time for every program that talks to it. Two accounts on one emulator (real HTTP,
 * 127.0.0.1, port 0): a client only ever reads and acts as its own account, whoever logged Envoy in before.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningEmulator, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  APIError,
  AuthenticationError,
  EnvoyClient,
  InsufficientCreditsError,
  type Project,
} from '../src/index.js';
import { c4dProject } from './helpers.js';

// Servers, processes and many generated inputs: generous limits for a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const A = { email: 'a@studio.example', accessKey: 'key-of-a', credits: 500 };
const B = { email: 'b@studio.example', accessKey: 'key-of-b', credits: 0 };
const C = { email: 'c@studio.example', accessKey: 'key-of-c', credits: 200 };

let envoy: RunningEmulator;
let base: string;
let sent: string[];

function clientOf(user: { email: string; accessKey: string }, accessKey = user.accessKey): EnvoyClient {
  return new EnvoyClient({
    url: envoy.url,
    email: user.email,
    accessKey,
    fetch: (request) => {
      sent.push(`${request.method} ${new URL(request.url).pathname}`);
      return fetch(request);
    },
  });
}

function projectOf(name: string): Promise<Project> {
  return c4dProject(base, name, '1 2');
}

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'gm-accounts-'));
  envoy = await startEmulator({ port: 0, timeScale: 0.002, users: [A, B, C] });
});
afterAll(async () => {
  await envoy.close();
  await rm(base, { recursive: true, force: true });
});

describe('two accounts on one Envoy', () => {
  test('a fresh client for B after a client for A reads B, and A reads A again after B', async () => {
    sent = [];
    const a = clientOf(A);
    expect((await a.getUserInfo()).email_address).toBe(A.email);
    const b = clientOf(B);
    const userB = await b.getUserInfo();
    expect(userB.email_address).toBe(B.email);
    expect(userB.credits_available).toBe(0);
    expect((await b.getCreditsInfo()).credits_available).toBe(0);
    expect((await a.getUserInfo()).email_address).toBe(A.email);
    expect((await a.getCreditsInfo()).credits_available).toBe(A.credits);
    // One login per operation, before its request.
    expect(sent).toEqual([
      'POST /auth',
      'GET /user-info',
      'POST /auth',
      'GET /user-info',
      'POST /auth',
      'GET /credits-info',
      'POST /auth',
      'GET /user-info',
      'POST /auth',
      'GET /credits-info',
    ]);
  });

  test('B without credits cannot pass the credits check or submit, even right after A logged in', async () => {
    const a = clientOf(A);
    const b = clientOf(B);
    await a.validateCredits();
    await expect(b.validateCredits()).rejects.toBeInstanceOf(InsufficientCreditsError);
    await a.validateAuth();
    sent = [];
    const error = await b.submitProject(await projectOf('b_project')).catch((e) => e);
    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect(sent).toEqual(['POST /auth', 'GET /credits-info']);
    expect((await a.getCreditsInfo()).credits_consumed).toBe(0);
  });

  test("a submission by C is C's: C's credits pay, A sees neither the project nor a charge", async () => {
    const a = clientOf(A);
    const c = clientOf(C);
    await a.validateAuth();
    const project = await projectOf('c_project');
    sent = [];
    expect(await c.submitProject(project)).toBe('c_project');
    expect(sent).toEqual(['POST /auth', 'GET /credits-info', 'POST /project-submit']);
    await a.validateAuth();
    let last = '';
    for await (const status of c.watchProjectStatus('c_project', { intervalMs: 20 }))
      last = status.State ?? '';
    expect(last).toBe('Completed');
    expect((await c.getCreditsInfo()).credits_consumed).toBeGreaterThan(0);
    expect((await a.getCreditsInfo()).credits_consumed).toBe(0);
    expect((await a.listProjects()).map((p) => p.name)).not.toContain('c_project');
    expect((await c.listProjects()).map((p) => p.name)).toContain('c_project');
    const notFound = await a.getProjectStatus('c_project').catch((e) => e);
    expect(notFound).toBeInstanceOf(APIError);
    expect(notFound.status).toBe(404);
  });

  test('clients of two accounts used at the same time in one process each read only their own account', async () => {
    const a = clientOf(A);
    const c = clientOf(C);
    const creditsA = (await a.getCreditsInfo()).credits_available;
    const creditsC = (await c.getCreditsInfo()).credits_available;
    expect(creditsA).not.toBe(creditsC);
    const rounds = Array.from({ length: 20 }, (_, i) => i);
    const [fromA, fromC, usersA, usersC] = await Promise.all([
      Promise.all(rounds.map(() => a.getCreditsInfo())),
      Promise.all(rounds.map(() => c.getCreditsInfo())),
      Promise.all(rounds.map(() => a.getUserInfo())),
      Promise.all(rounds.map(() => c.getUserInfo())),
    ]);
    expect(new Set(fromA.map((x) => x.credits_available))).toEqual(new Set([creditsA]));
    expect(new Set(fromC.map((x) => x.credits_available))).toEqual(new Set([creditsC]));
    expect(new Set(usersA.map((u) => u.email_address))).toEqual(new Set([A.email]));
    expect(new Set(usersC.map((u) => u.email_address))).toEqual(new Set([C.email]));
  });

  test('clients naming the same Envoy differently (localhost, 127.0.0.1, a trailing dot) still take turns', async () => {
    const port = new URL(envoy.url).port;
    const names = [
      envoy.url,
      `http://localhost:${port}`,
      `http://LOCALHOST.:${port}/`,
      `http://[::1]:${port}`,
    ];
    const reachable: string[] = [];
    for (const url of names) {
      const probe = await fetch(`${url}/products`).catch(() => undefined);
      if (probe) reachable.push(url);
    }
    expect(reachable.length).toBeGreaterThan(1);
    const clients = reachable.map((url, i) => {
      const user = i % 2 === 0 ? A : C;
      return { user, client: new EnvoyClient({ url, email: user.email, accessKey: user.accessKey }) };
    });
    const rounds = Array.from({ length: 10 }, (_, i) => i);
    const read = await Promise.all(
      clients.flatMap(({ user, client }) =>
        rounds.map(async () => ({ user, credits: (await client.getCreditsInfo()).credits_available })),
      ),
    );
    const expected = {
      [A.email]: (await clientOf(A).getCreditsInfo()).credits_available,
      [C.email]: (await clientOf(C).getCreditsInfo()).credits_available,
    };
    for (const { user, credits } of read) expect(credits).toBe(expected[user.email]);
  });

  test('wrong credentials are an AuthenticationError on every call, never the other account', async () => {
    await clientOf(A).validateAuth();
    const wrong = clientOf(B, 'WRONG');
    const calls: (() => Promise<unknown>)[] = [
      () => wrong.validateAuth(),
      () => wrong.getUserInfo(),
      () => wrong.getCreditsInfo(),
      () => wrong.validateCredits(),
      () => wrong.getProductResolver(),
      () => wrong.getMachines('c4d', 'render'),
      () => wrong.listProjects(),
      () => wrong.getProjectStatus('c_project'),
      () => wrong.getProjectFiles('c_project'),
    ];
    sent = [];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(AuthenticationError);
    expect(sent).toEqual(calls.map(() => 'POST /auth'));
    // Envoy itself stays logged in as A: the wrong login changed nothing.
    const user = await clientOf(A).getUserInfo();
    expect(user.email_address).toBe(A.email);
  });

  test("an operation waiting for another account's turn ends at once when its signal aborts", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let reached: () => void = () => {};
    const inside = new Promise<void>((r) => {
      reached = r;
    });
    // A's call is held inside Envoy: A's operation keeps its turn.
    const a = new EnvoyClient({
      url: envoy.url,
      email: A.email,
      accessKey: A.accessKey,
      fetch: async (request) => {
        if (new URL(request.url).pathname === '/user-info') {
          reached();
          await held;
        }
        return fetch(request);
      },
    });
    const slow = a.getUserInfo();
    await inside;
    sent = [];
    const controller = new AbortController();
    const waiting = clientOf(B).getProjectStatus('anything', { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    const reason = new Error('the artist closed the panel');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(sent).toEqual([]);
    release();
    expect((await slow).email_address).toBe(A.email);
    // The turns go on: B's next operation runs.
    expect((await clientOf(B).getUserInfo()).email_address).toBe(B.email);
  });
});
