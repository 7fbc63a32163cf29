// The size of what a browser page that uses @gm/core loads: tests/browser/page.ts (log in, user, projects, a
// Project given its file list, a Job, watch rules, submit, status, files) bundled by esbuild for the browser with
// code splitting and minified, as test/browser.test.ts serves it to Chromium (the same build, tests/browser/scripts.mjs).
// Rows: the scripts the page loads before it runs (page.js and its static imports: all its flow loads when every
// call succeeds and there are no watch rules), every script of the page but re2js (the RE2 engine, loaded only to
// check watch patterns), the module of failed calls included, and the bundle of EnvoyClient, Job and Project
// without splitting; each in bytes of min+gzip against the issue's 22 KB. The browser test counts the bytes
// Chromium really fetched for the flow; this one needs no browser. Details: each script, and the largest inputs
// in minified bytes.
// Usage: node bench/browser-bundle.mjs [--json]   (after the build: the page bundles the packages' dist)
import { bundle, gzipBytes, pageScripts, RE2JS_FILE, upFront } from '../tests/browser/scripts.mjs';
import { emit, note } from './lib.mjs';

/** The issue's budget: everything a page loads for the whole flow, re2js aside. */
const BUDGET = 22 * 1024;

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
const row = (figure, bytes, pass) => ({
  figure,
  value: `${bytes} B (${kb(bytes)})`,
  limit: `${BUDGET} B (22 KB, issue)`,
  ratio: Math.round((bytes / BUDGET) * 1000) / 1000,
  goal: '≤ 1.00×',
  pass,
});

const { scripts, metafile } = await pageScripts();
const first = upFront(scripts);
const sum = (names) => names.reduce((total, name) => total + gzipBytes(scripts.get(name) ?? ''), 0);
const loaded = sum(first);
const all = sum([...scripts.keys()].filter((name) => name !== RE2JS_FILE));
const core = gzipBytes(
  (await bundle("export { EnvoyClient, Job, Project } from '@gm/core';", ['re2js'])).text,
);
const inputs = Object.values(metafile.outputs)
  .flatMap((output) => Object.entries(output.inputs))
  .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
  .slice(0, 8)
  .map(
    ([path, input]) =>
      `${path.replace(/^.*node_modules\/(?!\.pnpm)|^.*\.pnpm\/[^/]+\/node_modules\//, '')} ${input.bytesInOutput}`,
  );
const detail = `scripts: ${[...scripts.keys()].map((n) => `${n} ${gzipBytes(scripts.get(n) ?? '')} B`).join(', ')}; largest inputs (minified): ${inputs.join(', ')}`;
note(detail);
emit({
  ...row(
    `browser page: scripts loaded before it runs (${first.join(', ')}), min+gzip`,
    loaded,
    loaded <= BUDGET,
  ),
  detail,
});
emit(
  row('  every script of the page but re2js (failures.ts, loaded when a call fails, included)', all, null),
);
emit(row('  bundle of EnvoyClient, Job, Project (no splitting, re2js external)', core, null));
