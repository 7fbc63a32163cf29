/**
 * Every example of the Envoy client documentation, over real HTTP against `@gm/emulator` on 127.0.0.1 port 0.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_USER, type RunningEmulator, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  APIError,
  AuthenticationError,
  CreditsBudgetAction,
  EnvoyClient,
  InsufficientCreditsError,
  InvalidRequestError,
  Job,
  MachineCategory,
  Project,
  type ProjectStatus,
  WatchFile,
} from '../src/index.js';
import { c4dProject } from './helpers.js';

type Products = NonNullable<Parameters<typeof startEmulator>[0]>['products'];

const running: RunningEmulator[] = [];
async function emulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ port: 0, timeScale: 0.002, ...options });
  running.push(emu);
  return emu;
}

let base: string;
let envoy: RunningEmulator;
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'gm-core-int-'));
  envoy = await emulator();
}, 120_000); // a loaded machine may take long to start the emulator
afterAll(async () => {
  await Promise.all(running.map((emu) => emu.close()));
  await rm(base, { recursive: true, force: true });
}, 60_000);

function demoClient(url = envoy.url): EnvoyClient {
  return new EnvoyClient({ url, email: DEMO_USER.email, accessKey: DEMO_USER.accessKey });
}

/** A project folder like the documentation's: sample.c4d, another_file.ext and assets/. */
async function sampleFolder(name: string): Promise<string> {
  const root = path.join(base, name);
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'sample.c4d'), 'a Cinema 4D scene');
  await writeFile(path.join(root, 'another_file.ext'), 'another file');
  await writeFile(path.join(root, 'assets', 'tex.png'), 'texture');
  await writeFile(path.join(root, 'assets', 'bump.png'), 'bump');
  return root;
}

function c4dJob(project: Project, name = 'test job', frames = '0 0 1'): Job {
  return new Job({
    name,
    app: 'c4d',
    appVersion: 'R19',
    operation: 'render',
    path: `${project.remoteRoot}/sample.c4d`,
    instances: 5,
    machineType: 'gm4800',
    plugins: null,
    params: { frames, output_height: 600, output_width: 400, output_format: 'tiff' },
  });
}

async function lastStatus(
  client: EnvoyClient,
  name: string,
): Promise<{ last: ProjectStatus; states: string[] }> {
  const states: string[] = [];
  let last: ProjectStatus | undefined;
  for await (const status of client.watchProjectStatus(name, { intervalMs: 20 })) {
    last = status;
    if (states.at(-1) !== status.State) states.push(status.State ?? '');
  }
  if (!last) throw new Error('no status');
  return { last, states };
}

