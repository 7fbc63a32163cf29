// Shared helpers of the benchmarks: measure a candidate and its limit alternately in the same process, take
// medians, and print rows in the table protocol of bench/README.md (JSON lines with --json).
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

/** Whether the script was asked for JSON rows (`--json`): then stdout carries one JSON row per line. */
export const jsonMode = process.argv.includes('--json');

/** The positional arguments (flags such as `--json` left out). */
export const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/** A number from the positional arguments, else `fallback`. */
export function numberArg(index, fallback) {
  const value = Number(positional[index]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Progress and details: to stderr, so stdout stays rows only. */
export function note(...parts) {
  console.error(...parts);
}

/**
 * Runs every function of `fns` in turn, `runs` rounds after `warmup` rounds (not recorded); the order within a
 * round rotates, so no function always runs first or after the same one. A full GC (with --expose-gc) before each
 * call. Returns, by name, the wall-clock durations in milliseconds; `cpu` holds, by name, the process's CPU time
 * (user + system, all threads) of each call, which a loaded machine disturbs less than wall-clock time.
 */
export async function alternate(fns, { runs = 7, warmup = 1 } = {}) {
  const names = Object.keys(fns);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      globalThis.gc?.();
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await fns[name]();
      const took = performance.now() - start;
      const used = process.cpuUsage(cpuStart);
      if (round >= warmup) {
        times[name].push(took);
        cpu[name].push((used.user + used.system) / 1000);
      }
    }
  }
  return Object.assign(times, { cpu });
}

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile (0-100, nearest rank) of a list of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Milliseconds as text: `12.3 ms`, `0.42 ms`, `3.1 µs`. */
export function ms(value) {
  if (value >= 10) return `${value.toFixed(1)} ms`;
  if (value >= 0.1) return `${value.toFixed(2)} ms`;
  return `${(value * 1000).toFixed(1)} µs`;
}

/** Durations as a short list, for details. */
export function runsText(values) {
  return values.map((v) => (v >= 10 ? v.toFixed(0) : v.toFixed(2))).join(', ');
}

/** The machine's load, printed beside the figures (they are noisy when it is loaded). */
export function loadText() {
  const [one] = loadavg();
  return `load average ${one.toFixed(1)} on ${cpus().length} cores`;
}

/**
 * Prints one row of the table. Fields (see bench/README.md): `figure` what was measured; `value` the median
 * figure with its unit; `limit` what it is compared with, measured in the same run, with its median; `ratio`
 * value / limit (a number); `goal` the goal as text; `pass` true or false (null for a line that only informs).
 * Optional `detail`: the runs behind the medians.
 */
export function emit(row) {
  const full = { figure: '', value: '', limit: '', ratio: null, goal: '', pass: null, ...row };
  if (jsonMode) console.log(JSON.stringify(full));
  else printTable([full]);
}

/** Formats a ratio: `1.23×`. */
export function ratioText(ratio) {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return '';
  return ratio >= 100 ? `${ratio.toFixed(0)}×` : `${ratio.toFixed(2)}×`;
}

