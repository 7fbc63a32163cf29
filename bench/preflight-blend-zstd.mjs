// Scanning a large .blend, plain and zstd-compressed as Blender saves it, with @gm/preflight's scanScene, beside a
// plain read of the same file, measured in the same run, alternating (lib.mjs `alternate`), medians of 5.
// The file is made once from the real Blender 3.4 fixture: its blocks, plus what a heavy scene holds inserted before
// the SDNA block: objects of about 40 small blocks each (structs of 100–600 bytes) among mesh arrays of 64 KiB–4 MiB
// (float data that compresses about 3–4 to 1). The zstd twin is written as Blender 3.x writes one: small blocks
// gathered into frames of up to 1 MiB, the data of a large block in frames of 1 MiB of its own, each frame declaring
// its content size (compressed by the `zstd` command, level 3), and the seek table at the end.
// Goals (issue 22): the uncompressed file in ≤ 1.2× a plain read; the compressed one (60 MB, 250 MB inside) in ≤ 0.5 s.
// Usage: node --expose-gc bench/preflight-blend-zstd.mjs [megabytes=250] [runs=5] [--json]
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanScene } from '@gm/preflight';
import { alternate, emit, emitTimed, median, note, numberArg } from './lib.mjs';

const megabytes = numberArg(0, 250);
const runs = Math.max(5, numberArg(1, 5));
const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, '..', 'packages', 'preflight', 'test', 'fixtures', 'blend', 'scene.blend');
const plain = join(tmpdir(), `gm-bench-heavy-${megabytes}mb.blend`);
const zstd = join(tmpdir(), `gm-bench-heavy-${megabytes}mb-zstd.blend`);

/** A deterministic generator of mesh-like float data. */
function meshData(bytes, seed) {
  const out = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i + 4 <= bytes; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    // Smooth coordinates on a 1/256 grid with a little noise, as modelled vertex positions are.
    out.writeFloatLE(Math.round(Math.sin(i / 4096 + seed) * 10 * 256) / 256 + (x >>> 27) / 256, i);
  }
  return out;
}

/** The blocks of the heavy file, in order: [header, data] pairs (the fixture's, with the heavy part before DNA1). */
function* heavyBlocks() {
  const scene = readFileSync(source);
  let address = 0x7f0000000000n;
  const header = (code, len) => {
    const h = Buffer.alloc(24);
    h.write(code, 0, 'latin1');
    h.writeInt32LE(len, 4);
    address += 0x1000n;
    h.writeBigUInt64LE(address, 8);
    h.writeInt32LE(0, 16);
    h.writeInt32LE(1, 20);
    return h;
  };
  const arrays = [64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024].map((n, i) => meshData(n, i + 1));
  const small = [100, 180, 260, 600].map((n, i) => meshData(n, i + 7));
  let at = 12;
  let written = 12;
  for (;;) {
    const code = scene.toString('latin1', at, at + 4);
    const len = scene.readInt32LE(at + 4);
    if (code === 'DNA1') {
      const goal = megabytes * 1024 * 1024 - (scene.length - at);
      for (let object = 0; written < goal; object++) {
        for (let b = 0; b < 40; b++) {
          const data = small[(object + b) % small.length];
          yield [header('DATA', data.length), data];
          written += 24 + data.length;
        }
        const data = arrays[object % arrays.length];
        if (written + 24 + data.length > goal) continue;
        yield [header('DATA', data.length), data];
        written += 24 + data.length;
      }
    }
    yield [scene.subarray(at, at + 24), scene.subarray(at + 24, at + 24 + len)];
    if (code === 'ENDB') break;
    at += 24 + len;
  }
}

