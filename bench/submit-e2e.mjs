// The whole `gm submit` as a user times it, against `cp -r` of the same files (the upload's own limit), measured
// alternately in the same run. One run: `gm submit job.yaml --verbose` spawned as a user runs it (parse the job
// file, preflight the scene, walk and add the files, sign in, submit) against the emulator (a child process,
// started before the clock, a fresh data folder each run), then Envoy copying every file into its store, until the
// project lists every file completed (polling `GET /projects`, which counts completed files). The listing's
// checksums are checked once, outside the clock. Two projects: 10,000 files of 105 KiB (1 GiB), goal ≤ 1.5×; and
// 100,000 files of 1 KiB (the case where per-file costs dominate), goal ≤ 2×. Beside the time, the gm process's
// peak RSS growth over `gm --version` (goal for 100,000 files: ≤ 64 MiB) and the emulator's peak RSS growth.
// Usage: node --expose-gc bench/submit-e2e.mjs [runs=5] [big|small] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { alternate, emit, loadText, median, ms, note, positional, runsText } from './lib.mjs';
import { call, startEmulatorChild, stopEmulatorChild } from './lib-emulator.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const GM = join(here, '..', 'apps', 'cli', 'bin', 'gm.js');
const SAMPLE = join(here, '..', 'apps', 'cli', 'assets', 'sample_project');
const MAX_RSS = join(here, 'lib-max-rss.mjs');
const RUNS = Math.max(
  Number(process.env.BENCH_MIN_RUNS ?? 5),
  Number(positional.find((a) => /^\d+$/.test(a))) || 5,
);
const only = positional.find((a) => a === 'big' || a === 'small');
const USER = { email: 'bench@example.com', key: 'bench-key' };
const MiB = 2 ** 20;

const CASES = [
  { key: 'big', files: 10_000, size: 107_374, goal: 1.5, label: '10,000 files, 1 GiB' },
  { key: 'small', files: 100_000, size: 1024, goal: 2, label: '100,000 files of 1 KiB', rssGoal: 64 },
].filter((c) => !only || c.key === only);

/**
 * The project folder, made once under the temp folder: the sample Blender scene and its textures (so the preflight
 * has a scene to scan and finds every reference), and `files` files of `size` bytes in folders of 100.
 */
