import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frameRel } from '../src/result-names.js';
import { loadState, type State } from '../src/store.js';
import { Client, job, submitBody, tempDir, writeFiles } from './helpers.js';
import { killAll, killHard, spawnEmulator } from './spawn.js';

const USER = { email: 'big@x.y', accessKey: 'k' };
const CREDITS = 10_000_000;
const dirs: string[] = [];
afterEach(async () => {
  await killAll();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Done frame indexes of each job, by job id. */
function doneByJob(state: State): Map<string, Set<number>> {
  return new Map((state.projects.big?.jobs ?? []).map((j) => [j.id, new Set(j.done.values())]));
}

/** The books balance: each job charged once per done frame, the account's totals the sum of its jobs'. */
function expectConsistent(state: State): void {
  const jobs = state.projects.big?.jobs ?? [];
  let charged = 0;
  for (const j of jobs) {
    expect(j.creditsConsumed, `job ${j.id}`).toBeCloseTo(j.done.size * j.creditRate, 6);
    charged += j.creditsConsumed;
  }
  const balance = state.balances[USER.email];
  expect(balance?.credits_consumed).toBeCloseTo(charged, 6);
  expect((balance?.credits_available ?? 0) + (balance?.credits_consumed ?? 0)).toBeCloseTo(CREDITS, 6);
}

describe('kill -9 in the middle of big jobs (the bin as its own process)', () => {
  it('loses no recorded frame, charges none twice, keeps the balance consistent, and carries on', async () => {
    const dataDir = await tempDir('gm-emu-data-');
    const local = await tempDir();
    dirs.push(dataDir, local);
    await writeFiles(local, { 'scene.blend': 'scene' });
    const args = [
      '--data-dir',
      dataDir,
      '--time-scale',
      '0.01',
      '--user',
      `${USER.email}:${USER.accessKey}:${CREDITS}`,
    ];
    const first = await spawnEmulator(args);
    const c1 = new Client(first.url);
    await c1.login(USER.email, USER.accessKey);
    const jobs = [1, 2, 3].map((n) =>
      job('big', { id: `j${n}` }, { frames: '1 100000', instances: 5, output_prefix: `j${n}` }),
    );
    expect(
      (await c1.call('POST', '/project-submit', { body: submitBody('big', local, ['scene.blend'], jobs) }))
        .status,
    ).toBe(201);
    // 3 jobs × 5 instances of 10 ms frames: up to 1,500 frames a second, without starving the other test files.
    // Kill while frames are finishing: once the data folder records a few hundred of them.
    for (;;) {
      const { state } = await loadState(dataDir, { tidy: false }).catch(() => ({ state: null }));
      const done = state?.projects.big?.jobs.reduce((n, j) => n + j.done.size, 0) ?? 0;
      if (done >= 600) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await killHard(first.child);
    const { state: killed } = await loadState(dataDir, { tidy: false });
    expectConsistent(killed);
    const before = doneByJob(killed);
    // Every recorded frame's output is in the store.
    for (const j of killed.projects.big?.jobs ?? []) {
      for (const i of [...j.done.values()].slice(-20)) {
        await access(join(dataDir, 'store', 'big', ...frameRel(j, j.frames.at(i)).split('/')));
      }
    }

    const second = await spawnEmulator(args);
    const c2 = new Client(second.url);
    await c2.login(USER.email, USER.accessKey);
    const status = (await c2.status('big')).body;
    for (const j of status.Jobs) expect(j.FramesDone).toBeGreaterThanOrEqual(before.get(j.Id)?.size ?? 0);
    // It carries on: more frames finish after the restart.
    const total = (s: { Jobs: { FramesDone: number }[] }): number =>
      s.Jobs.reduce((n, j) => n + j.FramesDone, 0);
    const recorded = [...before.values()].reduce((n, s) => n + s.size, 0);
    await c2.waitFor('big', (s) => total(s) >= recorded + 300);
    // A clean stop (SIGTERM) writes everything; then nothing recorded before the kill is missing or charged twice.
    const exited = new Promise((r) => second.child.once('exit', r));
    second.child.kill('SIGTERM');
    await exited;
    const { state: after } = await loadState(dataDir);
    expectConsistent(after);
    const now = doneByJob(after);
    for (const [id, frames] of before) {
      const later = now.get(id) ?? new Set<number>();
      expect(
        [...frames].filter((i) => !later.has(i)),
        `job ${id} lost frames`,
      ).toEqual([]);
    }
    expect([...now.values()].reduce((n, s) => n + s.size, 0)).toBeGreaterThanOrEqual(recorded + 300);
    for (const j of after.projects.big?.jobs ?? []) expect(j.state).toBe('Running');
  }, 120_000);
});
