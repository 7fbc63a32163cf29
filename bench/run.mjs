// `pnpm bench`: runs every benchmark script of this folder with --json, one after the other, collects the rows
// they print (the protocol of bench/README.md) and prints ONE table: figure, value, limit, ratio, goal, result.
// Scripts: every bench/*.mjs except run.mjs and lib*.mjs (helpers), those named first in ORDER first, the others
// alphabetically; a script that is not there is simply not run. Exit code 1 when a row fails or a script fails.
// Usage: node bench/run.mjs [name-or-part ...]   (e.g. `pnpm bench -- resolver` runs bench/resolver.mjs only)
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadText, printTable } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ORDER = ['add-files.mjs', 'submit.mjs', 'resolver.mjs', 'cli-start.mjs'];
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 20 * 60_000);
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const present = readdirSync(here).filter(
  (f) => f.endsWith('.mjs') && f !== 'run.mjs' && !f.startsWith('lib') && !f.startsWith('_'),
);
const scripts = [
  ...ORDER.filter((f) => present.includes(f)),
  ...present.filter((f) => !ORDER.includes(f)).sort(),
].filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)));

/** Runs one script with --json; resolves to its rows, or to one failing row when it fails or prints none. */
function run(script) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, script), '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rows = [];
    let buffer = '';
    const take = (line) => {
      const text = line.trim();
      if (!text.startsWith('{')) return; // not a row: ignored
      try {
        const row = JSON.parse(text);
        if (typeof row.figure === 'string') rows.push(row);
      } catch {}
    };
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) take(line);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      take(buffer);
      if (code !== 0 || rows.length === 0) {
        const why = signal ? `killed (${signal})` : code !== 0 ? `exit code ${code}` : 'printed no rows';
        rows.push({ figure: `${script}: ${why}`, value: '', limit: '', ratio: null, goal: '', pass: false });
      }
      resolve(rows);
    });
  });
}

const started = loadText();
const all = [];
for (const script of scripts) {
  console.error(`\n# ${script}`);
  all.push(...(await run(script)));
}
console.log(`\nBenchmarks (${scripts.join(', ')}); ${started} at the start, ${loadText()} at the end.`);
console.log('Each ratio compares medians measured in the same run, alternately; see bench/README.md.\n');
printTable(all);
process.exit(all.some((r) => r.pass === false) ? 1 : 0);
