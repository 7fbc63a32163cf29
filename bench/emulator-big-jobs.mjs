// The emulator under big jobs: 20 jobs × 100,000 frames submitted in one request, frames finishing at a high
// rate. The emulator bin runs in a child process; this script samples the API's latency (sequential GETs of
// /project-status/{name} and /user-info, alternately) and the child's RSS, first idle, then while it renders.
// Rows: API p99 while rendering (limit: the same child's idle p99), RSS growth (limit: its idle RSS), and the
// state bytes written per finished frame.
//
//   node bench/emulator-big-jobs.mjs [window seconds] [jobs] [--json]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emit, loadText, ms, note, numberArg, percentile } from './lib.mjs';
import { call, startEmulatorChild, stopEmulatorChild } from './lib-emulator.mjs';

const WINDOW_S = numberArg(0, 12);
const JOBS = numberArg(1, 20);
const FRAMES = 100_000;
const INSTANCES = 10;
/** 0.1: a frame takes 100 ms, so 20 jobs × 10 instances finish up to 2,000 frames a second. */
const TIME_SCALE = Number(process.env.BENCH_EMU_TIME_SCALE ?? 0.1);
const USER = { email: 'bench@example.com', key: 'bench-key' };
const MiB = 1024 * 1024;

/** The child's resident set size in bytes, from /proc/<pid>/status. */
function rss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** Bytes the child has passed to write(2) so far (files and sockets), from /proc/<pid>/io. */
function written(pid) {
  const m = /wchar:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** Total size of the files below a folder. */
function folderBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || e.name.endsWith('.tmp')) continue;
    try {
      total += statSync(join(e.parentPath ?? e.path, e.name)).size;
    } catch {
      // renamed away meanwhile
    }
  }
  return total;
}

function startChild(dataDir) {
  return startEmulatorChild([
    '--data-dir',
    dataDir,
    '--time-scale',
    String(TIME_SCALE),
    '--user',
    `${USER.email}:${USER.key}:1000000000`,
  ]);
}

function submitBody(project, local, jobs) {
  return {
    project_request: { name: `${project} 2026-Jan-01 10:00:00 AM`, params: {}, jobs },
    project_files: { localRoot: local, remoteRoot: `/${project}`, files: ['scene.blend'] },
    watch_files: {},
  };
}

function job(project, id, frames, instances) {
  return {
    id,
    name: id,
    app: 'blender',
    app_version: '2.80',
    operation: 'render',
    path: `/${project}/scene.blend`,
    dependencies: [],
    params: { frames, instances, output_dir_name: 'results', output_prefix: id },
  };
}

/**
 * Sequential GETs of the project's status and /user-info, alternately, for `seconds`; RSS sampled between
 * them. Resolves to the latencies, the RSS samples, the last status and the bytes of the answers.
 */
async function sample(url, pid, project, seconds) {
  const latencies = [];
  const rssSamples = [];
  let last = null;
  let answerBytes = 0;
  let nextRss = 0;
  const end = performance.now() + seconds * 1000;
  for (let k = 0; performance.now() < end; k++) {
    const path = k % 2 === 0 ? `/project-status/${encodeURIComponent(project)}` : '/user-info';
    const start = performance.now();
    const answer = await call(url, 'GET', path);
    latencies.push(performance.now() - start);
    answerBytes += answer.text.length + 200;
    if (k % 2 === 0) last = answer.json();
    if (performance.now() >= nextRss) {
      rssSamples.push(rss(pid));
      nextRss = performance.now() + 100;
    }
  }
  return { latencies, rssSamples, last, answerBytes };
}

const framesDone = (status) => status.Jobs.reduce((n, j) => n + j.FramesDone, 0);