/** Prints rows as one aligned table (figure, value, limit, ratio, goal, result), details beneath. */
export function printTable(rows, out = (line) => console.log(line)) {
  const header = ['figure', 'value', 'limit (same run)', 'ratio', 'goal', 'result'];
  const cells = rows.map((r) => [
    r.figure,
    r.value,
    r.limit,
    ratioText(r.ratio),
    r.goal,
    r.pass === true ? 'pass' : r.pass === false ? 'FAIL' : 'info',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => `| ${c.map((x, i) => String(x).padEnd(widths[i])).join(' | ')} |`;
  out(line(header));
  out(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) out(line(c));
  const details = rows.filter((r) => r.detail);
  for (const r of details) out(`  ${r.figure}: ${r.detail}`);
}

/**
 * Emits a figure timed against its limit by {@link alternate} (wall-clock medians, with the runs behind them), then
 * the same in CPU time, which load disturbs less. `names` says how each side reads in the table (`limit` and
 * `cpuLimit` before the median, `runs` and `limitRuns` before the runs); `pass(value, limit)` judges the wall-clock row.
 */
export function emitTimed(times, { figure, key, limitKey, names, goal, pass }) {
  const [value, limit] = [median(times[key]), median(times[limitKey])];
  emit({
    figure,
    value: ms(value),
    limit: `${names.limit} ${ms(limit)}`,
    ratio: value / limit,
    goal,
    pass: pass(value, limit),
    detail: `${names.runs} runs ${runsText(times[key])} ms; ${names.limitRuns} runs ${runsText(times[limitKey])} ms; ${loadText()}`,
  });
  const [cpuValue, cpuLimit] = [median(times.cpu[key]), median(times.cpu[limitKey])];
  emit({
    figure: '  the same, CPU time (less disturbed by load)',
    value: ms(cpuValue),
    limit: `${names.cpuLimit} ${ms(cpuLimit)} CPU`,
    ratio: cpuValue / cpuLimit,
    goal: `(${goal})`,
    pass: null,
  });
  return { value, limit };
}

/**
 * Memory of one call in a fresh process: run the script itself again as `node --expose-gc <script> ...args
 * --memory-probe <kind>`, `runs` times per kind, kinds alternating. In the probe, {@link probeMemory} runs the call
 * and prints its growth. Returns, by kind, the RSS growth (`rss`: RSS after the call, its answer kept, less RSS
 * before) and the peak RSS growth (`peak`: the process's peak RSS, `resourceUsage().maxRSS`, less RSS before), MiB.
 */
export async function memoryProbes(script, args, kinds, runs = 5) {
  const { spawnSync } = await import('node:child_process');
  const out = Object.fromEntries(kinds.map((k) => [k, { rss: [], peak: [] }]));
  for (let i = 0; i < runs; i++) {
    for (const kind of i % 2 ? [...kinds].reverse() : kinds) {
      const child = spawnSync(process.execPath, ['--expose-gc', script, ...args, '--memory-probe', kind], {
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`memory probe ${kind} failed: ${child.stderr}`);
      const probe = JSON.parse(child.stdout.trim().split('\n').pop());
      out[kind].rss.push(probe.rss);
      out[kind].peak.push(probe.peak);
    }
  }
  return out;
}

/** The kind asked of a memory probe (`--memory-probe <kind>`), or `undefined` in a normal run. */
export const memoryProbeKind = process.argv.includes('--memory-probe')
  ? process.argv[process.argv.indexOf('--memory-probe') + 1]
  : undefined;

/** In a memory probe: runs `fn` once (its answer kept), prints the RSS growth and peak RSS growth, exits. */
export async function probeMemory(fn) {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const kept = await fn();
  const after = process.memoryUsage().rss;
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify({ rss: (after - before) / 2 ** 20, peak: (peak - before) / 2 ** 20, kept: kept ? 1 : 0 }),
  );
  process.exit(0);
}

/** Emits the peak RSS growth row of {@link memoryProbes}' answer: `key` against `limitKey`. */
export function emitPeak(growth, { figure, key, limitKey, limitName, goal = '', pass = null }) {
  const value = median(growth[key].peak);
  const limit = median(growth[limitKey].peak);
  const list = (values) => values.map((g) => g.toFixed(1)).join(', ');
  emit({
    figure,
    value: `${value.toFixed(1)} MiB`,
    limit: `${limitName} +${limit.toFixed(1)} MiB`,
    ratio: value / limit,
    goal,
    pass: typeof pass === 'function' ? pass(value, limit) : pass,
    detail: `fresh process each, peak RSS (resourceUsage().maxRSS) less RSS before the call; ${key} ${list(growth[key].peak)} MiB; ${limitName} ${list(growth[limitKey].peak)} MiB; RSS growth with the answer kept: ${key} ${list(growth[key].rss)}, ${limitName} ${list(growth[limitKey].rss)} MiB`,
  });
}
