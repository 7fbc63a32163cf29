// Real Blender frames through the emulator beside Blender run by hand on the same scene (the emulator's test
// fixture, a textured cube at 64 × 48, Cycles, 1 sample): the emulator (`--blender auto`, one Blender process,
// one frame per process, as it contains each frame) from submit to Completed, against `blender -b scene -a` over
// the same frames in one process, and against one `blender -b scene -f N` per frame, in turn.
//
//   node bench/emulator-blender.mjs [frames] [--json]
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { emit, loadText, ms, note, numberArg } from './lib.mjs';
import { call, startEmulatorChild, stopEmulatorChild } from './lib-emulator.mjs';

const FRAMES = numberArg(0, 6);
const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'packages',
  'emulator',
  'test',
  'fixtures',
  'blender',
);
const USER = { email: 'bench@example.com', key: 'bench-key' };

const local = await mkdtemp(join(tmpdir(), 'gm-bench-blender-'));
const dataDir = await mkdtemp(join(tmpdir(), 'gm-bench-blender-data-'));
let child;
try {
  await mkdir(join(local, 'textures'));
  await copyFile(join(FIXTURES, 'cube.blend'), join(local, 'scene.blend'));
  await copyFile(join(FIXTURES, 'textures', 'checker.png'), join(local, 'textures', 'checker.png'));
  const blend = join(local, 'scene.blend');
  const flags = ['--background', '--factory-startup', '--disable-autoexec', '-noaudio', blend];
  note(`blender by hand: ${FRAMES} frames in one process`);
  let start = performance.now();
  execFileSync(
    'blender',
    [...flags, '-o', join(local, 'hand', 'f_#'), '--threads', '1', '-s', '1', '-e', String(FRAMES), '-a'],
    { stdio: 'ignore' },
  );
  const handOne = performance.now() - start;
  note('blender by hand: one process per frame');
  start = performance.now();
  for (let f = 1; f <= FRAMES; f++) {
    execFileSync('blender', [...flags, '-o', join(local, 'each', 'f_#'), '--threads', '1', '-f', String(f)], {
      stdio: 'ignore',
    });
  }
  const handEach = performance.now() - start;

  const started = await startEmulatorChild([
    '--data-dir',
    dataDir,
    '--blender',
    'auto',
    '--blender-processes',
    '1',
    '--user',
    `${USER.email}:${USER.key}:1000000`,
  ]);
  child = started.child;
  const { url } = started;
  await call(url, 'POST', '/auth', { Username: USER.email, AccessKey: USER.key });
  note(`emulator: ${FRAMES} frames`);
  start = performance.now();
  await call(url, 'POST', '/project-submit', {
    project_request: {
      name: 'cube 2026-Jan-01 10:00:00 AM',
      params: {},
      jobs: [
        {
          id: 'j1',
          name: 'cube',
          app: 'blender',
          app_version: '3.6',
          operation: 'render',
          path: '/cube/scene.blend',
          dependencies: [],
          params: { frames: `1 ${FRAMES}`, instances: 1, output_dir_name: 'results' },
        },
      ],
    },
    project_files: { localRoot: local, remoteRoot: '/cube', files: ['scene.blend', 'textures/checker.png'] },
    watch_files: {},
  });
  let status;
  for (;;) {
    status = (await call(url, 'GET', '/project-status/cube')).json();
    if (['Completed', 'Failed', 'Stopped'].includes(status.State)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const emulator = performance.now() - start;
  if (status.State !== 'Completed' || status.Jobs[0].Renderer !== 'blender')
    throw new Error(`not rendered: ${JSON.stringify(status)}`);
  const fps = (t) => (FRAMES / (t / 1000)).toFixed(2);
  emit({
    figure: `emulator real Blender frames, ${FRAMES} frames (submit to Completed)`,
    value: `${fps(emulator)} frames/s`,
    limit: `by hand, one process per frame ${fps(handEach)} frames/s`,
    ratio: handEach / emulator,
    goal: '≥ 0.8× by hand per frame',
    pass: handEach / emulator >= 0.8,
    detail: `emulator ${ms(emulator)}; by hand per frame ${ms(handEach)}; by hand all frames in one process (-a) ${ms(handOne)}, ${fps(handOne)} frames/s; ${loadText()}`,
  });
} finally {
  await stopEmulatorChild(child);
  await rm(local, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
}
