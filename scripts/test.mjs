#!/usr/bin/env node
// `npm test`'s checks and tests through turbo, with progress: one line per package as its tests finish (read from
// the vitest JSON report each package writes, see vitest.shared.ts), a line every 30 s saying what is still
// running, and a closing line "Tests: N passed, N failed". The report files of an earlier run are removed first,
// so that none stands in for this one (turbo restores cached ones, which then count as this run's).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TASKS = ['check:generated', 'typecheck', 'test', 'check:exports'];
const reports = [
  ...['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group))
      .sort()
      .map((name) => ({
        name: `${group}/${name}`,
        file: join(root, group, name, '.tmp', 'vitest-report.json'),
      })),
  ),
  // The tests of what a user gets: the migration guide, the packed packages, the browser bundle.
  { name: 'tests', file: join(root, 'tests', '.tmp', 'vitest-report.json') },
];

for (const { file } of reports) rmSync(file, { force: true });

const started = Date.now();
const elapsed = () => {
  const s = Math.round((Date.now() - started) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
};
const done = new Map();
const totals = { passed: 0, failed: 0, skipped: 0 };

/** Reads a finished package's report, once: undefined while it is missing or still being written. */
function collect({ name, file }) {
  if (done.has(name) || !existsSync(file)) return;
  let r;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return; // written right now: read on the next look
  }
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  done.set(name, r);
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += skipped;
  console.log(
    `${`${name}:`.padEnd(22)} ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped (${r.numTotalTestSuites} suites) · ${elapsed()}`,
  );
}

console.log(
  `Type checks, generated-code checks, tests and export checks of ${reports.length} packages (turbo):`,
);
const look = setInterval(() => reports.forEach(collect), 1000);
const heartbeat = setInterval(() => {
  const waiting = reports.filter((r) => !done.has(r.name)).map((r) => r.name);
  if (waiting.length > 0) console.log(`  … ${elapsed()}: tests still to finish in ${waiting.join(', ')}`);
}, 30_000);

const turbo = spawn(
  process.execPath,
  [join(root, 'scripts', 'turbo.mjs'), 'run', ...TASKS, '--output-logs=errors-only'],
  { stdio: 'inherit' },
);
turbo.on('close', (code) => {
  clearInterval(look);
  clearInterval(heartbeat);
  reports.forEach(collect);
  const missing = reports.filter((r) => !done.has(r.name)).map((r) => r.name);
  if (missing.length > 0) console.log(`No test report from ${missing.join(', ')}: their tests did not run.`);
  console.log(
    `Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped · ${elapsed()}`,
  );
  const failed = code !== 0 || totals.failed > 0 || missing.length > 0 || totals.passed === 0;
  process.exit(failed ? code || 1 : 0);
});
