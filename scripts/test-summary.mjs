#!/usr/bin/env node
// Adds up the vitest JSON reports of every package (written by vitest.shared.ts, restored by turbo's cache)
// and prints one line a package and a closing line: "Tests: N passed, N failed".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group)).sort()) {
    const report = join(root, group, name, '.tmp', 'vitest-report.json');
    if (!existsSync(report)) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const skip = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(
      `${`${group}/${name}:`.padEnd(22)} ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skip} skipped (${r.numTotalTestSuites} suites)`,
    );
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += skip;
  }
}
if (missing.length > 0) console.log(`No test report from ${missing.join(', ')}: their tests did not run.`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);
