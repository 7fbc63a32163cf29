import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Downloader } from '../src/downloads.js';
import { FrameList, RangeSet } from '../src/ranges.js';
import { Runtime } from '../src/runtime.js';
import { Scheduler } from '../src/scheduler.js';
import { type JobRecord, type JobState, type ProjectRecord, StateStore } from '../src/store.js';
import { tempDir } from './helpers.js';

/**
 * The scheduler on its own, with the event loop's turns made visible: `performance.now` steps 3 ms per call (the drain has 4),
 * so each drain writes one finished frame and yields, as it does on a loaded machine. Whenever a job turns
 * terminal, its counts are read on the next turn, the earliest an HTTP answer could read them.
 */
describe('scheduler', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function run(job: Partial<JobRecord>, credits = 100) {
    const dir = await tempDir('gm-emu-sched-');
    dirs.push(dir);
    const store = await StateStore.open(dir);
    const runtime = new Runtime(store, dir);
    const downloader = { kick() {} } as unknown as Downloader;
    const scheduler = new Scheduler(runtime, 1, downloader);
    const record: JobRecord = {
      id: 'j',
      name: 'job',
      app: 'blender',
      appVersion: '2.80',
      operation: 'render',
      path: '/p/scene.blend',
      machine: 'gm1',
      creditRate: 1,
      instances: 4,
      frames: FrameList.of([1, 2, 3, 4]),
      done: new RangeSet(),
      cancelled: new RangeSet(),
      outputDir: 'out',
      outputPrefix: 'frame',
      ext: 'png',
      budgetHit: false,
      dependencies: [],
      state: 'Queued',
      creditsConsumed: 0,
      alerts: [],
      ...job,
    };
    const project: ProjectRecord = {
      name: 'p',
      owner: 'me',
      createdAt: new Date(0).toISOString(),
      files: {},
      watch: {},
      jobs: [record],
      downloads: [],
    };
    store.state.projects.p = project;
    store.state.balances.me = { credits_available: credits, credits_consumed: 0 };
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 3));
    // What a status answer would see: the counts on the first turn after the job turned terminal.
    const seen: { state: JobState; done: number; cancelled: number }[] = [];
    let state = record.state;
    Object.defineProperty(record, 'state', {
      get: () => state,
      set: (v: JobState) => {
        state = v;
        if (['Stopped', 'Failed', 'Completed'].includes(v)) {
          setImmediate(() => seen.push({ state, done: record.done.size, cancelled: record.cancelled.size }));
        }
      },
    });
    scheduler.pump();
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0));
    // Let the queue drain fully, then compare with the end.
    await new Promise((r) => setTimeout(r, 50));
    scheduler.stop();
    await runtime.shutdown();
    return { seen: seen[0], end: { state, done: record.done.size, cancelled: record.cancelled.size }, store };
  }

  it('a budget stop counts the frames still queued to be written as cancelled at once, and never writes them', async () => {
    const { seen, end, store } = await run({ budget: { value: 1, action: 'stop' } });
    expect(seen).toEqual({ state: 'Stopped', done: 1, cancelled: 3 });
    expect(end).toEqual(seen);
    expect(store.state.balances.me).toEqual({ credits_available: 99, credits_consumed: 1 });
  });

  it('a job that runs out of credits mid-queue is charged only for the frames it rendered', async () => {
    const { end, store } = await run({}, 2);
    expect(end.done).toBe(2);
    expect(end.done + end.cancelled).toBe(4);
    expect(store.state.balances.me?.credits_available).toBe(0);
  });
});
