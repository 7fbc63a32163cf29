// Hostile scene and job files (issue: "hostile scene and job files"): each case runs in a child process of its
// own (bench/lib-hostile-child.mjs), which reports its wall-clock time and its peak RSS
// (process.resourceUsage().maxRSS), beside the limit, a plain `readFile` of the same bytes in a child process the
// same way, alternating, medians of 5. The inputs are generated once into the temp folder; the generators of the
// compressed ones are those of the tests (packages/preflight/test/hostile.mjs). Goals: every input (up to 100 MB)
// ends within 5 s and 256 MiB of RSS, with a result or a typed error.
// Usage: node bench/preflight-hostile.mjs [runs=5] [--json] [case-name-part ...]
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  blockHeader,
  dnaOffset,
  SCENE,
  sceneWithHugeBlock,
  zstdFrame,
} from '../packages/preflight/test/hostile.mjs';
import { emit, loadText, median, note, numberArg, positional, runsText } from './lib.mjs';

const runs = Math.max(5, numberArg(0, 5));
const only = positional.filter((p) => !/^\d+$/.test(p));
const here = dirname(fileURLToPath(import.meta.url));
const dir = join(tmpdir(), 'gm-bench-hostile-v1');
mkdirSync(dir, { recursive: true });
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Writes `name` once, from `parts()` (an iterable of strings or buffers, written as they come). */
async function once(name, parts) {
  const file = join(dir, name);
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(`${file}.part`);
  for (const part of parts()) if (!out.write(part)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
  renameSync(`${file}.part`, file);
  return file;
}

function* repeat(count, make) {
  const batch = [];
  for (let i = 0; i < count; i++) {
    batch.push(make(i));
    if (batch.length === 10_000) yield batch.splice(0).join('');
  }
  if (batch.length) yield batch.join('');
}

const CASES = [
  {
    name: 'zstd .blend, one 2 GiB block to skip (RLE zeros)',
    file: () =>
      once('huge-block-zstd.blend', function* () {
        const { before, after } = sceneWithHugeBlock(2 * GiB - 1024);
        yield zstdFrame([before, { zeros: 2 * GiB - 1024 }, after], { contentSize: false });
      }),
  },
  {
    name: 'gzip .blend, one 100 MiB block to skip (its twin)',
    file: () =>
      once('huge-block-gzip.blend', function* () {
        const { before, after } = sceneWithHugeBlock(100 * MiB);
        yield gzipSync(Buffer.concat([before, Buffer.alloc(100 * MiB), after]));
      }),
  },
  {
    name: 'gzip .blend, 100 MiB of small blocks (ratio bomb)',
    file: () =>
      once('small-blocks-gzip.blend', function* () {
        const at = dnaOffset();
        const small = Buffer.concat([blockHeader(1000), Buffer.alloc(1000)]);
        yield gzipSync(
          Buffer.concat([
            SCENE.subarray(0, at),
            ...Array.from({ length: 100_000 }, () => small),
            SCENE.subarray(at),
          ]),
        );
      }),
  },
  {
    name: '.ma with one 50 MB string value',
    file: () =>
      once('huge-value.ma', function* () {
        yield '//Maya ASCII 2022 scene\ncreateNode file -n "huge";\n\tsetAttr ".ftn" -type "string" "';
        const chunk = 'x'.repeat(MiB);
        for (let i = 0; i < 50; i++) yield chunk;
        yield '";\ncreateNode file -n "after";\n\tsetAttr ".ftn" -type "string" "tex/after.png";\n';
      }),
  },
  {
    name: '.ma of one 50 MB line',
    file: () =>
      once('one-line-50mb.ma', function* () {
        yield '//Maya ASCII 2022 scene\n';
        yield* repeat(1_300_000, (i) =>
          i % 1000 === 0
            ? `createNode file -n "f${i}"; setAttr ".ftn" -type "string" "tex/t${i}.png"; `
            : `setAttr ".t" -type "double3" ${i} 0 0; `,
        );
        yield '\n';
      }),
  },
  {
    name: '.usda with a million sublayers',
    file: () =>
      once('million-sublayers.usda', function* () {
        yield '#usda 1.0\n(\n    subLayers = [\n';
        yield* repeat(1_000_000, (i) => `        @layers/l${i}.usda@,\n`);
        yield '    ]\n)\n';
      }),
  },
  {
    name: '.usda with one 50 MB asset path',
    file: () =>
      once('huge-asset.usda', function* () {
        yield '#usda 1.0\n(\n    subLayers = [@';
        const chunk = 'a'.repeat(MiB);
        for (let i = 0; i < 50; i++) yield chunk;
        yield '@, @b.usda@]\n)\n';
      }),
  },
  {
    name: '.nk of one 50 MB line of Read nodes',
    file: () =>
      once('one-line.nk', function* () {
        yield 'version 13.2 v4\n';
        yield* repeat(1_500_000, (i) => `Read { file plates/p${i % 100}.exr xpos ${i} } `);
        yield '\n';
      }),
  },
  {
    name: '.hip of 100 MB of small sections',
    file: () =>
      once('many-sections-100mb.hip', function* () {
        const entry = (name, data) =>
          `070707${'0'.repeat(53)}${(name.length + 1).toString(8).padStart(6, '0')}${data.length.toString(8).padStart(11, '0')}${name}\0${data}`;
        yield* repeat(930_000, (i) => entry(`obj/geo${i}/file1.init`, 'type = file\n'));
        yield entry('TRAILER!!!', '');
      }),
  },
  {
    name: 'a cycle of 1,000 linked USD layers',
    file: async () => {
      const first = join(dir, 'cycle', 'l0.usda');
      if (!existsSync(first)) {
        mkdirSync(join(dir, 'cycle'), { recursive: true });
        for (let i = 0; i < 1000; i++) {
          writeFileSync(
            join(dir, 'cycle', `l${i}.usda`),
            `#usda 1.0\n(\n    subLayers = [@l${(i + 1) % 1000}.usda@]\n)\ndef "P" { asset tex = @t${i}.png@ }\n`,
          );
        }
      }
      return first;
    },
  },
  {
    name: 'a cycle of 1,000 linked .blend libraries',
    file: async () => {
      const first = join(dir, 'blend-cycle', 'c0.blend');
      if (!existsSync(first)) {
        mkdirSync(join(dir, 'blend-cycle'), { recursive: true });
        // The fixture scene, its first Library block's path made to name the next file of the cycle.
        const old = Buffer.from('//libs/cycle_a.blend\0', 'latin1');
        const at = SCENE.indexOf(old);
        for (let i = 0; i < 1000; i++) {
          const copy = Buffer.from(SCENE);
          copy.fill(0, at, at + old.length);
          copy.write(`//c${(i + 1) % 1000}.blend`, at, 'latin1');
          writeFileSync(join(dir, 'blend-cycle', `c${i}.blend`), copy);
        }
      }
      return first;
    },
  },
  {
    name: 'job file with one 100 MB string parameter',
    mode: 'job',
    file: () =>
      once('job-100mb.yaml', function* () {
        yield 'folder: .\njobs:\n  - name: a\n    product: blender\n    appVersion: "4.2"\n    file: scene.blend\n    frames: "1 2"\n    params:\n      script: "';
        const chunk = 'x'.repeat(MiB);
        for (let i = 0; i < 100; i++) yield chunk;
        yield '"\n';
      }),
  },
].filter((c) => only.length === 0 || only.some((o) => c.name.includes(o)));

function child(mode, file) {
  const r = spawnSync(process.execPath, [join(here, 'lib-hostile-child.mjs'), mode, file], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    return {
      ms: Number.POSITIVE_INFINITY,
      rss: Number.POSITIVE_INFINITY,
      outcome: `child failed: ${r.signal ?? r.status} ${r.stderr.slice(0, 200)}`,
    };
  }
  return JSON.parse(line);
}

const mb = (bytes) => `${(bytes / MiB).toFixed(bytes < MiB ? 2 : 1)} MiB`;
for (const c of CASES) {
  const file = await c.file();
  const size = statSync(file).size;
  note(`${c.name}: ${file} (${mb(size)})`);
  const mode = c.mode ?? 'scan';
  const scan = [];
  const plain = [];
  for (let round = 0; round < runs; round++) {
    // Alternate which goes first.
    if (round % 2 === 0) {
      scan.push(child(mode, file));
      plain.push(child('plain', file));
    } else {
      plain.push(child('plain', file));
      scan.push(child(mode, file));
    }
  }
  const outcomes = [...new Set(scan.map((s) => s.outcome))];
  const [value, limit] = [median(scan.map((s) => s.ms)), median(plain.map((s) => s.ms))];
  emit({
    figure: `hostile: ${c.name} (${mb(size)})`,
    value: `${(value / 1000).toFixed(2)} s`,
    limit: `plain readFile ${(limit / 1000).toFixed(3)} s`,
    ratio: value / limit,
    goal: '≤ 5 s',
    pass: value <= 5000 && !outcomes.some((o) => o.startsWith('child failed')),
    detail: `${outcomes.join('; ')}; runs ${runsText(scan.map((s) => s.ms))} ms; plain read ${runsText(plain.map((s) => s.ms))} ms; ${loadText()}`,
  });
  const [rss, plainRss] = [median(scan.map((s) => s.rss)), median(plain.map((s) => s.rss))];
  emit({
    figure: '  peak RSS of the process',
    value: `${rss.toFixed(1)} MiB`,
    limit: `plain readFile ${plainRss.toFixed(1)} MiB`,
    ratio: rss / plainRss,
    goal: '≤ 256 MiB',
    pass: rss <= 256,
  });
}
