// ProductResolver on a big catalogue (4,800 product versions, 89,541 product-plugin links): building the index,
// then 400 distinct queries each asked once, timed one by one, the first query of each type included. Every run
// is a fresh process (cold code, fresh index), as a command line that answers one question is.
// Limits, measured in the same process: building is compared with one pass that only reads every link; each query
// with an index lookup of its precomputed answer, timed right after it. Goals: build ≤ 50 ms, p95 ≤ 1 ms, no query
// over 5 ms.
// The catalogue goes through JSON first, as it comes from GET /products. Each query's CPU time is a second line:
// on a loaded machine, the slowest single query mostly measures the scheduler.
// Usage: node bench/resolver.mjs [runs=7] [--json]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ProductResolver } from '@gm/core';
import { bigCatalogue, bigQueries } from '../packages/core/test/big-catalogue.mjs';
import { emit, loadText, median, ms, note, numberArg, percentile, runsText } from './lib.mjs';

if (process.argv.includes('--probe')) {
  // The catalogue as it comes out of GET /products: parsed JSON.
  const catalogue = JSON.parse(JSON.stringify(bigCatalogue()));
  const queries = bigQueries(catalogue);
  const keyOf = (q) => (Array.isArray(q) ? q.join('\u0000') : q);
  const cpuMs = (start) => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  let resolver;
  const out = {};
  const timeBuild = () => {
    globalThis.gc?.(); // not the catalogue generator's garbage: a full GC before, as before every measurement
    const cpu = process.cpuUsage();
    const start = performance.now();
    resolver = new ProductResolver(catalogue);
    out.build = performance.now() - start;
    out.buildCpu = cpuMs(cpu);
  };
  const timePass = () => {
    globalThis.gc?.();
    const start = performance.now();
    const seen = new Map();
    for (let i = 0; i < catalogue.length; i++)
      for (const m of catalogue[i].compatible_modules) seen.set(m, i);
    out.pass = performance.now() - start;
  };
  if (process.argv.includes('--pass-first')) {
    timePass();
    timeBuild();
  } else {
    timeBuild();
    timePass();
  }
  // The index lookup: the same answers, precomputed (by a separate resolver, so the timed one stays fresh).
  const other = new ProductResolver(catalogue);
  const answers = new Map(queries.map((q) => [keyOf(q), other.getCompatibleCombinations(q)]));
  globalThis.gc?.(); // not the garbage of precomputing the answers
  const took = [];
  const cpuTook = [];
  const lookups = [];
  let nonEmpty = 0;
  for (const q of queries) {
    const cpu = process.cpuUsage();
    let start = performance.now();
    const answer = resolver.getCompatibleCombinations(q);
    took.push(performance.now() - start);
    cpuTook.push(cpuMs(cpu));
    start = performance.now();
    const known = answers.get(keyOf(q));
    lookups.push(performance.now() - start);
    if (JSON.stringify(answer) !== JSON.stringify(known)) throw new Error(`answers differ for ${q}`);
    if (Object.keys(answer).length > 0) nonEmpty++;
  }
  const worst = took.indexOf(Math.max(...took));
  Object.assign(out, {
    p95: percentile(took, 95),
    max: took[worst],
    worst: JSON.stringify(queries[worst]),
    worstAt: worst,
    p95Cpu: percentile(cpuTook, 95),
    maxCpu: Math.max(...cpuTook),
    lookupP95: percentile(lookups, 95),
    lookupMax: Math.max(...lookups),
    nonEmpty,
  });
  console.log(JSON.stringify(out));
  process.exit(0);
}

const runs = Math.max(5, numberArg(0, 7));
const self = fileURLToPath(import.meta.url);
const results = [];
note(`resolver: ${runs} fresh processes, 400 queries each (${loadText()})`);
for (let i = 0; i < runs; i++) {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', self, '--probe', ...(i % 2 ? ['--pass-first'] : [])],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`resolver probe failed: ${child.stderr}`);
  results.push(JSON.parse(child.stdout.trim().split('\n').pop()));
}
const of = (key) => results.map((r) => r[key]);
const build = median(of('build'));
const pass = median(of('pass'));
emit({
  figure: 'resolver: build the index (4,800 versions, 89,541 links)',
  value: ms(build),
  limit: `one pass reading every link ${ms(pass)}`,
  ratio: build / pass,
  goal: '≤ 50 ms',
  pass: build <= 50,
  detail: `runs ${runsText(of('build'))} ms; one pass ${runsText(of('pass'))} ms`,
});
emit({
  figure: '  the same, CPU time (less disturbed by load)',
  value: ms(median(of('buildCpu'))),
  goal: '(≤ 50 ms)',
  detail: `runs ${runsText(of('buildCpu'))} ms`,
});
const p95 = median(of('p95'));
const lookupP95 = median(of('lookupP95'));
emit({
  figure: 'resolver: p95 of 400 queries, each asked once',
  value: ms(p95),
  limit: `index lookup p95 ${ms(lookupP95)}`,
  ratio: p95 / lookupP95,
  goal: '≤ 1 ms',
  pass: p95 <= 1,
  detail: `per run ${runsText(of('p95'))} ms; ${results[0].nonEmpty} of 400 answers not empty`,
});
emit({
  figure: '  the same, CPU time',
  value: ms(median(of('p95Cpu'))),
  goal: '(≤ 1 ms)',
  detail: `per run ${runsText(of('p95Cpu'))} ms`,
});
const max = median(of('max'));
emit({
  figure: 'resolver: slowest of the 400 (first of each type included)',
  value: ms(max),
  limit: `index lookup max ${ms(median(of('lookupMax')))}`,
  ratio: max / median(of('lookupMax')),
  goal: '≤ 5 ms',
  pass: max <= 5,
  detail: `per run ${runsText(of('max'))} ms (worst run ${ms(Math.max(...of('max')))}); slowest queries ${[...new Set(of('worst'))].join(' ')} (asked ${of(
    'worstAt',
  )
    .map((i) => `#${i + 1}`)
    .join(', ')}); ${loadText()}`,
});
emit({
  figure: '  the same, CPU time',
  value: ms(median(of('maxCpu'))),
  goal: '(≤ 5 ms)',
  detail: `per run ${runsText(of('maxCpu'))} ms`,
});