async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('account', () => {
  test('version', () => {
    expect(demoClient().version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('authenticate with email and password; wrong password → AuthenticationError', async () => {
    const client = new EnvoyClient({ url: envoy.url });
    expect(await client.authenticate(DEMO_USER.email, 'demo-password')).toBe(true);
    const error = await new EnvoyClient({ url: envoy.url })
      .authenticate(DEMO_USER.email, 'wrong-password')
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('wrong-password');
  });

  test('validateAuth with the access key; a wrong key → AuthenticationError', async () => {
    expect(await demoClient().validateAuth()).toBe(true);
    const wrong = new EnvoyClient({ url: envoy.url, email: DEMO_USER.email, accessKey: 'not-the-key' });
    await expect(wrong.validateAuth()).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('getUserInfo answers the documented fields', async () => {
    const info = await demoClient().getUserInfo();
    for (const field of [
      'created',
      'credits_available',
      'credits_consumed',
      'email_address',
      'job_throughput_limit',
      'max_throughput',
      'name',
      'service_plan',
    ]) {
      expect(info, field).toHaveProperty(field);
    }
    expect(info.email_address).toBe(DEMO_USER.email);
    expect(info.credits_available).toBeGreaterThan(0);
  });

  test('validateCredits: true, or InsufficientCreditsError when the balance is not positive', async () => {
    expect(await demoClient().validateCredits()).toBe(true);
    const broke = await emulator({
      users: [{ email: 'broke@studio.example', accessKey: 'broke-key', credits: 0 }],
    });
    const client = new EnvoyClient({ url: broke.url, email: 'broke@studio.example', accessKey: 'broke-key' });
    await client.validateAuth();
    await expect(client.validateCredits()).rejects.toBeInstanceOf(InsufficientCreditsError);
  });
});

describe('product resolver (each example with the catalogue it implies)', () => {
  const hou = (version: string, modules: string[]) => ({
    id: `hou-${version}`,
    name: 'Houdini',
    app_type: 'hou',
    version,
    compatible_modules: modules,
  });

  async function resolverFor(products: Products) {
    const emu = await emulator({ products });
    const client = new EnvoyClient({ url: emu.url, email: DEMO_USER.email, accessKey: DEMO_USER.accessKey });
    await client.validateAuth();
    return client.getProductResolver();
  }

  test('getAllTypes(), getAllTypes(false)', async () => {
    const resolver = await resolverFor([
      hou('17.5.229', ['hou_redshift:2.6.39']),
      hou('17.5.173', ['hou_redshift:2.6.38']),
    ]);
    expect(resolver.getAllTypes()).toEqual({
      hou: {
        versions: ['17.5.173', '17.5.229'],
        is_plugin: false,
        name: 'Houdini',
        business_vertical: 'media',
      },
      hou_redshift: {
        versions: ['2.6.38', '2.6.39'],
        is_plugin: true,
        name: 'hou_redshift',
        business_vertical: 'media',
      },
    });
    expect(resolver.getAllTypes(false)).toEqual({
      hou: {
        versions: ['17.5.173', '17.5.229'],
        is_plugin: false,
        name: 'Houdini',
        business_vertical: 'media',
      },
    });
  });

  test('getVersionsByType', async () => {
    const resolver = await resolverFor([
      hou('15.0.459', ['hou_redshift:2.6.38']),
      hou('14.0.395', ['hou_redshift:2.6.37']),
    ]);
    expect(resolver.getVersionsByType('hou')).toEqual(['14.0.395', '15.0.459']);
    expect(resolver.getVersionsByType('hou_redshift')).toEqual(['2.6.37', '2.6.38']);
  });

  // The documentation contradicts itself on a plugin's `name`: the getAllTypes example and the two-version example
  // give `"name": "hou_redshift"` (plugins have no friendly name, so the code is the name), while the one-version
  // example gives `"name": "Houdini"` for hou_redshift. We test the first reading, the one two examples agree on.
  test('getCompatibleCombinations for one version, then two', async () => {
    const redshift = ['hou_redshift:2.6.37', 'hou_redshift:2.6.38', 'hou_redshift:2.6.39'];
    const resolver = await resolverFor([
      hou('17.5.173', [...redshift, 'htoa:4.0.1', 'htoa:4.0.2']),
      hou('17.5.229', redshift),
    ]);
    const rs = {
      versions: ['2.6.37', '2.6.38', '2.6.39'],
      is_plugin: true,
      name: 'hou_redshift',
      business_vertical: 'media',
    };
    expect(resolver.getCompatibleCombinations(['hou:17.5.173'])).toEqual({
      hou_redshift: rs,
      htoa: { versions: ['4.0.1', '4.0.2'], is_plugin: true, name: 'htoa', business_vertical: 'media' },
    });
    expect(resolver.getCompatibleCombinations(['hou:17.5.173', 'hou:17.5.229'])).toEqual({
      hou_redshift: rs,
    });
  });
});

describe('product resolver on the default catalogue', () => {
  test('partial versions, Nuke-style versions, versions sorted as versions', async () => {
    const resolver = await demoClient().getProductResolver();
    expect(resolver.getVersionsByType('nuke')).toEqual(['11.3v5', '12.2v4', '13.2v8']);
    expect(resolver.getVersionsByType('hou_redshift')).toEqual([
      '2.6.37',
      '2.6.38',
      '2.6.39',
      '3.0.31',
      '3.0.45',
    ]);
    expect(resolver.getVersionsByType('c4d')).toEqual(['R19', 'R20', 'R21', 'S24']);
    expect(resolver.getCompatibleCombinations('hton:12.2v4')).toEqual({
      hou: { versions: ['18.0.416'], is_plugin: false, name: 'Houdini', business_vertical: 'media' },
    });
    expect(resolver.getCompatibleCombinations('hton:12.2').hou?.versions).toEqual(['18.0.416']);
    expect(resolver.getCompatibleCombinations('hou').hton?.versions).toEqual(['12.2v4', '13.2v8']);
    const partial = resolver.getCompatibleCombinations('hou:17.5');
    expect(Object.keys(partial).sort()).toEqual(['hou_redshift', 'htoa']);
    expect(partial.htoa?.versions).toEqual(['4.0.1', '4.0.2']);
    expect(resolver.getAllTypes(false).nuke).toEqual({
      versions: ['11.3v5', '12.2v4', '13.2v8'],
      is_plugin: false,
      name: 'Nuke',
      business_vertical: 'media',
    });
  });
});

describe('machines', () => {
  test('CPU, CPU with a plugin, GPU and all machine types for Cinema 4D', async () => {
    const client = demoClient();
    await client.validateAuth();
    const all = await client.getMachines('c4d', 'render', { category: MachineCategory.ALL });
    expect(all.map(({ id, name, gpu, is_default }) => ({ gpu, id, is_default, name }))).toEqual([
      { gpu: false, id: 'gm4800', is_default: true, name: 'GM4800' },
      { gpu: false, id: 'gm6400', is_default: false, name: 'GM6400' },
      { gpu: true, id: '1xp100-ob220', is_default: true, name: '1xP100 : OB220' },
      { gpu: true, id: '1xv100-ob330', is_default: false, name: '1xV100 : OB330' },
    ]);
    const cpu = await client.getMachines('c4d', 'render', { category: MachineCategory.CPU });
    expect(cpu.map((m) => m.id)).toEqual(['gm4800', 'gm6400']);
    const cpuArnold = await client.getMachines('c4d', 'render', {
      category: MachineCategory.CPU,
      plugins: ['arnold'],
    });
    expect(cpuArnold.map((m) => m.id)).toEqual(['gm4800', 'gm6400']);
    const gpu = await client.getMachines('c4d', 'render', {
      category: MachineCategory.GPU,
      plugins: ['redshift'],
    });
    expect(gpu.every((m) => m.gpu)).toBe(true);
    expect(gpu.map((m) => m.id)).toEqual(['1xp100-ob220', '1xv100-ob330']);
  });
});

describe('the Cinema 4D flow of the documentation', () => {
  test('files, job, watch file, submit, status, results on disk', async () => {
    const root = await sampleFolder('sample_project');
    const client = new EnvoyClient({ url: envoy.url });
    await client.authenticate(DEMO_USER.email, 'demo-password');
    const project = new Project(root, {
      name: 'sample_project',
      submissionName: 'submission 1',
      outputFolderName: 'my_results',
    });
    await project.addFiles(project.localRoot, project.remoteRoot, ['sample.c4d', 'another_file.ext']);
    await project.addFiles(path.join(project.localRoot, 'assets'), `${project.remoteRoot}/assets`);
    expect(project.files).toEqual(['another_file.ext', 'assets/bump.png', 'assets/tex.png', 'sample.c4d']);
    project.addJobs(c4dJob(project, 'test job', '1 4'));
    const downloads = path.join(root, 'my_results');
    project.addWatchFiles(new WatchFile(`${project.remoteOutputFolder}/.+`, downloads));

    expect(await client.submitProject(project)).toBe('sample_project');
    const first = await client.getProjectStatus('sample_project');
    expect(first.Code).toBe(200);
    expect(typeof first.State).toBe('string');
    expect(first).toHaveProperty('BytesTotal');
    expect(first).toHaveProperty('Speed');
    expect(typeof first.Message).toBe('string');
    // Details are keyed by remote path, as in the documented answer ("/sample project/test.c4d").
    expect(first.Details?.['/sample_project/sample.c4d']).toMatchObject({
      Name: '/sample_project/sample.c4d',
      State: expect.any(String),
      BytesDone: expect.any(Number),
      BytesTotal: 'a Cinema 4D scene'.length,
    });
    expect(first.Details?.['/sample_project/sample.c4d']).toHaveProperty('Speed');

    const { last, states } = await lastStatus(client, 'sample_project');
    expect(last.State).toBe('Completed');
    expect(states).toContain('Completed');
    expect(last.Jobs?.[0]).toMatchObject({
      Name: 'test job',
      State: 'Completed',
      FramesTotal: 4,
      FramesDone: 4,
    });
    expect(last.Downloads?.Pending).toBe(0);
    const results = await filesBelow(downloads);
    expect(results).toHaveLength(4);
    expect(results.every((file) => file.startsWith('my_results/'))).toBe(true);

    const remote = await client.getProjectFiles('sample_project');
    expect(remote.map((f) => f.Name)).toEqual(expect.arrayContaining(['sample.c4d', 'assets/tex.png']));
    expect((await client.listProjects()).map((p) => p.name)).toContain('sample_project');
  });

  test('the default watch rule downloads into <project>/gm_results', async () => {
    const root = await sampleFolder('default_watch');
    const client = demoClient();
    const project = new Project(root, { outputFolderName: 'out' });
    await project.addFiles(root, project.remoteRoot, ['sample.c4d']);
    project.addJobs(c4dJob(project, 'one frame'));
    await client.submitProject(project);
    const { last } = await lastStatus(client, project.name);
    expect(last.State).toBe('Completed');
    expect(await filesBelow(path.join(root, 'gm_results'))).toHaveLength(1);
  });

  test('upload only, then submit with skipUpload (twice, with different parameters)', async () => {
    const root = await sampleFolder('upload_first');
    const client = demoClient();
    const project = new Project(root);
    await project.addFiles(root, project.remoteRoot);
    expect(await client.uploadProjectFiles(project)).toBe('upload_first');
    const uploaded = await lastStatus(client, 'upload_first');
    expect(uploaded.last.State).toBe('Uploaded');

    for (const [output, frames] of [
      ['first', '1 2'],
      ['second', '1 3'],
    ] as const) {
      const again = new Project(root, { submissionName: `run ${output}`, outputFolderName: output });
      again.addJobs(c4dJob(again, output, frames));
      expect(await client.submitProject(again, { skipUpload: true, skipAutoDownload: true })).toBe(
        'upload_first',
      );
      const { last } = await lastStatus(client, 'upload_first');
      expect(last.State).toBe('Completed');
    }
    const names = (await client.getProjectFiles('upload_first')).map((f) => f.Name);
    expect(names.filter((n) => n.startsWith('render_results/first/'))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith('render_results/second/'))).toHaveLength(3);
  });

  test('dependencies: job3 waits for job1 and job2', async () => {
    const root = await sampleFolder('with_dependencies');
    const client = demoClient();
    const project = new Project(root, { outputFolderName: 'deps' });
    await project.addFiles(root, project.remoteRoot, ['sample.c4d']);
    const [job1, job2] = [c4dJob(project, 'job1', '1 2'), c4dJob(project, 'job2', '1 2')];
    const job3 = c4dJob(project, 'job3', '1 2').withDependencies(job1, job2);
    project.addJobs(job1, job2, job3);
    await client.submitProject(project, { skipAutoDownload: true });
    const seen: ProjectStatus[] = [];
    for await (const status of client.watchProjectStatus(project.name, { intervalMs: 5 })) seen.push(status);
    expect(seen.at(-1)?.State).toBe('Completed');
    // job3 never ran a frame while job1 or job2 was unfinished.
    for (const status of seen) {
      const byName = new Map(status.Jobs?.map((j) => [j.Name, j]));
      const started = (byName.get('job3')?.FramesDone ?? 0) + (byName.get('job3')?.FramesRunning ?? 0) > 0;
      if (started) {
        expect(byName.get('job1')?.State).toBe('Completed');
        expect(byName.get('job2')?.State).toBe('Completed');
      }
    }
    expect(seen.at(-1)?.Jobs?.map((j) => j.State)).toEqual(['Completed', 'Completed', 'Completed']);
  });

  test('credit budgets: stop, suspend and alert', async () => {
    const root = await sampleFolder('with_budget');
    const client = demoClient();
    const project = new Project(root, { outputFolderName: 'budget' });
    await project.addFiles(root, project.remoteRoot, ['sample.c4d']);
    const stopped = c4dJob(project, 'stopped', '1 40').with({
      creditsBudget: { value: 3, action: CreditsBudgetAction.STOP },
      instances: 1,
    });
    const suspended = c4dJob(project, 'suspended', '1 40').with({
      creditsBudget: { value: 3, action: CreditsBudgetAction.SUSPEND },
      instances: 1,
    });
    const alerted = c4dJob(project, 'alerted', '1 4').withCreditsBudget(2, CreditsBudgetAction.ALERT);
    project.addJobs(stopped, suspended, alerted);
    await client.submitProject(project, { skipAutoDownload: true });
    const { last } = await lastStatus(client, project.name);
    const jobs = new Map(last.Jobs?.map((j) => [j.Name, j]));
    expect(jobs.get('stopped')?.State).toBe('Stopped');
    expect(jobs.get('stopped')?.FramesDone).toBeLessThan(40);
    expect(jobs.get('suspended')?.State).toBe('Suspended');
    expect(jobs.get('suspended')?.FramesDone).toBeLessThan(40);
    expect(jobs.get('alerted')?.State).toBe('Completed');
    expect(jobs.get('alerted')?.Alerts?.length).toBeGreaterThan(0);
  });
});

describe("each product's job example of the documentation", () => {
  type Example = {
    file: string;
    job: Omit<ConstructorParameters<typeof Job>[0], 'name' | 'path'>;
    project?: ConstructorParameters<typeof Project>[1];
  };
  const examples: Record<string, Example> = {
    blender: {
      file: 'sample.blend',
      job: {
        app: 'blender',
        appVersion: '2.80',
        operation: 'render',
        instances: 5,
        machineType: 'gm4800',
        plugins: [],
        gpu: false,
        params: { frames: '1 2', output_prefix: 'out', output_format: 'PNG', engine: 'CYCLES' },
      },
    },
    c4d: {
      file: 'sample.c4d',
      job: {
        app: 'c4d',
        appVersion: 'R20',
        operation: 'render',
        instances: 5,
        machineType: '1xp100-ob220',
        plugins: ['redshift'],
        gpu: true,
        params: {
          frames: '1 2',
          output_height: 600,
          output_width: 400,
          output_prefix: 'out',
          output_format: 'tiff',
          output_multipass_prefix: 'multi',
        },
      },
    },
    hou: {
      file: 'sample.hip',
      project: {
        projectSummaryLogFile: '/hou/summary.log',
        projectParamOutput: ['/out/mantra1'],
        projectParam: { '/out/mantra1': { vm_picture: '$HIP/render/$F4.exr' } },
        projectEnv: { HOUDINI_OTLSCAN_PATH: '$HIP/otls' },
      },
      job: {
        app: 'hou',
        appVersion: '17.5.229',
        operation: 'render',
        instances: 5,
        machineType: '1xp100-ob220',
        plugins: ['hou_redshift'],
        gpu: true,
        params: {
          frames: '1 2',
          take: '_current_',
          rop_nodetype: 'Redshift_ROP',
          rop_nodepath: '/out/Redshift_ROP1',
          disk_output_ext: '.exr',
          disk_output_mode: 'frames',
          disk_output_parm: 'RS_outputFileNamePrefix',
          disk_output_path: '$HIP/render/$F4.exr',
          disk_output_renderer: 'redshift',
          disk_output_path_parm: 'RS_outputFileNamePrefix',
        },
      },
    },
    maya: {
      file: 'sample.mb',
      job: {
        app: 'maya',
        appVersion: '2020',
        operation: 'render',
        instances: 5,
        machineType: 'gm4800',
        plugins: ['mtoa'],
        params: {
          frames: '1 2',
          output_height: 600,
          output_width: 400,
          output_prefix: 'out',
          output_format: 'exr',
          camera: 'persp',
          renderer: 'arnold',
        },
      },
    },
    nuke: {
      file: 'sample.nk',
      job: {
        app: 'nuke',
        appVersion: '12.2v4',
        instances: 5,
        machineType: '',
        plugins: [],
        gpu: false,
        params: { frames: '1 2' },
      },
    },
    vray: {
      file: 'sample.vrscene',
      job: {
        app: 'vray',
        appVersion: '5.00.05',
        operation: 'render',
        instances: 5,
        machineType: 'gm4800',
        plugins: [],
        params: {
          frames: '1 2',
          output_height: 600,
          output_width: 400,
          output_prefix: 'out',
          output_format: 'png',
          rt_engine: 0,
          sampling_type: 'bucket',
          remap_file: '/vray/remap.xml',
        },
      },
    },
  };

  test.each(Object.entries(examples))('%s job runs to Completed', async (app, example) => {
    const root = path.join(base, `doc_${app}`);
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, example.file), `a ${app} scene`);
    const client = demoClient();
    const project = new Project(root, { name: app, ...example.project });
    await project.addFiles(project.localRoot, project.remoteRoot, [example.file]);
    project.addJobs(
      new Job({ name: `${app} job`, path: `${project.remoteRoot}/${example.file}`, ...example.job }),
    );
    expect(await client.submitProject(project, { skipAutoDownload: true })).toBe(app);
    const { last } = await lastStatus(client, app);
    expect(last.State).toBe('Completed');
    expect(last.Jobs?.[0]).toMatchObject({ Name: `${app} job`, State: 'Completed', FramesDone: 2 });
  });
});

describe('errors', () => {
  test('the service lists invalid job data as InvalidRequestError field errors', async () => {
    const root = await sampleFolder('invalid_job');
    const project = new Project(root);
    await project.addFiles(root, project.remoteRoot, ['sample.c4d']);
    const job = c4dJob(project).with({ appVersion: 'R99' });
    project.addJobs(job);
    const error = await demoClient()
      .submitProject(project)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.status).toBe(400);
    expect(error.fieldErrors.some((e: { field: string }) => e.field.includes('app_version'))).toBe(true);
  });

  test('insufficient credits on submit → InsufficientCreditsError, nothing submitted', async () => {
    const broke = await emulator({
      users: [{ email: 'zero@studio.example', accessKey: 'zero-key', credits: 0 }],
    });
    const client = new EnvoyClient({ url: broke.url, email: 'zero@studio.example', accessKey: 'zero-key' });
    const root = await sampleFolder('no_credits');
    const project = new Project(root);
    await project.addFiles(root, project.remoteRoot, ['sample.c4d']);
    project.addJobs(c4dJob(project));
    await expect(client.submitProject(project)).rejects.toBeInstanceOf(InsufficientCreditsError);
    expect((await client.listProjects()).map((p) => p.name)).not.toContain('no_credits');
  });

  test('wrong credentials → AuthenticationError on submit', async () => {
    const root = await sampleFolder('wrong_credentials');
    const project = new Project(root);
    project.addJobs(c4dJob(project));
    const client = new EnvoyClient({ url: envoy.url, email: DEMO_USER.email, accessKey: 'wrong-key' });
    const error = await client.submitProject(project).catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(JSON.stringify(error)).not.toContain('wrong-key');
  });

  test('Envoy not running → APIError naming the URL', async () => {
    const gone = await emulator();
    const url = gone.url;
    await gone.close();
    const client = new EnvoyClient({
      url,
      email: DEMO_USER.email,
      accessKey: DEMO_USER.accessKey,
      retries: 0,
    });
    const error = await client.getUserInfo().catch((e) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(0);
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/Start Envoy/);
  });

  test('a project named otherwise than its folder, with spaces, can be submitted and then followed; ":" is refused', async () => {
    // Envoy makes folders of project names, on Windows too, where ":" cannot be in a file name.
    const colon = await c4dProject(base, 'colon_name', '1', 'shot 010: take 2').catch((e) => e);
    expect(colon).toBeInstanceOf(InvalidRequestError);
    expect(colon.fieldErrors[0].field).toBe('name');
    expect(colon.message).toContain('contains ":"');
    const project = await c4dProject(base, 'colon_name', '1', 'shot 010 - take 2');
    const client = demoClient();
    const name = await client.submitProject(project, { skipAutoDownload: true });
    expect(name).toBe('shot 010 - take 2');
    expect((await client.getProjectStatus(name)).Jobs).toHaveLength(1);
    let last: ProjectStatus | undefined;
    for await (const status of client.watchProjectStatus(name, { intervalMs: 20 })) last = status;
    expect(last?.State).toBe('Completed');
    expect((await client.getProjectFiles(name)).map((file) => file.Name)).toContain('scene.c4d');
  });

  test('an unknown project → APIError 404', async () => {
    const error = await demoClient()
      .getProjectStatus('no such project')
      .catch((e) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(404);
  });
});
