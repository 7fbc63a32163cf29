// The child process of bench/preflight-hostile.mjs: runs one case on one file and prints one JSON line: the time,
// the peak RSS of this process (process.resourceUsage().maxRSS) and the outcome. Modes: `scan` (@gm/preflight
// scanScene, libraries followed), `job` (@gm/cli loadJobFile, as `gm validate --offline` reads a job file), `plain`
// (the limit: readFile of the same bytes, whole).
// Usage: node bench/lib-hostile-child.mjs <scan|job|plain> <file>
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { scanScene } from '@gm/preflight';

const [mode, file] = process.argv.slice(2);
const start = performance.now();
let outcome;
try {
  if (mode === 'plain') {
    outcome = `read ${(await readFile(file)).length} bytes`;
  } else if (mode === 'job') {
    const { loadJobFile } = await import('../apps/cli/dist/index.mjs');
    await loadJobFile(file);
    outcome = 'read';
  } else {
    const scan = await scanScene(file);
    outcome = `result: ${scan.references.length} references, ${scan.notes.length} note(s)`;
  }
} catch (error) {
  const where =
    error.offset !== undefined
      ? ` at byte ${error.offset}`
      : error.line !== undefined
        ? ` at line ${error.line}`
        : '';
  outcome = `${error.name}${where}${error.limit ? ` (limits.${error.limit})` : ''}`;
}
const ms = performance.now() - start;
console.log(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS / 1024, outcome }));
