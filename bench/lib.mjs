// Shared helpers of the benchmarks: repeat a measurement, report medians and ratios beside a baseline run
// in the same process (machines here are noisy: compare within one run, never across runs).
import { performance } from 'node:perf_hooks';

/** Runs `fn` `runs` times (after one warm-up) and returns the durations in milliseconds. */
export async function measure(fn, runs = 5) {
  await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Prints one comparison: baseline and candidate medians (ms) and the speed-up ratio. */
export function report(title, baselineName, baselineTimes, candidateName, candidateTimes) {
  const b = median(baselineTimes);
  const c = median(candidateTimes);
  console.log(`\n${title}`);
  console.log(
    `  ${baselineName.padEnd(44)} median ${b.toFixed(1).padStart(9)} ms  (runs: ${baselineTimes.map((t) => t.toFixed(0)).join(', ')})`,
  );
  console.log(
    `  ${candidateName.padEnd(44)} median ${c.toFixed(1).padStart(9)} ms  (runs: ${candidateTimes.map((t) => t.toFixed(0)).join(', ')})`,
  );
  console.log(`  ratio baseline/candidate: ${(b / c).toFixed(2)}x`);
  return { title, baseline: b, candidate: c, ratio: b / c };
}
