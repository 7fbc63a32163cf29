import { expect, it } from 'vitest';
import { formatReport, fuzzEmulator } from './fuzz.js';

// `pnpm --filter @gm/emulator fuzz` sets GM_FUZZ_REQUESTS (20,000 by default) for a longer run.
const requests = Number(process.env.GM_FUZZ_REQUESTS ?? 2000);
const seed = process.env.GM_FUZZ_SEED ? Number(process.env.GM_FUZZ_SEED) : Date.now() % 1_000_000;

it(`survives ${requests} requests generated from the contract: no 5xx, every answer in the contract, nothing written outside its folders`, async () => {
  const report = await fuzzEmulator({ requests, seed });
  console.log(formatReport(report, `GM_FUZZ_SEED=${seed} GM_FUZZ_REQUESTS=${requests} (test/fuzz.test.ts)`));
  expect(report.examples, 'contract violations').toEqual([]);
  expect(report.fiveHundreds).toBe(0);
  expect(report.violations).toBe(0);
  expect(report.requests).toBe(requests);
  expect(report.strayWrites).toEqual([]);
  // Hostile requests were sent and refused.
  expect(report.byKind.get('foreign Host')?.get(403)).toBeGreaterThan(0);
  expect(report.byKind.get('foreign Origin')?.get(403)).toBeGreaterThan(0);
  // The issue asks for an answer within 100 ms; on a loaded shared machine this only checks it answers.
  expect(report.aliveMs).toBeLessThan(process.env.GM_FUZZ_STRICT ? 100 : 5000);
}, 600_000);
