// Scanning a 100 MB .blend with @gm/preflight's scanScene (blocks streamed: small ones read through a buffer,
// large ones seeked over) against the limit, a plain read of the same file (`readFile`), measured in the same run,
// alternating (lib.mjs `alternate`), medians of 5. The file is made once from the real Blender 3.4 fixture: its
// blocks, plus filler blocks (1 MB mesh-sized ones and 100-byte ones, as a big scene has both) inserted before
// the SDNA block. Goals (issues 11 and 15): <= 1 s and <= 64 MB memory growth for 100 MB.
// Usage: node --expose-gc bench/preflight-blend.mjs [megabytes=100] [runs=5] [--json]
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanScene } from '@gm/preflight';
import { alternate, emit, emitTimed, note, numberArg } from './lib.mjs';

const megabytes = numberArg(0, 100);
const runs = Math.max(5, numberArg(1, 5));
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
      note(`inserted ${smallBlocks} small blocks`);
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
  note(`creating ${target} (once)...`);
  makeBig();
}

/** The limit: a plain read of the same file, whole, into memory. */
async function plainRead() {
  return (await readFile(target)).length;
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
// Memory first, in a fresh process state, the scan before the plain read (whose 100 MB buffer would stay in RSS).
const mem = await memoryGrowth(candidate);
const memBase = await memoryGrowth(plainRead);
note(`file: ${size.toFixed(1)} MB, ${mem.result.references.length} references found`);
const times = await alternate({ limit: plainRead, figure: candidate }, { runs, warmup: 1 });
emitTimed(times, {
  figure: `preflight scanScene of a ${size.toFixed(0)} MB .blend`,
  key: 'figure',
  limitKey: 'limit',
  names: { limit: 'plain readFile', cpuLimit: 'plain read', runs: 'scan', limitRuns: 'plain read' },
  goal: '≤ 1 s',
  pass: (value) => value <= 1000,
});
const peak = Math.max(mem.rss, mem.heap);
emit({
  figure: `preflight memory growth, scan of a ${size.toFixed(0)} MB .blend`,
  value: `${peak.toFixed(1)} MiB`,
  limit: `plain read +${memBase.rss.toFixed(1)} MiB`,
  ratio: memBase.rss > 0 ? peak / memBase.rss : null,
  goal: '≤ 64 MiB',
  pass: peak <= 64,
  detail:
    `peak growth sampled every 2 ms: scan RSS +${mem.rss.toFixed(1)} MiB, heap+buffers +${mem.heap.toFixed(1)} MiB; ` +
    `plain read RSS +${memBase.rss.toFixed(1)} MiB, heap+buffers +${memBase.heap.toFixed(1)} MiB`,
});
