import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvoyClient, type Job, Project } from '@gm/core';
import { DEMO_USER, type RunningEmulator, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blenderJob,
  checkJob,
  cinema4dJob,
  countFrames,
  houdiniJob,
  houdiniProjectParams,
  mayaJob,
  nukeJob,
  type ProductCode,
  vrayJob,
} from '../src/index.js';

let envoy: RunningEmulator;
let client: EnvoyClient;
const folders: string[] = [];

beforeAll(async () => {
  envoy = await startEmulator({ port: 0, timeScale: 0.001 });
  client = new EnvoyClient({ url: envoy.url, email: DEMO_USER.email, accessKey: DEMO_USER.accessKey });
}, 120_000); // a loaded machine may take long to start the emulator

afterAll(async () => {
  await envoy?.close();
  await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
});

async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

/** The newest version the emulator offers for a product. */
async function latestVersion(product: ProductCode): Promise<string> {
  const versions = (await client.getProductResolver()).getVersionsByType(product);
  const latest = versions.at(-1);
  if (latest === undefined) throw new Error(`the emulator offers no ${product} versions`);
  return latest;
}

type Case = {
  product: ProductCode;
  file: string;
  frames: string;
  build: (base: { name: string; appVersion: string; path: string; frames: string }, project: string) => Job;
};

const cases: Case[] = [
  {
    product: 'blender',
    file: 'scene.blend',
    frames: '1 3',
    build: (b) =>
      blenderJob({ ...b, outputPrefix: 'blend', outputFormat: 'png', engine: 'CYCLES', instances: 2 }),
  },
  {
    product: 'c4d',
    file: 'scene.c4d',
    frames: '1 4 2',
    build: (b) =>
      cinema4dJob({ ...b, outputWidth: 64, outputHeight: 36, outputPrefix: 'c4d', outputFormat: 'png' }),
  },
  {
    product: 'hou',
    file: 'pyro.hip',
    frames: '1 2',
    build: (b, project) =>
      houdiniJob({
        ...b,
        ropNodeType: 'ifd',
        ropNodePath: '/out/mantra1',
        outputUpload: [`/${project}/render_results/.+`],
      }),
  },
  {
    product: 'maya',
    file: 'scene.mb',
    frames: '5',
    build: (b) =>
      mayaJob({
        ...b,
        outputWidth: 64,
        outputHeight: 36,
        outputPrefix: 'maya',
        outputFormat: 'png',
        camera: 'persp',
      }),
  },
  { product: 'nuke', file: 'comp.nk', frames: '1001 1002', build: (b) => nukeJob(b) },
  {
    product: 'vray',
    file: 'scene.vrscene',
    frames: '1, 3',
    build: (b) =>
      vrayJob({
        ...b,
        outputWidth: 64,
        outputHeight: 36,
        outputPrefix: 'vray',
        outputFormat: 'png',
        rtEngine: 'regular',
        samplingType: 'bucket',
      }),
  },
];

describe('every builder against @gm/emulator', () => {
  it.each(cases)('$product: the job is accepted, rendered and its results downloaded', async (c) => {
    const folder = await mkdtemp(join(tmpdir(), `gm-products-${c.product}-`));
    folders.push(folder);
    await writeFile(join(folder, c.file), `a small ${c.product} job file\n`);
    const name = `products_${c.product}`;
    const project = new Project(folder, {
      name,
      outputFolderName: 'results',
      ...(c.product === 'hou' ? houdiniProjectParams({ env: { JOB: `/${name}` } }) : {}),
    });
    await project.addFiles(folder, project.remoteRoot, [c.file]);
    const appVersion = await latestVersion(c.product);
    const job = c.build(
      { name: `${c.product} job`, appVersion, path: `/${name}/${c.file}`, frames: c.frames },
      name,
    );
    project.addJobs(job);

    const machines = await client.getMachines(job.app, job.operation);
    expect(await checkJob(job, { resolver: await client.getProductResolver(), machines })).toEqual([]);

    await client.submitProject(project);
    let last = '';
    for await (const status of client.watchProjectStatus(name, { intervalMs: 50 })) last = status.State ?? '';
    expect(last).toBe('Completed');

    const downloaded = await filesBelow(join(folder, 'gm_results'));
    expect(downloaded).toHaveLength(countFrames(c.frames));
  });

  it('checkJob finds what the emulator does not offer', async () => {
    const job = nukeJob({
      name: 'n',
      appVersion: '0.0.1',
      path: '/p/comp.nk',
      frames: '1',
      machineType: 'no-such-machine',
    });
    const findings = await checkJob(job, {
      resolver: await client.getProductResolver(),
      machines: (product, operation) => client.getMachines(product, operation),
    });
    expect(findings.map((f) => f.field)).toEqual(['appVersion', 'machineType']);
    expect(findings.every((f) => f.suggestion !== undefined)).toBe(true);
  });
});