const dataDir = await mkdtemp(join(tmpdir(), 'gm-bench-emu-data-'));
const local = await mkdtemp(join(tmpdir(), 'gm-bench-emu-local-'));
let child;
try {
  await writeFile(join(local, 'scene.blend'), 'scene');
  const started = await startChild(dataDir);
  child = started.child;
  const { url } = started;
  const pid = child.pid;
  await call(url, 'POST', '/auth', { Username: USER.email, AccessKey: USER.key });
  // A small project, done, so that the idle phase asks the same questions as the busy one.
  await call(url, 'POST', '/project-submit', submitBody('warm', local, [job('warm', 'w1', '1 3', 1)]));
  for (;;) {
    const s = (await call(url, 'GET', '/project-status/warm')).json();
    if (s.State === 'Completed') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  note(`emulator pid ${pid}: idle for ${WINDOW_S / 2} s`);
  await sample(url, pid, 'warm', 1); // warm the routes up
  const idle = await sample(url, pid, 'warm', WINDOW_S / 2);
  const idleRss = percentile(idle.rssSamples, 50);

  const jobs = Array.from({ length: JOBS }, (_, i) => job('big', `j${i + 1}`, `1 ${FRAMES}`, INSTANCES));
  const body = submitBody('big', local, jobs);
  const submitStart = performance.now();
  await call(url, 'POST', '/project-submit', body);
  const submitMs = performance.now() - submitStart;
  note(
    `submitted ${JOBS} × ${FRAMES} frames (${JSON.stringify(body).length} bytes) in ${ms(submitMs)}; rendering for ${WINDOW_S} s`,
  );
  const before = (await call(url, 'GET', '/project-status/big')).json();
  const wcharStart = written(pid);
  const storeStart = folderBytes(join(dataDir, 'store'));
  const busy = await sample(url, pid, 'big', WINDOW_S);
  const wcharEnd = written(pid);
  const after = (await call(url, 'GET', '/project-status/big')).json();
  const storeEnd = folderBytes(join(dataDir, 'store'));
  const finished = framesDone(after) - framesDone(before);
  const stateFiles = readdirSync(dataDir).filter((n) => n === 'state.json' || n.startsWith('journal.'));
  const stateSize = stateFiles.reduce((n, f) => n + statSync(join(dataDir, f)).size, 0);
  // What the child wrote besides the frames' outputs and the answers to this script: the state.
  const stateBytes = Math.max(0, wcharEnd - wcharStart - (storeEnd - storeStart) - busy.answerBytes);

  const [idleP99, busyP99] = [percentile(idle.latencies, 99), percentile(busy.latencies, 99)];
  const peak = Math.max(...busy.rssSamples);
  const growth = (peak - idleRss) / MiB;
  emit({
    figure: `emulator API p99 while rendering ${JOBS} × 100,000 frames`,
    value: ms(busyP99),
    limit: `same emulator idle p99 ${ms(idleP99)}`,
    ratio: busyP99 / idleP99,
    goal: '≤ 20 ms',
    pass: busyP99 <= 20,
    detail: `${busy.latencies.length} requests in ${WINDOW_S} s (median ${ms(percentile(busy.latencies, 50))}, max ${ms(Math.max(...busy.latencies))}); idle ${idle.latencies.length} requests (median ${ms(percentile(idle.latencies, 50))}, max ${ms(Math.max(...idle.latencies))}); submit answered in ${ms(submitMs)}; ${loadText()}`,
  });
  emit({
    figure: 'emulator RSS growth while rendering (peak − idle)',
    value: `${growth.toFixed(1)} MiB`,
    limit: `idle RSS ${(idleRss / MiB).toFixed(1)} MiB`,
    ratio: growth / (idleRss / MiB),
    goal: '≤ 20 MiB',
    pass: growth <= 20,
    detail: `RSS sampled every 100 ms: idle median ${(idleRss / MiB).toFixed(1)} MiB, rendering peak ${(peak / MiB).toFixed(1)} MiB, at the end ${(busy.rssSamples.at(-1) / MiB).toFixed(1)} MiB`,
  });
  emit({
    figure: '  state bytes written per frame finished',
    value: `${(stateBytes / Math.max(1, finished)).toFixed(0)} B`,
    limit: `${finished.toLocaleString('en')} frames finished in ${WINDOW_S} s (${(finished / WINDOW_S).toFixed(0)}/s)`,
    ratio: null,
    goal: '(proportional to the change)',
    pass: null,
    detail: `${(stateBytes / MiB).toFixed(2)} MiB of state written in the window (write(2) bytes of the process less the frames' outputs and the answers); state.json and journal on disk at the end: ${(stateSize / 1024).toFixed(1)} KiB`,
  });
} finally {
  await stopEmulatorChild(child);
  await rm(dataDir, { recursive: true, force: true });
  await rm(local, { recursive: true, force: true });
}
