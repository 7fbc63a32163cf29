/**
 * The published packages as a user installs them: every package packed with `pnpm pack`, the tarballs installed
 * with npm into an empty project, then an ESM, a CommonJS and a TypeScript consumer run against the emulator.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const pnpm = join(root, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
const windows = process.platform === 'win32';

/** Every published package: its folder and name. */
const PUBLISHED = [
  ['packages/transport', '@gm/transport'],
  ['packages/core', '@gm/core'],
  ['packages/products', '@gm/products'],
  ['packages/emulator', '@gm/emulator'],
  ['packages/preflight', '@gm/preflight'],
  ['apps/cli', '@gm/cli'],
] as const;

const run = (command: string, args: string[], cwd: string) =>
  exec(command, args, {
    cwd,
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
    shell: windows && command === 'npm',
  });

// The consumers start an emulator themselves (port 0), as a plugin team's tests would.
const ESM = `
import { EnvoyClient, Project, InvalidRequestError } from '@gm/core';
import { walkFolder } from '@gm/core/node';
import { blenderJob, countFrames } from '@gm/products';
import { startEmulator, DEMO_USER } from '@gm/emulator';
import { createTransport } from '@gm/transport';
import { VERSION } from '@gm/cli';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const envoy = await startEmulator({ timeScale: 0.01 });
try {
  const transport = createTransport({ baseUrl: envoy.url });
  const client = new EnvoyClient({ url: envoy.url, email: DEMO_USER.email, accessKey: DEMO_USER.accessKey });
  const user = await client.getUserInfo();
  const folder = await mkdtemp(join(tmpdir(), 'gm-esm-'));
  await writeFile(join(folder, 'scene.blend'), 'blend');
  const walked = walkFolder(folder).files; // before the results download into the folder
  const project = new Project(folder, { name: 'esm_shot' });
  await project.addFiles(project.localRoot, project.remoteRoot, ['scene.blend']);
  project.addJobs(blenderJob({ name: 'beauty', appVersion: '4.2', path: '/esm_shot/scene.blend', frames: '1 3', outputPrefix: 'b', outputFormat: 'PNG' }));
  let refused = false;
  try { await project.addFiles(project.localRoot, project.remoteRoot, ['../elsewhere']); } catch (e) { refused = e instanceof InvalidRequestError; }
  const name = await client.submitProject(project);
  let state;
  for await (const s of client.watchProjectStatus(name, { intervalMs: 50 })) state = s.State;
  console.log(JSON.stringify({ user: user.email_address, frames: countFrames('1 3'), refused, state, walked, cli: typeof VERSION, transport: typeof transport.GET }));
} finally {
  await envoy.close();
}
`;

const CJS = `
// The Node entry first: its walk and the disk module require each other, which must hold in either order.
const { walkFolder } = require('@gm/core/node');
const { EnvoyClient, AuthenticationError, Project } = require('@gm/core');
const { parseFrames } = require('@gm/products');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startEmulator, DEMO_USER } = require('@gm/emulator');
const { createTransport } = require('@gm/transport');

(async () => {
  const envoy = await startEmulator({ timeScale: 0.01 });
  try {
    const client = new EnvoyClient({ url: envoy.url, email: DEMO_USER.email, accessKey: DEMO_USER.accessKey });
    const resolver = await client.getProductResolver();
    const wrong = new EnvoyClient({ url: envoy.url, email: DEMO_USER.email, accessKey: 'wrong' });
    const authError = await wrong.validateAuth().then(() => 'none', (e) => e instanceof AuthenticationError ? 'AuthenticationError' : String(e));
    const { data } = await createTransport({ baseUrl: envoy.url }).GET('/products');
    // The CommonJS build reads the disk too (#platform under the node and require conditions).
    const project = new Project(__dirname, { name: 'cjs_shot' });
    await project.addFiles(project.localRoot, project.remoteRoot, ['cjs.cjs']);
    // A folder: addFiles walks it (the walk reached through the disk module).
    const shot = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-cjs-'));
    fs.mkdirSync(path.join(shot, 'tex'));
    fs.writeFileSync(path.join(shot, 'scene.blend'), 'blend');
    fs.writeFileSync(path.join(shot, 'tex', 'wood.png'), 'png');
    const walked = new Project(shot, { name: 'cjs_folder' });
    await walked.addFiles(walked.localRoot, walked.remoteRoot);
    console.log(JSON.stringify({ hou: resolver.getVersionsByType('hou').length > 0, authError, groups: parseFrames('1 4,3 6').length, products: Array.isArray(data), files: project.files, folder: walked.files, walk: typeof walkFolder }));
  } finally {
    await envoy.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
`;

