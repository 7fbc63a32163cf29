import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseFrames } from '../src/frames.js';
import { MAX_NAME_BYTES, nameProblem } from '../src/names.js';
import { inCycles } from '../src/validation.js';

describe('names that become files', () => {
  test.prop([fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 })])(
    'a name is accepted exactly when every rule holds',
    (name) => {
      const bytes = Buffer.byteLength(name);
      const ok =
        bytes <= MAX_NAME_BYTES &&
        !/[\u0000-\u001f\u007f/\\]/.test(name) &&
        name !== '.' &&
        name !== '..' &&
        !/[ .]$/.test(name) &&
        !/^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i.test(name);
      expect(nameProblem(name) === null).toBe(ok);
      if (nameProblem(name) === null) expect(nameProblem(name, true) === null).toBe(!/[<>:"|?*]/.test(name));
    },
  );

  it.each([
    ['n'.repeat(200), null],
    ['é'.repeat(100), null],
    ['é'.repeat(101), 'at most 200'],
    ['CON', 'device'],
    ['Lpt9.log', 'device'],
    ['console', null],
    ['a\u0000b', 'control'],
    ['a.', 'end'],
    ['', 'empty'],
  ])('%j', (name, problem) => {
    const found = nameProblem(name);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});

describe('dependency cycles, found without recursion', () => {
  it('a chain of 100,000 jobs has none; closing it makes every job part of one', () => {
    const n = 100_000;
    const deps = new Map(Array.from({ length: n }, (_, i) => [`j${i}`, i === 0 ? [] : [`j${i - 1}`]]));
    expect(inCycles(deps).size).toBe(0);
    deps.set('j0', [`j${n - 1}`]);
    expect(inCycles(deps).size).toBe(n);
  });

  it('jobs that only wait on a cycle are not part of it', () => {
    const deps = new Map([
      ['a', ['b']],
      ['b', ['a']],
      ['c', ['a']],
      ['d', ['c']],
      ['e', []],
    ]);
    expect([...inCycles(deps)].sort()).toEqual(['a', 'b']);
  });

  test.prop([fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 20 })])(
    'matches a recursive search on small graphs',
    (edges) => {
      const deps = new Map<string, string[]>();
      for (let i = 0; i < 8; i++) deps.set(`${i}`, []);
      for (const [a, b] of edges) deps.get(`${a}`)?.push(`${b}`);
      // Reference: a job is on a cycle when it can reach itself.
      const reaches = (from: string, to: string): boolean => {
        const seen = new Set<string>();
        const stack = [...(deps.get(from) ?? [])];
        while (stack.length > 0) {
          const x = stack.pop() as string;
          if (x === to) return true;
          if (seen.has(x)) continue;
          seen.add(x);
          stack.push(...(deps.get(x) ?? []));
        }
        return false;
      };
      const found = inCycles(deps);
      for (const id of deps.keys()) {
        if (reaches(id, id)) expect(found.has(id), id).toBe(true);
        // Jobs between two cycles may be reported with them; a job that reaches no cycle never is.
        const reachesCycle = [...deps.keys()].some((c) => reaches(c, c) && (c === id || reaches(id, c)));
        if (!reachesCycle) expect(found.has(id), id).toBe(false);
      }
    },
  );
});

describe('frame counting', () => {
  it('overlapping groups count each frame once', () => {
    const parsed = parseFrames('1 4,3 6');
    expect(parsed).toEqual({ ok: true, frames: [1, 2, 3, 4, 5, 6] });
  });
  it('a range of 100,000 distinct frames written twice is within the limit', () => {
    expect(parseFrames('1 100000,1 100000').ok).toBe(true);
    expect(parseFrames('1 100001').ok).toBe(false);
    expect(parseFrames('1 9007199254740993').ok).toBe(false);
  });
});
