// Project.addFiles of a folder of 100,000 files in 1,000 folders, against the plain walk measured alternately in
// the same process: fs.readdirSync(folder, { recursive: true, withFileTypes: true }). Goal (issue 24): at most 1.15x.
// Then its memory: RSS growth of one addFiles in a fresh process, beside the plain walk's (goal: at most 40 MiB).
// Usage: node --expose-gc bench/add-files.mjs [files=100000] [folders=1000] [runs=7] [--json]
import { fileURLToPath } from 'node:url';
import { Project } from '@gm/core';
import { walkFolder } from '@gm/core/node';
import {
  alternate,
  emit,
  emitPeak,
  emitTimed,
  jsonMode,
  loadText,
  median,
  memoryProbeKind,
  memoryProbes,
  ms,
  note,
  numberArg,
  probeMemory,
  runsText,
} from './lib.mjs';
import { benchTree, plainWalk } from './lib-tree.mjs';

const files = numberArg(0, 100_000);
const folders = numberArg(1, 1_000);
const runs = Math.max(5, numberArg(2, 7));
const { root, assets } = benchTree(files, folders, note);
const count = `${files.toLocaleString('en')} files in ${folders.toLocaleString('en')} folders`;

async function addFiles() {
  const project = new Project(root);
  await project.addFiles(assets, `${project.remoteRoot}/assets`);
  return project;
}

// One measurement of memory, in a child process: growth of one call whose answer is kept.
if (memoryProbeKind) await probeMemory(() => (memoryProbeKind === 'plain' ? plainWalk(assets) : addFiles()));

// The same files, first: the candidate is measured only when it is right.
const listed = plainWalk(assets).filter((d) => d.isFile()).length;
const project = await addFiles();
if (listed !== files || project.files.length !== files) {
  throw new Error(
    `expected ${files} files: the plain walk found ${listed}, addFiles ${project.files.length}`,
  );
}
note(`add-files: both find ${files} files; ${runs} alternating runs after a warm-up (${loadText()})`);

const times = await alternate(
  { plain: () => plainWalk(assets), addFiles, walk: () => walkFolder(assets, { prefix: 'assets/' }) },
  { runs },
);
const { limit: plain } = emitTimed(times, {
  figure: `Project.addFiles, ${count}`,
  key: 'addFiles',
  limitKey: 'plain',
  names: {
    limit: 'plain readdirSync walk',
    cpuLimit: 'plain walk',
    runs: 'addFiles',
    limitRuns: 'plain walk',
  },
  goal: '≤ 1.15×',
  pass: (value, limit) => value / limit <= 1.15,
});

const walk = median(times.walk);
emit({
  figure: '  of which the walk alone (walkFolder)',
  value: ms(walk),
  limit: `plain readdirSync walk ${ms(plain)}`,
  ratio: walk / plain,
  goal: '',
  pass: null,
  detail: `walkFolder runs ${runsText(times.walk)} ms; the rest of addFiles is checking the paths and merging the walk's sorted list into Project's`,
});

// Memory: fresh processes, alternating, 5 each.
const growth = await memoryProbes(
  fileURLToPath(import.meta.url),
  [String(files), String(folders)],
  ['plain', 'addFiles'],
);
const grew = median(growth.addFiles.rss);
const plainGrew = median(growth.plain.rss);
emit({
  figure: `RSS growth of addFiles, ${count}`,
  value: `${grew.toFixed(1)} MiB`,
  limit: `plain readdirSync walk +${plainGrew.toFixed(1)} MiB`,
  ratio: grew / plainGrew,
  goal: '≤ 40 MiB',
  pass: grew <= 40,
  detail: `fresh process each; addFiles ${growth.addFiles.rss.map((g) => g.toFixed(1)).join(', ')} MiB; plain walk ${growth.plain.rss.map((g) => g.toFixed(1)).join(', ')} MiB`,
});
emitPeak(growth, {
  figure: '  peak RSS growth of addFiles',
  key: 'addFiles',
  limitKey: 'plain',
  limitName: 'plain walk',
});
if (!jsonMode) note(loadText());
