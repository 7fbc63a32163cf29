// The emulator's inspector while the emulator renders 20 jobs × 100,000 frames (`--time-scale 0.1`, 10 instances
// a job: up to 2,000 frames a second). The emulator bin runs in a child process. Rows: the page's load (its three
// files and the first event of its stream, with every project, job and frame grid), how often and how large the
// updates are and how late they are (the frames done an update reports against a status asked at the same
// moment), and the API's p99 with the page open beside the same emulator's p99 with no page open.
//
//   node bench/emulator-inspector.mjs [window seconds] [jobs] [--json]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emit, loadText, ms, note, numberArg, percentile } from './lib.mjs';
import { call, startEmulatorChild, stopEmulatorChild } from './lib-emulator.mjs';

const WINDOW_S = numberArg(0, 8);
const JOBS = numberArg(1, 20);
const FRAMES = 100_000;
const USER = { email: 'bench@example.com', key: 'bench-key' };

function job(id) {
  return {
    id,
    name: id,
    app: 'blender',
    app_version: '2.80',
    operation: 'render',
    path: '/big/scene.blend',
    dependencies: [],
    params: { frames: `1 ${FRAMES}`, instances: 10, output_dir_name: 'results', output_prefix: id },
  };
}

/** Sequential GETs of the project's status and /user-info for `seconds`; resolves to their latencies. */
async function sample(url, seconds) {
  const latencies = [];
  const end = performance.now() + seconds * 1000;
  for (let k = 0; performance.now() < end; k++) {
    const start = performance.now();
    await call(url, 'GET', k % 2 === 0 ? '/project-status/big' : '/user-info');
    latencies.push(performance.now() - start);
  }
  return latencies;
}

/** Opens the page's event stream; calls `onEvent(name, data, bytes)` for each event; resolves to a closer. */
async function openStream(url, onEvent) {
  const controller = new AbortController();
  const res = await fetch(`${url}/inspector/events`, { signal: controller.signal });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const name = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name && data !== undefined) onEvent(name, data, block.length + 2);
        }
      }
    } catch {
      // aborted
    }
  })();
  return () => controller.abort();
}

const dataDir = await mkdtemp(join(tmpdir(), 'gm-bench-insp-data-'));
const local = await mkdtemp(join(tmpdir(), 'gm-bench-insp-local-'));
let child;
try {
  await writeFile(join(local, 'scene.blend'), 'scene');
  const started = await startEmulatorChild([
    '--data-dir',
    dataDir,
    '--time-scale',
    '0.1',
    '--user',
    `${USER.email}:${USER.key}:1000000000`,
  ]);
  child = started.child;
  const { url } = started;
  await call(url, 'POST', '/auth', { Username: USER.email, AccessKey: USER.key });
  await call(url, 'POST', '/project-submit', {
    project_request: {
      name: 'big 2026-Jan-01 10:00:00 AM',
      params: {},
      jobs: Array.from({ length: JOBS }, (_, i) => job(`j${i + 1}`)),
    },
    project_files: { localRoot: local, remoteRoot: '/big', files: ['scene.blend'] },
    watch_files: {},
  });
  note(`rendering ${JOBS} × ${FRAMES} frames; API alone for ${WINDOW_S} s`);
  await sample(url, 1);
  const alone = await sample(url, WINDOW_S);

  // The page's load: its files, then its stream's first event (the whole farm).
  const loadStart = performance.now();
  let pageBytes = 0;
  for (const path of ['/', '/inspector/app.js', '/inspector/style.css'])
    pageBytes += (await call(url, 'GET', path)).text.length;
  const filesMs = performance.now() - loadStart;
  let helloMs = 0;
  let helloBytes = 0;
  const updates = [];
  let hello;
  const helloSeen = new Promise((r) => {
    hello = r;
  });
  const close = await openStream(url, (name, data, bytes) => {
    const at = performance.now();
    if (name === 'hello') {
      helloMs = at - loadStart;
      helloBytes = bytes;
      hello();
    } else if (name === 'project') {
      const p = JSON.parse(data);
      updates.push({ at, bytes, done: p.jobs.reduce((n, j) => n + j.done, 0) });
    }
  });
  await helloSeen;
  note(`page loaded; API with the page open for ${WINDOW_S} s`);
  const lags = [];
  const withPage = [];
  const end = performance.now() + WINDOW_S * 1000;
  for (let k = 0; performance.now() < end; k++) {
    const start = performance.now();
    const answer = await call(url, 'GET', k % 2 === 0 ? '/project-status/big' : '/user-info');
    withPage.push(performance.now() - start);
    if (k % 2 === 0) {
      // How far behind the page is: frames done now less those the last update showed, at the frame rate.
      const done = answer.json().Jobs.reduce((n, j) => n + j.FramesDone, 0);
      const last = updates.at(-1);
      if (last) lags.push({ behind: done - last.done, age: performance.now() - last.at });
    }
  }
  close();
  const gaps = updates.slice(1).map((u, i) => u.at - updates[i].at);
  const bytes = updates.reduce((n, u) => n + u.bytes, 0);
  const seconds = (updates.at(-1).at - updates[0].at) / 1000;
  const [aloneP99, pageP99] = [percentile(alone, 99), percentile(withPage, 99)];
  emit({
    figure: `inspector page load while rendering ${JOBS} × 100,000 frames`,
    value: ms(helloMs),
    limit: `its files ${ms(filesMs)} (${(pageBytes / 1024).toFixed(1)} KiB)`,
    ratio: null,
    goal: '≤ 1 s',
    pass: helloMs <= 1000,
    detail: `first event (every account, project, job and ${JOBS} frame grids) ${(helloBytes / 1024).toFixed(1)} KiB; ${loadText()}`,
  });
  emit({
    figure: 'inspector update interval p99 (project events)',
    value: ms(percentile(gaps, 99)),
    limit: `median ${ms(percentile(gaps, 50))}, tick 250 ms`,
    ratio: null,
    goal: '≤ 500 ms',
    pass: percentile(gaps, 99) <= 500,
    detail: `${updates.length} updates in ${seconds.toFixed(1)} s, ${(bytes / 1024 / seconds).toFixed(1)} KiB/s (${(bytes / updates.length / 1024).toFixed(1)} KiB each); age of the newest update when the API was asked: median ${ms(
      percentile(
        lags.map((l) => l.age),
        50,
      ),
    )}, p99 ${ms(
      percentile(
        lags.map((l) => l.age),
        99,
      ),
    )}`,
  });
  emit({
    figure: 'emulator API p99 with the inspector open',
    value: ms(pageP99),
    limit: `no page open ${ms(aloneP99)}`,
    ratio: pageP99 / aloneP99,
    goal: '≤ 1.5× with no page open',
    pass: pageP99 <= 1.5 * aloneP99,
    detail: `${withPage.length} requests (median ${ms(percentile(withPage, 50))}) against ${alone.length} (median ${ms(percentile(alone, 50))})`,
  });
} finally {
  await stopEmulatorChild(child);
  await rm(dataDir, { recursive: true, force: true });
  await rm(local, { recursive: true, force: true });
}