function projectFolder({ files, size }) {
  const root = join(tmpdir(), `gm-bench-e2e-${files}-${size}`);
  if (existsSync(join(root, '.complete'))) return root;
  note(`making ${files} files of ${size} bytes under ${root} (once)...`);
  rmSync(root, { recursive: true, force: true });
  cpSync(SAMPLE, root, { recursive: true });
  let seed = createHash('sha256').update(root).digest();
  const block = Buffer.alloc(MiB + size);
  for (let o = 0; o < block.length; o += 32) {
    seed = createHash('sha256').update(seed).digest();
    seed.copy(block, o);
  }
  for (let i = 0; i < files; i++) {
    const dir = join(root, 'assets', `shot_${String(Math.floor(i / 100)).padStart(4, '0')}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const at = (i * 4099) % MiB;
    writeFileSync(join(dir, `part_${i}.bin`), block.subarray(at, at + size));
  }
  writeFileSync(join(root, '.complete'), '');
  return root;
}

/** Runs `node [--import lib-max-rss] gm.js …args`; resolves with its output, exit code and peak RSS in MiB. */
function runGm(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', MAX_RSS, GM, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /gm-bench-max-rss (\d+)/.exec(stderr);
      resolve({ code, stdout, stderr, maxRssMiB: m ? Number(m[1]) / 1024 : Number.NaN });
    });
  });
}

/** The phases `gm submit --verbose` printed: name → ms. */
function phasesOf(stderr) {
  const out = {};
  const at = stderr.indexOf('Phases:\n');
  if (at < 0) return out;
  for (const line of stderr.slice(at).split('\n').slice(1)) {
    const m = /^ {2}(\S+(?: \S+)?) +([\d.]+) ms/.exec(line);
    if (!m) break;
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The emulator child's peak RSS so far (VmHWM) and its RSS now, in MiB. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { peak: kib('VmHWM'), now: kib('VmRSS') };
}

const scratch = join(tmpdir(), `gm-bench-e2e-run-${process.pid}`);
mkdirSync(scratch, { recursive: true });

/** gm --version's peak RSS: the binary started, nothing done (the base of the RSS growth). */
async function baseRss() {
  const values = [];
  for (let i = 0; i < 3; i++) values.push((await runGm(['--version'], {})).maxRssMiB);
  return median(values);
}

async function measure(c) {
  const root = projectFolder(c);
  const expected = c.files + 4; // the scene and its three textures
  const jobPath = join(scratch, `job-${c.key}.yaml`);
  writeFileSync(
    jobPath,
    `name: e2e_${c.key}\nfolder: ${JSON.stringify(root)}\nautoDownload: false\njobs:\n  - name: beauty\n    product: blender\n    appVersion: "4.2"\n    file: scene.blend\n    frames: "1 2"\n    outputPrefix: beauty\n    outputFormat: PNG\n`,
  );
  let k = 0;
  let checked = false;
  const totals = [];
  const cps = [];
  const phases = [];
  const gmRss = [];
  const envoyRss = [];
  const uploadAfter = [];

  async function submitOnce() {
    const dataDir = join(scratch, `data-${k++}`);
    const configDir = join(scratch, `config-${k}`);
    const { child, url } = await startEmulatorChild([
      '--data-dir',
      dataDir,
      '--user',
      `${USER.email}:${USER.key}:100000`,
      '--time-scale',
      '1000',
    ]);
    try {
      const idle = memoryOf(child.pid).now;
      const env = {
        GM_ENVOY_URL: url,
        GM_EMAIL: USER.email,
        GM_ACCESS_KEY: USER.key,
        GM_CONFIG_DIR: configDir,
      };
      const start = performance.now();
      const r = await runGm(['submit', jobPath, '--verbose'], env);
      const submitted = performance.now();
      if (r.code !== 0) throw new Error(`gm submit exited ${r.code}: ${r.stderr.slice(-2000)}`);
      // Envoy copies the files once it has taken the project: until it lists every one completed. Polled with a
      // pause eight times as long as the last answer took (at least 20 ms), so that the polls (each counts the
      // project's completed files) take at most a ninth of the emulator's time.
      for (;;) {
        const asked = performance.now();
        const list = (await call(url, 'GET', '/projects')).json().projects;
        const p = list.find((x) => x.name === `e2e_${c.key}`);
        if (p && p.num_files >= expected) break;
        await new Promise((res) => setTimeout(res, Math.max(20, 8 * (performance.now() - asked))));
      }
      const took = performance.now() - start;
      totals.push(took);
      uploadAfter.push(took - (submitted - start));
      phases.push(phasesOf(r.stderr));
      gmRss.push(r.maxRssMiB);
      envoyRss.push(memoryOf(child.pid).peak - idle);
      if (!checked) {
        // Once, outside the clock: every file listed with its size and a checksum.
        const files = (await call(url, 'GET', `/project/e2e_${c.key}/Files`)).json().project_files.all_files;
        const bins = files.filter((f) => f.Key.endsWith('.bin'));
        if (
          bins.length !== c.files ||
          bins.some((f) => f.Size !== c.size || !/^[0-9a-f]{64}$/.test(f.CheckSum))
        ) {
          throw new Error(`the listing does not show ${c.files} files with their size and checksum`);
        }
        checked = true;
      }
      return took;
    } finally {
      await stopEmulatorChild(child);
      await rm(dataDir, { recursive: true, force: true });
      await rm(configDir, { recursive: true, force: true });
    }
  }

  async function cpOnce() {
    const target = join(scratch, `cp-${k++}`);
    const start = performance.now();
    const r = spawnSync('cp', ['-r', root, target]);
    const took = performance.now() - start;
    if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
    cps.push(took);
    await rm(target, { recursive: true, force: true });
    return took;
  }

  note(`submit-e2e ${c.label}: ${RUNS} alternating runs (${loadText()})`);
  await alternate({ submit: submitOnce, cp: cpOnce }, { runs: RUNS, warmup: 0 });
  const [value, limit] = [median(totals.slice(-RUNS)), median(cps.slice(-RUNS))];
  const ratio = value / limit;
  emit({
    figure: `gm submit end to end, ${c.label}`,
    value: ms(value),
    limit: `cp -r ${ms(limit)}`,
    ratio,
    goal: `≤ ${c.goal.toFixed(2)}×`,
    pass: ratio <= c.goal,
    detail: `gm submit until Envoy lists every file completed; runs ${runsText(totals.slice(-RUNS))} ms; cp -r runs ${runsText(cps.slice(-RUNS))} ms; ${loadText()}`,
  });
  // The phases: gm's own (--verbose), then Envoy's copy after it took the project.
  const names = ['start', 'job file', 'files', 'preflight', 'sign in', 'submit'];
  const recent = phases.slice(-RUNS);
  const parts = names.map((n) => `${n} ${ms(median(recent.map((p) => p[n] ?? 0)))}`);
  const after = median(uploadAfter.slice(-RUNS));
  emit({
    figure: '  phases (medians): gm, then Envoy copying',
    value: ms(after),
    limit: `cp -r ${ms(limit)}`,
    ratio: after / limit,
    goal: '',
    pass: null,
    detail: `${parts.join(', ')}; then Envoy copying until every file is listed ${ms(after)} (runs ${runsText(uploadAfter.slice(-RUNS))} ms)`,
  });
  const base = await baseRss();
  const grew = median(gmRss.slice(-RUNS)) - base;
  emit({
    figure: `  gm submit peak RSS growth, ${c.label}`,
    value: `${grew.toFixed(1)} MiB`,
    limit: `gm --version peak ${base.toFixed(1)} MiB`,
    ratio: grew / base,
    goal: c.rssGoal ? `≤ ${c.rssGoal} MiB` : '',
    pass: c.rssGoal ? grew <= c.rssGoal : null,
    detail: `peak RSS of gm submit ${gmRss
      .slice(-RUNS)
      .map((v) => v.toFixed(1))
      .join(', ')} MiB; emulator peak RSS growth while taking and copying ${envoyRss
      .slice(-RUNS)
      .map((v) => v.toFixed(1))
      .join(', ')} MiB`,
  });
}

try {
  for (const c of CASES) await measure(c);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
