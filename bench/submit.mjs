// Adding a folder of 100,000 files, building the submit body and POSTing it (skip_upload) to a local Envoy stand-in
// in another process, against the plain walk measured alternately in the same process. Goal (issue 24): at most 1.5x.
// Each run is a new Project and a new EnvoyClient: credentials check, credits check, submit (three requests).
// Usage: node --expose-gc bench/submit.mjs [files=100000] [folders=1000] [runs=7] [--json]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { EnvoyClient, Job, Project } from '@gm/core';
import {
  alternate,
  emit,
  emitPeak,
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

const stub = fork(fileURLToPath(new URL('./lib-envoy-stub.mjs', import.meta.url)), {
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
const [port] = await once(stub.stdout, 'data');
const url = `http://127.0.0.1:${String(port).trim()}`;

async function submit() {
  const project = new Project(root, { submissionName: 'bench submission' });
  await project.addFiles(assets, `${project.remoteRoot}/assets`);
  project.addJobs(
    new Job({
      name: 'render',
      app: 'blender',
      appVersion: '4.2',
      path: `${project.remoteRoot}/assets/folder_0000/tex_0.png`,
      params: { frames: '1 10', output_prefix: 'frame' },
    }),
  );
  const client = new EnvoyClient({ url, email: 'bench@example.com', accessKey: 'bench-key' });
  return client.submitProject(project, { skipUpload: true });
}

try {
  // One measurement of memory, in a child process: growth of one call whose answer is kept.
  if (memoryProbeKind) await probeMemory(() => (memoryProbeKind === 'plain' ? plainWalk(assets) : submit()));

  // Once, checked: the stand-in received every file, skip_upload and the job.
  await submit();
  const last = await (await fetch(`${url}/_last`)).json();
  if (last.files !== files || !last.skip_upload || last.jobs !== 1) {
    throw new Error(
      `the submit body held ${JSON.stringify(last)}, expected ${files} files, skip_upload, 1 job`,
    );
  }
  note(
    `submit: body of ${(last.bytes / 2 ** 20).toFixed(1)} MiB with ${files} files; ${runs} alternating runs (${loadText()})`,
  );

  const times = await alternate({ plain: () => plainWalk(assets), submit }, { runs });
  const plain = median(times.plain);
  const candidate = median(times.submit);
  emit({
    figure: `addFiles + submit body + POST (skip upload), ${files.toLocaleString('en')} files`,
    value: ms(candidate),
    limit: `plain readdirSync walk ${ms(plain)}`,
    ratio: candidate / plain,
    goal: '≤ 1.50×',
    pass: candidate / plain <= 1.5,
    detail: `submit runs ${runsText(times.submit)} ms; plain walk runs ${runsText(times.plain)} ms; body ${(last.bytes / 2 ** 20).toFixed(1)} MiB; ${loadText()}`,
  });
  const cpuPlain = median(times.cpu.plain);
  const cpuCandidate = median(times.cpu.submit);
  emit({
    figure: '  the same, CPU time of this process (less disturbed by load)',
    value: ms(cpuCandidate),
    limit: `plain walk ${ms(cpuPlain)} CPU`,
    ratio: cpuCandidate / cpuPlain,
    goal: '(≤ 1.50×)',
    pass: null,
  });
  // Memory: fresh processes (each with its own stand-in), alternating, 5 each.
  const growth = await memoryProbes(
    fileURLToPath(import.meta.url),
    [String(files), String(folders)],
    ['plain', 'submit'],
  );
  emitPeak(growth, {
    figure: '  peak RSS growth of addFiles + body + POST',
    key: 'submit',
    limitKey: 'plain',
    limitName: 'plain walk',
  });
} finally {
  stub.kill();
}
