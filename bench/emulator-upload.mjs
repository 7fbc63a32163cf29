// Upload throughput of the emulator: a 1 GiB project of 100 files, uploaded through POST /upload (Envoy reads the
// local files by path and copies them into its store), timed from the request until /project-status reports
// every file Completed; against `cp -r` of the same folder into a fresh folder on the same disk. Alternating,
// medians of 5; a fresh emulator and data folder per run (started before the clock), copies removed after each
// run (at most the project and one copy on disk at once).
//
//   node bench/emulator-upload.mjs [runs] [MiB] [files] [--json]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { alternate, emit, loadText, median, ms, note, numberArg, runsText } from './lib.mjs';
import { call, startEmulatorChild, stopEmulatorChild } from './lib-emulator.mjs';

const RUNS = numberArg(0, 5);
const MIB_TOTAL = numberArg(1, 1024);
const FILES = numberArg(2, 100);
const MiB = 1024 * 1024;
const USER = { email: 'bench@example.com', key: 'bench-key' };

/** The project folder, made once under the temp folder and reused: FILES files of random-ish content. */
async function project() {
  const root = join(tmpdir(), `gm-bench-upload-${MIB_TOTAL}MiB-${FILES}`);
  const names = Array.from(
    { length: FILES },
    (_, i) => `shot_${String(Math.floor(i / 10)).padStart(2, '0')}/part_${String(i).padStart(3, '0')}.bin`,
  );
  const size = Math.floor((MIB_TOTAL * MiB) / FILES);
  const done = join(root, '.complete');
  if (existsSync(done)) return { root, names, size };
  note(`making ${FILES} files of ${(size / MiB).toFixed(1)} MiB in ${root} (once)`);
  await rm(root, { recursive: true, force: true });
  // Random-ish: a chain of SHA-256 blocks, 1 MiB at a time (incompressible, cheap to make).
  let seed = createHash('sha256').update('gm-bench-upload').digest();
  const block = Buffer.alloc(MiB);
  for (const name of names) {
    await mkdir(join(root, name, '..'), { recursive: true });
    const fh = await open(join(root, name), 'w');
    for (let left = size; left > 0; left -= MiB) {
      for (let o = 0; o < MiB; o += 32) {
        seed = createHash('sha256').update(seed).digest();
        seed.copy(block, o);
      }
      await fh.write(block, 0, Math.min(MiB, left));
    }
    await fh.close();
  }
  await writeFile(done, '');
  return { root, names, size };
}

const { root, names, size } = await project();
const scratch = await mkdtemp(join(tmpdir(), 'gm-bench-upload-run-'));
let k = 0;
const checksumWaits = [];

async function emulatorUpload() {
  const dataDir = join(scratch, `data-${k++}`);
  const { child, url } = await startEmulatorChild([
    '--data-dir',
    dataDir,
    '--user',
    `${USER.email}:${USER.key}`,
  ]);
  try {
    await call(url, 'POST', '/auth', { Username: USER.email, AccessKey: USER.key });
    const start = performance.now();
    await call(url, 'POST', '/upload', { upload: [{ localRoot: root, remoteRoot: '/big', files: names }] });
    for (;;) {
      const s = (await call(url, 'GET', '/project-status/big')).json();
      if (s.State === 'Failed') throw new Error(`upload failed: ${s.Message}`);
      if (s.State === 'Uploaded') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const took = performance.now() - start;
    // The checksums the file listing reports (computed while copying) are awaited too: the second row's time.
    const files = (await call(url, 'GET', '/project/big/Files')).json().project_files.all_files;
    checksumWaits.push(performance.now() - start);
    if (files.length !== names.length || files.some((f) => f.CheckSum.length !== 64 || f.Size !== size)) {
      throw new Error('the listing does not show every file with its size and checksum');
    }
    return took;
  } finally {
    await stopEmulatorChild(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function cpCopy() {
  const target = join(scratch, `cp-${k++}`);
  const start = performance.now();
  const r = spawnSync('cp', ['-r', root, target]);
  const took = performance.now() - start;
  if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
  await rm(target, { recursive: true, force: true });
  return took;
}

try {
  const upload = [];
  const cp = [];
  await alternate(
    {
      emulator: async () => upload.push(await emulatorUpload()),
      cp: async () => cp.push(await cpCopy()),
    },
    { runs: RUNS },
  );
  // alternate() timed the whole of each call (emulator start and stop included): use the times measured inside.
  const [u, c] = [median(upload.slice(-RUNS)), median(cp.slice(-RUNS))];
  const speedRatio = c / u;
  const gib = (names.length * size) / (1024 * MiB);
  emit({
    figure: `emulator upload of ${gib.toFixed(2)} GiB in ${FILES} files (speed vs cp)`,
    value: `${ms(u)} (${((names.length * size) / MiB / (u / 1000)).toFixed(0)} MiB/s)`,
    limit: `cp -r ${ms(c)} (${((names.length * size) / MiB / (c / 1000)).toFixed(0)} MiB/s)`,
    ratio: speedRatio,
    goal: 'speed ≥ 0.50× cp',
    pass: speedRatio >= 0.5,
    detail: `ratio = cp time / emulator time; emulator runs ${runsText(upload.slice(-RUNS))} ms (POST /upload until every file Completed); cp runs ${runsText(cp.slice(-RUNS))} ms; ${loadText()}`,
  });
  const withSums = median(checksumWaits.slice(-RUNS));
  emit({
    figure: 'emulator upload until the listing shows every checksum',
    value: ms(withSums),
    limit: `cp -r ${ms(c)}`,
    ratio: c / withSums,
    goal: 'speed ≥ 0.50× cp',
    pass: c / withSums >= 0.5,
    detail: `each file is hashed from the store's copy on a copy thread; runs ${runsText(checksumWaits.slice(-RUNS))} ms`,
  });
} finally {
  await rm(scratch, { recursive: true, force: true });
}
