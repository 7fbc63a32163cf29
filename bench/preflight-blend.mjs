// Scanning a 100 MB .blend with @gm/preflight's scanScene (blocks streamed: small ones read through a buffer,
// large ones seeked over) against a baseline that reads the whole file into memory and walks the same blocks.
// The file is made once from the real Blender 3.4 fixture: its blocks, plus filler blocks (1 MB mesh-sized ones
// and 100-byte ones, as a big scene has both) inserted before the SDNA block.
// Usage: node --expose-gc bench/preflight-blend.mjs [megabytes=100] [runs=5]
// Budget (issue 15): <= 1 s and <= 64 MB memory growth for 100 MB.
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanScene } from '@gm/preflight';
import { measure, median, report } from './lib.mjs';

/** CPU time (user + system, ms) of each of `runs` calls of `fn`, after one warm-up: steadier than wall time on a loaded machine. */
async function cpuTimes(fn, runs) {
  await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return times;
}

const megabytes = Number(process.argv[2] ?? 100);
const runs = Number(process.argv[3] ?? 5);
const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, '..', 'packages', 'preflight', 'test', 'fixtures', 'blend', 'scene.blend');
const target = join(tmpdir(), `gm-bench-scene-${megabytes}mb.blend`);

function makeBig() {
  const scene = readFileSync(source);
  const out = openSync(`${target}.part`, 'w');
  writeSync(out, scene.subarray(0, 12));
  const header = (code, len) => {
    const h = Buffer.alloc(24);
    h.write(code, 0, 'latin1');
    h.writeInt32LE(len, 4);
    h.writeBigUInt64LE(0x7f0000000000n, 8);
    h.writeInt32LE(0, 16);
    h.writeInt32LE(1, 20);
    return h;
  };
  let at = 12;
  let written = 12;
  const big = Buffer.alloc(1024 * 1024, 0x3f);
  const small = Buffer.alloc(100, 0x11);
  for (;;) {
    const code = scene.toString('latin1', at, at + 4);
    const len = scene.readInt32LE(at + 4);
    if (code === 'DNA1') {
      const goal = megabytes * 1024 * 1024 - (scene.length - at);
      let smallBlocks = 0;
      while (written < goal - 24 - big.length && written < goal * 0.95) {
        writeSync(out, header('DATA', big.length));
        writeSync(out, big);
        written += 24 + big.length;
      }
      while (written + 124 < goal) {
        writeSync(out, header('DATA', small.length));
        writeSync(out, small);
        written += 124;
        smallBlocks++;
      }
      console.log(`inserted ${smallBlocks} small blocks`);
    }
    writeSync(out, scene.subarray(at, at + 24 + len));
    written += 24 + len;
    if (code === 'ENDB') break;
    at += 24 + len;
  }
  closeSync(out);
  renameSync(`${target}.part`, target);
}

if (!existsSync(target)) {
  console.log(`creating ${target} (once)...`);
  makeBig();
}

/** Baseline: the whole file in memory, every block header walked. */
async function baseline() {
  const bytes = await readFile(target);
  let at = 12;
  let blocks = 0;
  for (;;) {
    const code = bytes.toString('latin1', at, at + 4);
    const len = bytes.readInt32LE(at + 4);
    blocks++;
    if (code === 'ENDB') break;
    at += 24 + len;
  }
  return blocks;
}

async function candidate() {
  return scanScene(target, { followLibraries: false });
}

/** Peak growth of RSS and of heap + array buffers while `fn` runs, sampled every 2 ms, after a GC. */
async function memoryGrowth(fn) {
  globalThis.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed + before.arrayBuffers;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
  }, 2);
  const result = await fn();
  clearInterval(timer);
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
  return {
    result,
    rss: (peakRss - before.rss) / 1024 / 1024,
    heap: (peakHeap - before.heapUsed - before.arrayBuffers) / 1024 / 1024,
  };
}

const size = statSync(target).size / 1024 / 1024;
// Memory first, in a fresh process state, candidate before the baseline (whose 100 MB buffer would stay in RSS).
const mem = await memoryGrowth(candidate);
const memBase = await memoryGrowth(baseline);
console.log(`file: ${size.toFixed(1)} MB, ${mem.result.references.length} references found`);
const b = await measure(baseline, runs);
const c = await measure(candidate, runs);
report(
  `scan of a ${size.toFixed(0)} MB .blend`,
  'readFile whole + walk block headers',
  b,
  '@gm/preflight scanScene',
  c,
);
console.log(
  `  memory growth: scanScene peak RSS +${mem.rss.toFixed(1)} MB, heap+buffers +${mem.heap.toFixed(1)} MB;` +
    ` baseline peak RSS +${memBase.rss.toFixed(1)} MB, heap+buffers +${memBase.heap.toFixed(1)} MB`,
);
const cpu = await cpuTimes(candidate, runs);
console.log(
  `  scanScene CPU time median ${median(cpu).toFixed(1)} ms (runs: ${cpu.map((t) => t.toFixed(0)).join(', ')}); load average ${loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores`,
);
const memOk = mem.rss <= 64 && mem.heap <= 64;
console.log(
  `  budget (<= 1000 ms, <= 64 MB growth): time wall ${median(c) <= 1000 ? 'met' : 'NOT met'}, CPU ${median(cpu) <= 1000 ? 'met' : 'NOT met'}; memory ${memOk ? 'met' : 'NOT met'}`,
);
