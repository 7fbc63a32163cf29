import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseFrameList, parseFrames } from '../src/frames.js';
import { FrameList, RangeSet } from '../src/ranges.js';
import { loadState, type State, StateStore } from '../src/store.js';

/** An operation on a set of small integers, applied to a RangeSet and to a plain Set alike. */
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), v: fc.integer({ min: -20, max: 60 }) }),
  fc.record({
    kind: fc.constant('range' as const),
    a: fc.integer({ min: -20, max: 60 }),
    len: fc.integer({ min: -2, max: 15 }),
  }),
);

type Op = { kind: 'add'; v: number } | { kind: 'range'; a: number; len: number };

function model(ops: readonly Op[]): { set: RangeSet; plain: Set<number> } {
  const set = new RangeSet();
  const plain = new Set<number>();
  for (const o of ops) {
    if (o.kind === 'add') {
      expect(set.add(o.v)).toBe(!plain.has(o.v));
      plain.add(o.v);
    } else {
      set.addRange(o.a, o.a + o.len);
      for (let v = o.a; v <= o.a + o.len; v++) plain.add(v);
    }
  }
  return { set, plain };
}

describe('RangeSet against a plain Set', () => {
  test.prop([fc.array(op, { maxLength: 60 }), fc.integer({ min: -25, max: 65 })])(
    'same members, size, next absent and next present after any adds',
    (ops, probe) => {
      const { set, plain } = model(ops);
      const sorted = [...plain].sort((a, b) => a - b);
      expect([...set.values()]).toEqual(sorted);
      expect(set.size).toBe(plain.size);
      expect(set.has(probe)).toBe(plain.has(probe));
      let absent = probe;
      while (plain.has(absent)) absent++;
      expect(set.nextAbsent(probe)).toBe(absent);
      expect(set.nextPresent(probe)).toBe(sorted.find((v) => v >= probe) ?? Number.POSITIVE_INFINITY);
      // Ranges are sorted, disjoint and not touching; they survive the state file's JSON.
      const ranges = set.ranges();
      for (let k = 1; k < ranges.length; k++) {
        expect((ranges[k] as [number, number])[0]).toBeGreaterThan(
          (ranges[k - 1] as [number, number])[1] + 1,
        );
      }
      const back = RangeSet.of(JSON.parse(JSON.stringify(set)));
      expect([...back.values()]).toEqual(sorted);
      expect(back.size).toBe(set.size);
    },
  );

  it('100,000 frames finished in order stay one range', () => {
    const set = new RangeSet();
    for (let i = 0; i < 100_000; i++) set.add(i);
    expect(set.ranges()).toEqual([[0, 99_999]]);
    expect(set.size).toBe(100_000);
  });
});

