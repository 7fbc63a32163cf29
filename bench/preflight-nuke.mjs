// Scanning a Nuke script of 10,000 nodes with @gm/preflight's scanScene, against the limit, a plain read of the
// same file (`readFile` as UTF-8 text), measured in the same run, alternating (lib.mjs `alternate`), medians of 7.
// The script is generated: a Root, and Read, Grade, Merge2, Transform, ReadGeo2 and Write nodes with the knobs
// Nuke writes, one sequence folder on disk. Goal (issue 24): at most 5x the plain read.
// Usage: node --expose-gc bench/preflight-nuke.mjs [nodes=10000] [runs=7] [--json]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanScene } from '@gm/preflight';
import {
  alternate,
  emitPeak,
  emitTimed,
  memoryProbeKind,
  memoryProbes,
  note,
  numberArg,
  probeMemory,
} from './lib.mjs';

const nodes = numberArg(0, 10_000);
const runs = Math.max(5, numberArg(1, 7));
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

/** The limit: a plain read of the same file as text. */
async function plainRead() {
  return (await readFile(script, 'utf8')).length;
}

async function candidate() {
  return scanScene(script);
}

// One measurement of memory, in a child process: growth of one call whose answer is kept.
if (memoryProbeKind)
  await probeMemory(() => (memoryProbeKind === 'plain' ? readFile(script, 'utf8') : candidate()));

const first = await candidate();
note(`script: ${nodes} nodes, ${first.details.nodes} read, ${first.references.length} references`);
const times = await alternate({ limit: plainRead, figure: candidate }, { runs, warmup: 1 });
emitTimed(times, {
  figure: `preflight scanScene of a ${nodes.toLocaleString('en')}-node .nk`,
  key: 'figure',
  limitKey: 'limit',
  names: { limit: 'plain readFile', cpuLimit: 'plain read', runs: 'scan', limitRuns: 'plain read' },
  goal: '≤ 5.00×',
  pass: (value, limit) => value / limit <= 5,
});

// Memory: fresh processes, alternating, 5 each.
const growth = await memoryProbes(
  fileURLToPath(import.meta.url),
  [String(nodes), String(runs)],
  ['plain', 'scan'],
);
emitPeak(growth, {
  figure: '  peak RSS growth of one scan',
  key: 'scan',
  limitKey: 'plain',
  limitName: 'plain read',
});