const TS = `
import { EnvoyClient, Job, type ProductTypes, type UserInfo } from '@gm/core';
import { houdiniJob, type FrameRange } from '@gm/products';
import { startEmulator, DEMO_USER, type RunningEmulator } from '@gm/emulator';
import { createTransport, type TransportError } from '@gm/transport';

async function main(): Promise<void> {
  const envoy: RunningEmulator = await startEmulator({ timeScale: 0.01 });
  try {
    const client = new EnvoyClient({ url: envoy.url, email: DEMO_USER.email, accessKey: DEMO_USER.accessKey });
    const user: UserInfo = await client.getUserInfo();
    const combos: ProductTypes = (await client.getProductResolver()).getCompatibleCombinations(['hou:17.5.173', 'hou:17.5.229']);
    const job: Job = houdiniJob({ name: 'sim', appVersion: '17.5.229', path: '/p/a.hip', frames: '1 10', ropNodeType: 'ifd', ropNodePath: '/out/m', outputUpload: ['/p/render_results/.+'] });
    const groups: FrameRange[] = [];
    const failure: TransportError | undefined = undefined;
    void createTransport;
    console.log(JSON.stringify({ credits: user.credits_available, combos: Object.keys(combos), app: job.app, groups: groups.length, failure }));
  } finally {
    await envoy.close();
  }
}
main().catch((e: unknown) => { console.error(e); process.exit(1); });
`;

describe('the published packages, packed and installed', () => {
  let work: string;
  let tarballs: string[];
  let consumer: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'gm-packed-'));
    const packs = join(work, 'tarballs');
    await mkdir(packs);
    for (const [folder] of PUBLISHED) {
      await run(process.execPath, [pnpm, 'pack', '--pack-destination', packs], join(root, folder));
    }
    tarballs = (await readdir(packs)).filter((f) => f.endsWith('.tgz')).map((f) => join(packs, f));
    consumer = join(work, 'consumer');
    await mkdir(consumer);
    await writeFile(join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
    await run(
      'npm',
      [
        'install',
        // Every package says `engines.node >= 20.19`: a dependency that needs a newer Node fails the install here.
        '--engine-strict',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        ...tarballs,
        '@types/node@20',
      ],
      consumer,
    );
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs every package, each with its LICENSE and no workspace: range', async () => {
    expect(tarballs).toHaveLength(PUBLISHED.length);
    for (const [, name] of PUBLISHED) {
      const installed = join(consumer, 'node_modules', ...name.split('/'));
      const manifest = await readFile(join(installed, 'package.json'), 'utf8');
      expect(manifest, name).not.toContain('workspace:');
      const licence = await readFile(join(installed, 'LICENSE'), 'utf8');
      expect(licence, name).toMatch(/^MIT License/);
      const files = await readdir(installed, { recursive: true });
      expect(
        files.filter((f) => /\.test(-d)?\.ts$/.test(f)),
        name,
      ).toEqual([]);
    }
  });

  it('runs an ESM consumer against the emulator', async () => {
    await writeFile(join(consumer, 'esm.mjs'), ESM);
    const { stdout } = await run(process.execPath, ['esm.mjs'], consumer);
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      user: 'demo@gridmarkets.local',
      frames: 3,
      refused: true,
      state: 'Completed',
      walked: ['scene.blend'],
      cli: 'string',
      transport: 'function',
    });
  });

  it('runs a CommonJS consumer against the emulator', async () => {
    await writeFile(join(consumer, 'cjs.cjs'), CJS);
    const { stdout } = await run(process.execPath, ['cjs.cjs'], consumer);
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      hou: true,
      authError: 'AuthenticationError',
      groups: 2,
      products: true,
      files: ['cjs.cjs'],
      folder: ['scene.blend', 'tex/wood.png'],
      walk: 'function',
    });
  });

  it.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])('type-checks a TypeScript consumer with moduleResolution %s, and runs it', async (label, resolution) => {
    const dir = join(consumer, `ts-${label}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'consumer.mts'), TS);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { ...resolution, target: 'ES2022', strict: true, types: ['node'], outDir: 'out' },
        files: ['consumer.mts'],
      }),
    );
    const compiled = await run(process.execPath, [tsc, '-p', dir], dir).catch((e) => e);
    expect(`${compiled.stdout ?? ''}${compiled.stderr ?? ''}`).toBe('');
    const { stdout } = await run(process.execPath, [join(dir, 'out', 'consumer.mjs')], dir);
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      credits: 1000,
      combos: ['hou_redshift'],
      app: 'hou',
      groups: 0,
    });
  });

  it('installs the gm and gm-envoy-emulator commands', async () => {
    const bin = join(consumer, 'node_modules', '.bin');
    const { stdout } = await run(
      process.execPath,
      [join(bin, '..', '@gm', 'cli', 'bin', 'gm.js'), '--version'],
      consumer,
    );
    const { version } = JSON.parse(await readFile(join(root, 'apps', 'cli', 'package.json'), 'utf8'));
    expect(stdout.trim()).toBe(version);
    expect(await readdir(bin)).toEqual(expect.arrayContaining(['gridmarkets', 'gm', 'gm-envoy-emulator']));
  });

  it.skipIf(windows)(
    'runs as `gridmarkets` from node_modules/.bin, and speaks of itself by that name',
    async () => {
      const bin = join(consumer, 'node_modules', '.bin');
      // The bin links as npm made them, started the way a shell starts them (no `node` in front).
      const help = await exec(join(bin, 'gridmarkets'), ['--help'], { cwd: consumer });
      expect(help.stdout).toMatch(/^Usage: gridmarkets /m);
      const short = await exec(join(bin, 'gm'), ['--help'], { cwd: consumer });
      expect(short.stdout).toMatch(/^Usage: gm /m);
    },
  );
});
