// Scanning a Nuke script of 10,000 nodes with @gm/preflight's scanScene, against a baseline that only reads the
// file and splits it into lines (the floor any reader pays). The script is generated: a Root, and Read, Grade,
// Merge2, Transform, ReadGeo2 and Write nodes with the knobs Nuke writes, one sequence folder on disk.
// Usage: node --expose-gc bench/preflight-nuke.mjs [nodes=10000] [runs=7]
// Budget (issue 15): <= 200 ms for 10,000 nodes.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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

const nodes = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 7);
const dir = join(tmpdir(), `gm-bench-nuke-${nodes}`);
const script = join(dir, 'comp.nk');

if (!existsSync(script)) {
  mkdirSync(join(dir, 'plates'), { recursive: true });
  for (let f = 1001; f <= 1100; f++) writeFileSync(join(dir, 'plates', `plate.${f}.exr`), '');
  const parts = [
    '#! /usr/local/Nuke13.2v4/libnuke-13.2.4.so -nx\nversion 13.2 v4\n',
    'Root {\n inputs 0\n name comp.nk\n project_directory "\\[python \\{nuke.script_directory()\\}]"\n first_frame 1001\n last_frame 1100\n format "2048 1152 0 0 2048 1152 1 2K_DCP"\n}\n',
  ];
  const kinds = ['Read', 'Grade', 'Merge2', 'Transform', 'ReadGeo2', 'Write'];
  for (let i = 0; i < nodes; i++) {
    const kind = kinds[i % kinds.length];
    if (kind === 'Read') {
      parts.push(
        `Read {\n inputs 0\n file_type exr\n file plates/plate.%04d.exr\n format "2048 1152 0 0 2048 1152 1 2K_DCP"\n first 1001\n last 1100\n origfirst 1001\n origlast 1100\n origset true\n name Read${i}\n xpos ${i}\n ypos -130\n}\n`,
      );
    } else if (kind === 'Grade') {
      parts.push(
        `Grade {\n white {1.1 1.05 1 1}\n gamma {{curve x1001 1 x1050 1.2 x1100 1}}\n name Grade${i}\n xpos ${i}\n ypos 0\n}\n`,
      );
    } else if (kind === 'Merge2') {
      parts.push(`Merge2 {\n inputs 2\n operation over\n bbox B\n name Merge${i}\n xpos ${i}\n ypos 40\n}\n`);
    } else if (kind === 'Transform') {
      parts.push(
        `Transform {\n translate {{curve x1001 0 x1100 25.5} 0}\n center {1024 576}\n name Transform${i}\n xpos ${i}\n ypos 80\n}\n`,
      );
    } else if (kind === 'ReadGeo2') {
      parts.push(`ReadGeo2 {\n file "geo/asset_${i}.abc"\n version 1\n name ReadGeo${i}\n}\n`);
    } else {
      parts.push(`Write {\n file renders/out.####.exr\n file_type exr\n name Write${i}\n}\n`);
    }
  }
  writeFileSync(script, parts.join(''));
}

async function baseline() {
  const text = await readFile(script, 'utf8');
  return text.split('\n').length;
}

async function candidate() {
  return scanScene(script);
}

const first = await candidate();
console.log(`script: ${nodes} nodes, ${first.details.nodes} read, ${first.references.length} references`);
const b = await measure(baseline, runs);
const c = await measure(candidate, runs);
report(`scan of a ${nodes}-node .nk`, 'readFile + split lines', b, '@gm/preflight scanScene', c);
const cpu = await cpuTimes(candidate, runs);
console.log(
  `  scanScene CPU time median ${median(cpu).toFixed(1)} ms (runs: ${cpu.map((t) => t.toFixed(0)).join(', ')}); load average ${loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores`,
);
console.log(
  `  budget (<= 200 ms): wall ${median(c) <= 200 ? 'met' : 'NOT met'}, CPU ${median(cpu) <= 200 ? 'met' : 'NOT met'}`,
);