function compressFrame(bytes) {
  const r = spawnSync('zstd', ['-q', '-3', '-c', `--stream-size=${bytes.length}`], {
    input: bytes,
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr}`);
  return r.stdout;
}

function make() {
  const outPlain = openSync(`${plain}.part`, 'w');
  const outZstd = openSync(`${zstd}.part`, 'w');
  const seek = [];
  let pending = [];
  let pendingSize = 0;
  const frame = (bytes) => {
    const c = compressFrame(bytes);
    writeSync(outZstd, c);
    seek.push([c.length, bytes.length]);
  };
  const flush = () => {
    if (pendingSize > 0) frame(Buffer.concat(pending));
    pending = [];
    pendingSize = 0;
  };
  const head = readFileSync(source).subarray(0, 12);
  writeSync(outPlain, head);
  pending.push(head);
  pendingSize += head.length;
  for (const [h, data] of heavyBlocks()) {
    writeSync(outPlain, h);
    writeSync(outPlain, data);
    pending.push(h);
    pendingSize += h.length;
    if (data.length >= 64 * 1024) {
      flush();
      for (let i = 0; i < data.length; i += 1024 * 1024) frame(data.subarray(i, i + 1024 * 1024));
    } else {
      pending.push(data);
      pendingSize += data.length;
      if (pendingSize >= 1024 * 1024) flush();
    }
  }
  flush();
  // The seek table (zstd's seekable format): a skippable frame of [compressed, decompressed] sizes and a footer.
  const table = Buffer.alloc(8 + seek.length * 8 + 9);
  table.writeUInt32LE(0x184d2a5e, 0);
  table.writeUInt32LE(seek.length * 8 + 9, 4);
  seek.forEach(([c, d], i) => {
    table.writeUInt32LE(c, 8 + i * 8);
    table.writeUInt32LE(d, 12 + i * 8);
  });
  table.writeUInt32LE(seek.length, 8 + seek.length * 8);
  table.writeUInt8(0, 12 + seek.length * 8);
  table.writeUInt32LE(0x8f92eab1, 13 + seek.length * 8);
  writeSync(outZstd, table);
  closeSync(outPlain);
  closeSync(outZstd);
  renameSync(`${plain}.part`, plain);
  renameSync(`${zstd}.part`, zstd);
}

if (!existsSync(plain) || !existsSync(zstd)) {
  note(`creating ${plain} and its zstd twin (once)...`);
  make();
}

const mb = (f) => statSync(f).size / 1024 / 1024;
const [plainMb, zstdMb] = [mb(plain), mb(zstd)];
const found = await scanScene(zstd, { followLibraries: false });
note(
  `files: ${plainMb.toFixed(0)} MiB plain, ${zstdMb.toFixed(0)} MiB zstd; ${found.references.length} references`,
);

const times = await alternate(
  {
    plainRead: async () => (await readFile(plain)).length,
    plainScan: () => scanScene(plain, { followLibraries: false }),
    zstdRead: async () => (await readFile(zstd)).length,
    zstdScan: () => scanScene(zstd, { followLibraries: false }),
  },
  { runs, warmup: 1 },
);
emitTimed(times, {
  figure: `preflight scanScene of a ${plainMb.toFixed(0)} MiB .blend`,
  key: 'plainScan',
  limitKey: 'plainRead',
  names: { limit: 'plain readFile', cpuLimit: 'plain read', runs: 'scan', limitRuns: 'plain read' },
  goal: '≤ 1.2×',
  pass: (value, limit) => value / limit <= 1.2,
});
emitTimed(times, {
  figure: `preflight scanScene of the zstd .blend (${zstdMb.toFixed(0)} MiB, ${plainMb.toFixed(0)} MiB inside)`,
  key: 'zstdScan',
  limitKey: 'zstdRead',
  names: { limit: 'plain readFile of it', cpuLimit: 'plain read', runs: 'scan', limitRuns: 'plain read' },
  goal: '≤ 0.5 s',
  pass: (value) => value <= 500,
});
emit({
  figure: '  the zstd scan beside the plain read of the uncompressed file',
  value: `${Math.round(median(times.zstdScan))} ms`,
  limit: `plain readFile ${Math.round(median(times.plainRead))} ms`,
  ratio: median(times.zstdScan) / median(times.plainRead),
  goal: 'info',
  pass: null,
});