describe('FrameList', () => {
  test.prop([fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { maxLength: 80 })])(
    'keeps any distinct frames in their order: at, indexOf, toArray',
    (frames) => {
      const list = FrameList.of(frames);
      expect(list.length).toBe(frames.length);
      expect(list.toArray()).toEqual(frames);
      frames.forEach((f, i) => {
        expect(list.at(i)).toBe(f);
        expect(list.indexOf(f)).toBe(i);
      });
      expect(list.indexOf(5000)).toBe(-1);
      expect(new FrameList(JSON.parse(JSON.stringify(list))).toArray()).toEqual(frames);
    },
  );

  test.prop([
    fc.array(
      fc.tuple(
        fc.integer({ min: -50, max: 200 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
      ),
      { minLength: 1, maxLength: 5 },
    ),
  ])('parsing a frame range gives the distinct frames in the order written, runs or not', (groups) => {
    const spec = groups.map(([s, len, step]) => `${s} ${s + len} ${step}`).join(',');
    const expected: number[] = [];
    const seen = new Set<number>();
    for (const [s, len, step] of groups) {
      for (let f = s; f <= s + len; f += step) {
        if (!seen.has(f)) expected.push(f);
        seen.add(f);
      }
    }
    const parsed = parseFrameList(spec);
    expect(parsed.ok && parsed.list.toArray()).toEqual(expected);
    expect(parseFrames(spec)).toEqual({ ok: true, frames: expected });
  });

  it('a step range of 100,000 frames is one run', () => {
    const parsed = parseFrameList('1 199999 2');
    expect(parsed.ok && parsed.list.toJSON()).toEqual([[1, 2, 100_000]]);
  });
});

describe('the state file', () => {
  it('loads a version 1 state (frames listed one by one, one record per result file)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gm-emu-v1-'));
    try {
      const job = {
        id: 'j1',
        name: 'j1',
        frames: [10, 11, 12, 20, 22, 24],
        done: [10, 11, 20],
        cancelled: [24],
        state: 'Running',
      };
      const result = {
        rel: 'render_results/x/frame_0010.png',
        origin: 'result',
        state: 'Completed',
        size: 1,
      };
      const upload = { rel: 'a.blend', origin: 'upload', state: 'Completed', size: 3, bytesDone: 3 };
      const v1 = {
        version: 1,
        currentUser: 'u@x.y',
        balances: { 'u@x.y': { credits_available: 7, credits_consumed: 3 } },
        projects: {
          p: {
            name: 'p',
            owner: 'u@x.y',
            createdAt: 'then',
            files: { 'a.blend': upload, [result.rel]: result },
            watch: {},
            jobs: [job],
            downloads: [],
          },
        },
      };
      await writeFile(join(dir, 'state.json'), JSON.stringify(v1));
      const { state } = await loadState(dir);
      const loaded = state.projects.p?.jobs[0];
      expect(loaded?.frames.toArray()).toEqual([10, 11, 12, 20, 22, 24]);
      expect([...(loaded?.done.values() ?? [])].map((i) => loaded?.frames.at(i))).toEqual([10, 11, 20]);
      expect([...(loaded?.cancelled.values() ?? [])].map((i) => loaded?.frames.at(i))).toEqual([24]);
      expect(Object.keys(state.projects.p?.files ?? {})).toEqual(['a.blend']);
      expect(state.balances['u@x.y']).toEqual({ credits_available: 7, credits_consumed: 3 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a frame recorded in the journal survives a restart; a torn last line is ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gm-emu-journal-'));
    try {
      const store = await StateStore.open(dir);
      const state: State = store.state;
      state.balances.u = { credits_available: 10, credits_consumed: 0 };
      state.projects.p = {
        name: 'p',
        owner: 'u',
        createdAt: 'then',
        files: {},
        watch: {},
        downloads: [],
        jobs: [
          {
            id: 'j',
            name: 'j',
            app: 'a',
            appVersion: '1',
            operation: 'render',
            path: '/p/a',
            machine: 'm',
            creditRate: 1,
            instances: 1,
            frames: new FrameList([[1, 1, 100_000]]),
            done: new RangeSet(),
            cancelled: new RangeSet(),
            outputDir: 'o',
            outputPrefix: 'frame',
            ext: 'png',
            budgetHit: false,
            dependencies: [],
            state: 'Running',
            creditsConsumed: 0,
            alerts: [],
          },
        ],
      };
      store.save();
      await store.flush();
      const snapshot = (await readFile(join(dir, 'state.json'))).length;
      for (let i = 0; i < 5; i++) {
        store.record({
          p: 'p',
          j: 'j',
          d: [[i, i]],
          job: { state: 'Running', budgetHit: false, creditsConsumed: i + 1, alerts: [], cancelled: [] },
          bal: { u: 'u', a: 9 - i, c: i + 1 },
        });
      }
      await store.flush();
      // Five frames cost five short lines, not five snapshots.
      expect(store.bytesWritten - snapshot).toBeLessThan(1000);
      const journal = (await loadState(dir, { tidy: false })).state;
      expect(journal.projects.p?.jobs[0]?.done.ranges()).toEqual([[0, 4]]);
      expect(journal.balances.u).toEqual({ credits_available: 5, credits_consumed: 5 });
      // The frames finished in one turn of the event loop: one line, applied whole.
      const job = { state: 'Running' as const, budgetHit: false, alerts: [], cancelled: [] };
      store.record({
        b: [
          { p: 'p', j: 'j', d: [[5, 6]], job: { ...job, creditsConsumed: 7 }, bal: { u: 'u', a: 3, c: 7 } },
          { p: 'p', j: 'j', d: [[7, 7]], job: { ...job, creditsConsumed: 8 }, bal: { u: 'u', a: 2, c: 8 } },
        ],
      });
      await store.flush();
      // A kill in the middle of an append leaves half a line.
      const log = (await readdir(dir)).find((n) => n.startsWith('journal.'));
      expect(log).toBeDefined();
      await appendFile(join(dir, log as string), '{"b":[{"p":"p","j":"j","d":[[8,9]],"job":{"sta');
      const after = (await loadState(dir)).state;
      expect(after.projects.p?.jobs[0]?.done.ranges()).toEqual([[0, 7]]);
      expect(after.projects.p?.jobs[0]?.creditsConsumed).toBe(8);
      expect(after.balances.u).toEqual({ credits_available: 2, credits_consumed: 8 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
