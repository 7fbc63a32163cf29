import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Answer,
  Client,
  durableFramesDone,
  durableJobState,
  type Json,
  job,
  setup,
  submitBody,
  tempDir,
  writeFiles,
} from './helpers.js';
import { killAll, killHard, spawnEmulator } from './spawn.js';

const USER = { email: 'u@x.y', accessKey: 'k' };
const dirs: string[] = [];
afterEach(async () => {
  await killAll();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A client whose every call must be answered within `ms` (a locked-up emulator fails the test, not hangs it). */
class AnsweringClient extends Client {
  constructor(
    url: string,
    private readonly ms: number,
  ) {
    super(url);
  }

  override call<T = Json>(
    method: string,
    path: string,
    opts: { body?: unknown; template?: string } = {},
  ): Promise<Answer<T>> {
    return Promise.race([
      super.call<T>(method, path, opts),
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`${method} ${path}: no answer within ${this.ms} ms`)),
          this.ms,
        ).unref(),
      ),
    ]);
  }
}

function answering(url: string, ms = 15_000): Client {
  return new AnsweringClient(url, ms);
}

async function project(): Promise<{ local: string; dataDir: string }> {
  const local = await tempDir();
  const dataDir = await tempDir('gm-emu-data-');
  dirs.push(local, dataDir);
  await writeFiles(local, { 'scene.blend': 'scene' });
  return { local, dataDir };
}

const ended = (s: Json): boolean => ['Completed', 'Failed', 'Stopped'].includes(s.State);

/** The job ran out: failed, saying so, 10 frames charged, the balance at 0 and never below. */
async function expectRanOut(client: Client, name: string): Promise<void> {
  let lowest = Number.POSITIVE_INFINITY;
  const done = await client.waitFor(name, (s) => {
    void client.call('GET', '/credits-info').then((c) => {
      lowest = Math.min(lowest, c.body.credits_available);
    });
    return ended(s);
  });
  expect(done.State).toBe('Failed');
  expect(done.Jobs[0].State).toBe('Failed');
  expect(done.Jobs[0].Message).toMatch(/ran out of credits/);
  expect(done.Jobs[0].FramesDone).toBe(10);
  expect(done.Jobs[0].FramesDone + done.Jobs[0].FramesCancelled).toBe(40);
  expect(done.Jobs[0].CreditsConsumed).toBe(10);
  const credits = await client.call('GET', '/credits-info');
  expect(credits.body).toEqual({ credits_available: 0, credits_consumed: 10 });
  expect(lowest).toBeGreaterThanOrEqual(0);
}

describe('credits running out mid-job (the bin as its own process)', () => {
  it.each([1, 2, 20])(
    'instances %i: the job fails, the balance stops at 0, the service keeps answering',
    async (instances) => {
      const { local, dataDir } = await project();
      const { url } = await spawnEmulator([
        '--user',
        `${USER.email}:${USER.accessKey}:10`,
        '--time-scale',
        '0.05',
        '--data-dir',
        dataDir,
      ]);
      const client = answering(url);
      expect((await client.login(USER.email, USER.accessKey)).status).toBe(200);
      const body = submitBody('out', local, ['scene.blend'], [job('out', {}, { frames: '1 40', instances })]);
      expect((await client.call('POST', '/project-submit', { body })).status).toBe(201);
      await expectRanOut(client, 'out');
      // Still answering, and still refusing a new submit for want of credits.
      const again = await client.call('POST', '/project-submit', {
        body: submitBody('out', local, ['scene.blend'], [job('out', {}, { frames: '1 2' })]),
      });
      expect(again.status).toBe(402);
    },
  );

  it('after kill -9 mid-job and a restart on the same data folder', async () => {
    const { local, dataDir } = await project();
    const args = [
      '--user',
      `${USER.email}:${USER.accessKey}:10`,
      '--time-scale',
      '0.05',
      '--data-dir',
      dataDir,
    ];
    const first = await spawnEmulator(args);
    const c1 = answering(first.url);
    await c1.login(USER.email, USER.accessKey);
    const body = submitBody(
      'kill',
      local,
      ['scene.blend'],
      [job('kill', { id: 'k1' }, { frames: '1 40', instances: 2 })],
    );
    expect((await c1.call('POST', '/project-submit', { body })).status).toBe(201);
    for (;;) {
      if ((await durableFramesDone(dataDir, 'kill')) >= 4) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await killHard(first.child);
    const second = await spawnEmulator(args);
    const c2 = answering(second.url);
    await expectRanOut(c2, 'kill');
    // A third start on the finished state answers at once too (once that state is on disk: an answer may come
    // before its write, and a kill in between rightly re-runs the frames whose charges were not written yet).
    while ((await durableJobState(dataDir, 'kill')) !== 'Failed') await new Promise((r) => setTimeout(r, 20));
    await killHard(second.child);
    const third = await spawnEmulator(args);
    const c3 = answering(third.url, 5_000);
    expect((await c3.status('kill')).body.Jobs[0].State).toBe('Failed');
    expect((await c3.call('GET', '/credits-info')).body.credits_available).toBe(0);
  });
});

describe('credits are spoken for by running frames', () => {
  it('3 credits, 4 instances, 4 frames: 3 frames run, the job fails, the balance ends at 0 (not -1)', async () => {
    const { local } = await project();
    const s = await setup({ users: [{ ...USER, credits: 3 }], timeScale: 0.02 });
    try {
      await s.client.login(USER.email, USER.accessKey);
      const body = submitBody(
        'few',
        local,
        ['scene.blend'],
        [job('few', {}, { frames: '1 4', instances: 4 })],
      );
      expect((await s.client.call('POST', '/project-submit', { body })).status).toBe(201);
      const done = await s.client.waitFor('few', ended);
      expect(done.Jobs[0]).toMatchObject({
        State: 'Failed',
        FramesDone: 3,
        FramesCancelled: 1,
        CreditsConsumed: 3,
      });
      expect((await s.client.call('GET', '/credits-info')).body).toEqual({
        credits_available: 0,
        credits_consumed: 3,
      });
    } finally {
      await s.cleanup();
    }
  });

  it('a rate that does not divide the balance leaves the rest unspent', async () => {
    const { local } = await project();
    const s = await setup({ users: [{ ...USER, credits: 10 }], timeScale: 0.02 });
    try {
      await s.client.login(USER.email, USER.accessKey);
      // gm6400 costs 1.5 credits a frame: 6 frames (9 credits) fit, the 7th does not.
      const body = submitBody(
        'rate',
        local,
        ['scene.blend'],
        [job('rate', {}, { frames: '1 20', instances: 5, machine_type: 'gm6400' })],
      );
      expect((await s.client.call('POST', '/project-submit', { body })).status).toBe(201);
      const done = await s.client.waitFor('rate', ended);
      expect(done.Jobs[0]).toMatchObject({ State: 'Failed', FramesDone: 6, CreditsConsumed: 9 });
      expect((await s.client.call('GET', '/credits-info')).body).toEqual({
        credits_available: 1,
        credits_consumed: 9,
      });
    } finally {
      await s.cleanup();
    }
  });
});
