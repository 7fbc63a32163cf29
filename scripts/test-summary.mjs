#!/usr/bin/env node
// Adds up the vitest JSON reports of every package (written by vitest.shared.ts, restored by turbo's cache)
// and prints one line a package and a closing line: "Tests: N passed, N failed".
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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

// --clean, before the tests: no report of an earlier run may stand in for this one (turbo restores cached ones).
if (process.argv.includes('--clean')) {
  for (const { file } of reports) rmSync(file, { force: true });
  process.exit(0);
}
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const { name, file } of reports) {
  if (!existsSync(file)) {
    missing.push(name);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const skip = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(
    `${`${name}:`.padEnd(22)} ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skip} skipped (${r.numTotalTestSuites} suites)`,
  );
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += skip;
}
if (missing.length > 0) console.log(`No test report from ${missing.join(', ')}: their tests did not run.`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);
