import { spawn } from 'node:child_process';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DEMO_USER, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, CLI_ROOT, gm, jsonLines, tempDir } from './helpers.js';

const BROKE = { email: 'broke@gridmarkets.local', accessKey: 'broke-key', credits: 0 };
/** An account of its own, whose credits no other test spends. */
const RERUN = { email: 'rerun@gridmarkets.local', accessKey: 'rerun-key', credits: 1000 };

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let configDir: string;
let work: string;
let env: Record<string, string>;
let creds: Record<string, string>;
const others: Awaited<ReturnType<typeof startEmulator>>[] = [];

const SAMPLE = join(CLI_ROOT, 'assets', 'sample_project');

function jobFile(name: string, extra = ''): string {
  return `# yaml-language-server: $schema=${join(CLI_ROOT, 'schema', 'job-file.schema.json')}
name: ${name}
folder: ${SAMPLE}
files: [scene.blend, textures]
watchFiles:
  - { pattern: "{results}/.+", folder: ./results-${name} }
jobs:
  - name: beauty
    product: blender
    appVersion: "4.2"
    file: scene.blend
    frames: "1 6"
    instances: 3
    machineType: gm4800
    outputPrefix: beauty
    outputFormat: PNG
    budget: { value: 100, action: alert }
  - name: preview
    product: blender
    appVersion: "4.2"
    file: scene.blend
    frames: "1 2"
    outputPrefix: preview
    outputFormat: PNG
    dependsOn: [beauty]
${extra}`;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(async () => {
  assertBuilt();
  emulator = await startEmulator({
    port: 0,
    dataDir: await tempDir('gm-e2e-envoy-'),
    timeScale: 0.01,
    users: [{ ...DEMO_USER }, BROKE, RERUN],
  });
  configDir = await tempDir('gm-e2e-config-');
  work = await tempDir('gm-e2e-work-');
  env = { GM_CONFIG_DIR: configDir, GM_ENVOY_URL: emulator.url };
  creds = { ...env, GM_EMAIL: DEMO_USER.email, GM_ACCESS_KEY: DEMO_USER.accessKey };
});

afterAll(async () => {
  await Promise.all([emulator, ...others].map((e) => e?.close()));
});

describe('gm (help, usage)', () => {
  it('prints help with the exit codes and exits 0', async () => {
    const r = await gm(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toContain('7  a watched project ended Stopped or Failed');
    for (const command of [
      'login',
      'logout',
      'whoami',
      'products',
      'machines',
      'upload',
      'submit',
      'validate',
      'status',
      'projects',
      'files',
      'emulator',
      'demo',
      'config',
      'init',
      'completion',
    ]) {
      expect(r.stdout).toContain(`  ${command}`);
    }
  });

  it('prints the version', async () => {
    const pkg = JSON.parse(await readFile(join(CLI_ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await gm(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('exits 2 on an unknown command or option', async () => {
    const unknown = await gm(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
    const badFlag = await gm(['products', '--bogus'], env);
    expect(badFlag.code).toBe(2);
  });
});

describe('gm login / whoami / logout', () => {
  it('refuses wrong credentials with exit 3 and stores nothing', async () => {
    const r = await gm(
      ['login', '--email', DEMO_USER.email, '--access-key', 'wrong', '--profile', 'bad'],
      env,
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('gm login');
    const who = await gm(['whoami', '--profile', 'bad'], env);
    expect(who.code).toBe(3);
  });

  it('exits 2 without an email on a non-terminal', async () => {
    const r = await gm(['login'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--email');
  });

  it('logs in from GM_EMAIL/GM_ACCESS_KEY, writes profiles.json with mode 0600, and whoami uses it', async () => {
    const login = await gm(['login'], creds);
    expect(login.code).toBe(0);
    expect(login.stderr).toContain(`Logged in as ${DEMO_USER.email}`);
    const file = join(configDir, 'profiles.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as {
      profiles: Record<string, { email: string }>;
    };
    expect(stored.profiles.default?.email).toBe(DEMO_USER.email);

    const who = await gm(['whoami', '--json'], env);
    expect(who.code).toBe(0);
    const info = JSON.parse(who.stdout) as { user: { email_address: string; credits_available: number } };
    expect(info.user.email_address).toBe(DEMO_USER.email);
    expect(typeof info.user.credits_available).toBe('number');
    const text = await gm(['whoami'], env);
    expect(text.stdout).toMatch(/Credits available\s+\d+\.\d\d/);
  });

  it('logs in with flags into a named profile and logs out of it', async () => {
    const login = await gm(
      [
        'login',
        '--email',
        DEMO_USER.email,
        '--access-key',
        DEMO_USER.accessKey,
        '--profile',
        'second',
        '--json',
      ],
      env,
    );
    expect(login.code).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ profile: 'second', email: DEMO_USER.email });
    const out = await gm(['logout', '--profile', 'second', '--json'], env);
    expect(JSON.parse(out.stdout)).toEqual({ profile: 'second', removed: true });
    const who = await gm(['whoami', '--profile', 'second'], env);
    expect(who.code).toBe(3);
  });

  it('with another account logged in to Envoy, wrong credentials exit 3 and never show that account', async () => {
    expect((await gm(['whoami'], creds)).code).toBe(0);
    const r = await gm(['whoami', '--email', BROKE.email, '--access-key', 'WRONG', '--json'], env);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).not.toContain(DEMO_USER.email);
    const broke = await gm(
      ['whoami', '--email', BROKE.email, '--access-key', BROKE.accessKey, '--json'],
      env,
    );
    expect(broke.code).toBe(0);
    expect(JSON.parse(broke.stdout).user).toMatchObject({ email_address: BROKE.email, credits_available: 0 });
  }, 120_000);

  it('exits 2 for a URL that is not an http(s) URL, naming --url and never showing a password in it', async () => {
    for (const url of [
      'notaurl',
      'ftp://127.0.0.1:8090',
      'http://me:pa55word@127.0.0.1:8090',
      'ftp://me:pa55word@127.0.0.1:8090',
      'me:pa55word@127.0.0.1:8090',
      `http://me:pa55word${'x'.repeat(80)}@127.0.0.1:8090`,
    ]) {
      const r = await gm(['whoami', '--url', url], creds);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('--url');
      expect(r.stderr).not.toContain('pa55word');
    }
    // Without credentials too: the URL is the problem reported, not the missing login.
    const noCreds = await gm(['whoami', '--url', 'http://me:pa55word@127.0.0.1:8090'], {
      GM_CONFIG_DIR: await tempDir('gm-e2e-empty-'),
    });
    expect(noCreds.code, noCreds.stderr).toBe(2);
    expect(noCreds.stderr).not.toContain('pa55word');
  }, 120_000);

  it('exits 5 when Envoy is not reachable', async () => {
    const port = await closedPort();
    const r = await gm(['whoami', '--url', `http://127.0.0.1:${port}`, '--json'], creds);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Is Envoy running');
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { exitCode: 5 } });
  });
});

describe('gm products / machines', () => {
  it('lists products with and without plugins, versions of a type and compatible combinations', async () => {
    const all = JSON.parse((await gm(['products', '--json'], creds)).stdout) as Record<
      string,
      { is_plugin: boolean }
    >;
    expect(all.blender?.is_plugin).toBe(false);
    expect(Object.values(all).some((t) => t.is_plugin)).toBe(true);
    const products = JSON.parse((await gm(['products', '--no-plugins', '--json'], creds)).stdout) as Record<
      string,
      { is_plugin: boolean }
    >;
    expect(Object.values(products).every((t) => !t.is_plugin)).toBe(true);
    const versions = await gm(['products', '--type', 'blender'], creds);
    expect(versions.stdout.split('\n')).toContain('4.2');
    const compatible = JSON.parse(
      (await gm(['products', '--compatible', 'hou:17.5.173', '--json'], creds)).stdout,
    );
    expect(Object.keys(compatible)).toContain('hou_redshift');
    const table = await gm(['products'], creds);
    expect(table.stdout).toMatch(/^CODE\s+NAME\s+KIND\s+VERSIONS/);
  });

  it('lists machine types by category with credit rates', async () => {
    const cpu = JSON.parse(
      (await gm(['machines', 'blender', 'render', '--cpu', '--json'], creds)).stdout,
    ) as { id: string; gpu: boolean; credit_rate: number }[];
    expect(cpu.length).toBeGreaterThan(0);
    expect(cpu.every((m) => !m.gpu)).toBe(true);
    const gpu = JSON.parse(
      (await gm(['machines', 'blender', 'render', '--gpu', '--json'], creds)).stdout,
    ) as { id: string; gpu: boolean }[];
    expect(gpu.every((m) => m.gpu)).toBe(true);
    const table = await gm(['machines', 'blender', 'render'], creds);
    expect(table.stdout).toContain('CREDITS/FRAME');
    const both = await gm(['machines', 'blender', '--cpu', '--gpu'], creds);
    expect(both.code).toBe(2);
    const all = JSON.parse(
      (await gm(['machines', 'blender', 'render', '--all', '--json'], creds)).stdout,
    ) as {
      id: string;
    }[];
    expect(all.map((m) => m.id).sort()).toEqual([...cpu, ...gpu].map((m) => m.id).sort());
  });

  it('narrows machine types to those supporting the given plugins', async () => {
    const machines = async (...args: string[]) =>
      JSON.parse((await gm(['machines', 'c4d', 'render', ...args, '--json'], creds)).stdout) as {
        gpu: boolean;
      }[];
    const any = await machines();
    expect(any.some((m) => !m.gpu)).toBe(true);
    const redshift = await machines('--plugin', 'redshift');
    expect(redshift.length).toBeGreaterThan(0);
    expect(redshift.every((m) => m.gpu)).toBe(true);
  });

  it('answers compatible combinations for several type:version queries at once', async () => {
    const compatible = async (...queries: string[]) => {
      const r = await gm(['products', '--compatible', ...queries, '--json'], creds);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Record<string, { versions: string[] }>;
    };
    const both = await compatible('hou:17.5.173', 'hou:17.5.229');
    expect(Object.keys(both)).toContain('hou_redshift');
    // A partial version matches the versions it starts; an unknown version or type is bad input, with the nearest.
    expect(Object.keys(await compatible('hou:17.5'))).toContain('hou_redshift');
    const unknown = await gm(['products', '--compatible', 'hou:99'], creds);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Envoy offers no hou version 99 (in --compatible hou:99)');
    expect(unknown.stderr).toMatch(/Nearest: hou:\S+\. `gm products --type hou` lists them/);
    const typo = await gm(['products', '--compatible', 'hoo:17.5.173'], creds);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean hou?');
    const [first, second] = [await compatible('hou:17.5.173'), await compatible('hou:17.5.229')];
    for (const [code, { versions }] of Object.entries(both)) {
      for (const v of versions) {
        expect(first[code]?.versions).toContain(v);
        expect(second[code]?.versions).toContain(v);
      }
    }
  });
});

describe('gm validate', () => {
  it('accepts a job file with dependencies and budgets and estimates frames and credits', async () => {
    const file = join(work, 'ok.yaml');
    await writeFile(file, jobFile('validate_ok'));
    const r = await gm(['validate', file, '--json'], creds);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      valid: true,
      project: 'validate_ok',
      totalFrames: 8,
      estimatedCredits: 8,
    });
    expect(report.jobs[1]).toMatchObject({ name: 'preview', dependsOn: ['beauty'] });
    // The sample scene was saved with Blender 3.4: said for each job, not refused.
    expect(report.preflight.warnings).toEqual([
      expect.stringContaining('scene.blend was saved with version 3.4, and the job renders it in 4.2'),
      expect.stringContaining('scene.blend was saved with version 3.4, and the job renders it in 4.2'),
    ]);
    const projects = JSON.parse((await gm(['projects', '--json'], creds)).stdout) as { name: string }[];
    expect(projects.map((p) => p.name)).not.toContain('validate_ok');
    const offline = await gm(['validate', file, '--offline'], {
      GM_CONFIG_DIR: configDir,
      GM_ENVOY_URL: 'http://127.0.0.1:1',
    });
    expect(offline.code).toBe(0);
    expect(offline.stdout).toContain('Total: 8 frames');
  });

  it('accepts the published example job file and prices it against the service', async () => {
    const r = await gm(['validate', join(CLI_ROOT, 'examples', 'job.yaml'), '--json'], creds);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, totalFrames: 28, estimatedCredits: 28 });
  });

  it('reports unknown dependencies, cycles, schema problems and missing files with exit 2', async () => {
    const file = join(work, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        folder: SAMPLE,
        jobs: [
          {
            name: 'a',
            product: 'blender',
            appVersion: '4.2',
            file: 'scene.blend',
            frames: '1',
            outputPrefix: 'a',
            outputFormat: 'PNG',
            dependsOn: ['b'],
          },
          {
            name: 'b',
            product: 'blender',
            appVersion: '4.2',
            file: 'missing.blend',
            frames: '1',
            outputPrefix: 'b',
            outputFormat: 'PNG',
            dependsOn: ['a', 'nope'],
          },
        ],
      }),
    );
    const r = await gm(['validate', file, '--offline'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cycle: a -> b -> a');
    expect(r.stderr).toContain('names no job in this file ("nope")');
    expect(r.stderr).toContain('missing.blend does not exist');

    await writeFile(
      file,
      JSON.stringify({
        jobs: [
          {
            name: 'x',
            product: 'blender',
            appVersion: '4.2',
            file: 'f',
            frames: '1',
            budget: { value: 5, action: 'explode' },
            output_prefix: 'x',
          },
        ],
      }),
    );
    const schema = await gm(['validate', file, '--offline', '--json'], env);
    expect(schema.code).toBe(2);
    const error = JSON.parse(schema.stdout).error;
    expect(error.details).toContain('jobs[0].budget.action: must be one of stop, suspend, alert');
    expect(error.details.join('\n')).toContain('did you mean "outputPrefix"');
  });

  it('reports builder problems and versions the service does not offer with exit 2', async () => {
    const file = join(work, 'version.yaml');
    await writeFile(file, jobFile('validate_bad').replaceAll('"4.2"', '"9.9"'));
    const r = await gm(['validate', file], creds);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('9.9 is not offered');
    await writeFile(file, jobFile('validate_bad').replace('frames: "1 6"', 'frames: "6 1 x"'));
    const frames = await gm(['validate', file, '--offline'], env);
    expect(frames.code).toBe(2);
    expect(frames.stderr).toContain('jobs[0].frames');
  });
});

describe('gm upload / projects / files', () => {
  it('uploads a folder, then lists it among projects and its files', async () => {
    const r = await gm(['upload', SAMPLE, '--name', 'uploaded_sample', '--json'], creds);
    expect(r.code).toBe(0);
    // The hint says how to write a job file for the upload: gm init on its scene, under the uploaded name.
    expect(r.stderr).toContain(`gm init ${join(SAMPLE, 'scene.blend')} --name uploaded_sample`);
    const jobPath = join(work, 'uploaded.yaml');
    const init = await gm(
      ['init', join(SAMPLE, 'scene.blend'), '--name', 'uploaded_sample', '--out', jobPath],
      creds,
    );
    expect(init.code, init.stderr).toBe(0);
    const submitted = await gm(['submit', jobPath, '--skip-upload', '--no-download', '--json'], creds);
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ project: 'uploaded_sample' });
    expect(JSON.parse(r.stdout)).toMatchObject({ project: 'uploaded_sample', files: 5, state: 'Uploaded' });
    const projects = JSON.parse((await gm(['projects', '--json'], creds)).stdout) as { name: string }[];
    expect(projects.map((p) => p.name)).toContain('uploaded_sample');
    const table = await gm(['projects'], creds);
    expect(table.stdout).toContain('uploaded_sample');
    const files = await gm(['files', 'uploaded_sample'], creds);
    expect(files.code).toBe(0);
    expect(files.stdout).toContain('scene.blend');
    expect(files.stdout).toContain('checker.png');
  });

  it('submits with --skip-upload a job file gm init wrote inside the uploaded folder', async () => {
    // The flow `gm upload` recommends, from the project folder: upload it, write the job file there, submit.
    const shot = join(work, 'shot_up');
    await cp(SAMPLE, shot, { recursive: true });
    const up = await gm(['upload', '.', '--name', 'shot_up'], creds, undefined, shot);
    expect(up.code, up.stderr).toBe(0);
    const init = await gm(
      ['init', 'scene.blend', '--name', 'shot_up', '--out', 'job2.yaml'],
      creds,
      undefined,
      shot,
    );
    expect(init.code, init.stderr).toBe(0);
    const dry = await gm(['submit', 'job2.yaml', '--skip-upload', '--dry-run'], creds, undefined, shot);
    const body = JSON.parse(dry.stdout) as { project_files: { files: string[] } };
    // The job file is local configuration, never a project file; everything uploaded is.
    expect(body.project_files.files).not.toContain('job2.yaml');
    expect(body.project_files.files).toContain('scene.blend');
    const submitted = await gm(
      ['submit', 'job2.yaml', '--skip-upload', '--no-download', '--json'],
      creds,
      undefined,
      shot,
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ project: 'shot_up' });
  });

  it('exits 2 for a folder that does not exist', async () => {
    const r = await gm(['upload', join(work, 'nope')], creds);
    expect(r.code).toBe(2);
  });
});

describe('gm submit / status', () => {
  it('--dry-run prints the exact request body and sends nothing', async () => {
    const file = join(work, 'dry.yaml');
    await writeFile(file, jobFile('dry_run_project'));
    const r = await gm(['submit', file, '--dry-run'], creds);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    const [beauty, preview] = body.project_request.jobs;
    expect(beauty).toMatchObject({
      name: 'beauty',
      app: 'blender',
      app_version: '4.2',
      path: '/dry_run_project/scene.blend',
    });
    expect(beauty.params).toMatchObject({
      frames: '1 6',
      machine_type: 'gm4800',
      credits_budget: { value: 100, action: 'alert' },
    });
    expect(preview.dependencies).toEqual([beauty.id]);
    expect(body.project_files.files).toEqual([
      'scene.blend',
      'textures/checker.png',
      'textures/metal.png',
      'textures/wood.png',
    ]);
    expect(Object.values(body.watch_files)).toEqual([join(work, 'results-dry_run_project')]);
    const projects = JSON.parse((await gm(['projects', '--json'], creds)).stdout) as { name: string }[];
    expect(projects.map((p) => p.name)).not.toContain('dry_run_project');
  });

  it('submits a job file with dependencies, watches it as JSON lines to Completed and downloads results', async () => {
    const file = join(work, 'run.yaml');
    await writeFile(file, jobFile('run_project'));
    const r = await gm(['submit', file, '--watch', '--json', '--interval', '50'], creds);
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events[0]).toMatchObject({ event: 'submitted', project: 'run_project' });
    const statuses = events.filter((e) => e.event === 'status');
    expect(statuses.at(-1)).toMatchObject({ state: 'Completed', framesDone: 8, framesTotal: 8 });
    // Every event carries an ISO 8601 time; the last one says how it ended and where the results are.
    for (const e of events) expect(new Date(String(e.time)).toISOString()).toBe(e.time);
    const done = events.at(-1)!;
    expect(done).toMatchObject({
      event: 'done',
      project: 'run_project',
      state: 'Completed',
      creditsSpent: statuses.at(-1)!.creditsConsumed,
      resultFolders: [join(work, 'results-run_project')],
    });
    expect(done.creditsSpent).toBeGreaterThan(0);
    const results = done.results as string[];
    expect(results.filter((f) => f.endsWith('.png'))).toHaveLength(8);
    for (const f of results) expect((await stat(f)).isFile()).toBe(true);
    expect((done.remoteResults as string[]).filter((k) => k.endsWith('.png'))).toHaveLength(8);
    const status = await gm(['status', 'run_project', '--json'], creds);
    expect(JSON.parse(status.stdout)).toMatchObject({ State: 'Completed' });
    const text = await gm(['status', 'run_project'], creds);
    expect(text.stdout).toMatch(/beauty\s+Completed\s+6\/6/);
    const downloaded = (await readdir(join(work, 'results-run_project'), { recursive: true })).map(String);
    const pngs = downloaded.filter((f) => f.endsWith('.png'));
    expect(pngs.filter((f) => f.includes('beauty_')).length).toBe(6);
    expect(pngs.filter((f) => f.includes('preview_')).length).toBe(2);
    const png = await readFile(join(work, 'results-run_project', pngs[0]!));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('--verbose prints each phase of the submit with its time, and the total', async () => {
    const file = join(work, 'verbose.yaml');
    await writeFile(file, jobFile('verbose_project'));
    const r = await gm(['submit', file, '--verbose', '--no-download'], creds);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n');
    const at = lines.indexOf('Phases:');
    expect(at, r.stderr).toBeGreaterThanOrEqual(0);
    const phases = lines.slice(at + 1).flatMap((line) => {
      const m = /^ {2}(\S+(?: \S+)?) +(\d+(?:\.\d)?) ms(?: {2}(.+))?$/.exec(line);
      return m ? [{ name: m[1], ms: Number(m[2]), note: m[3] }] : [];
    });
    expect(phases.map((p) => p.name)).toEqual([
      'start',
      'job file',
      'files',
      'preflight',
      'sign in',
      'submit',
      'total',
    ]);
    expect(phases.find((p) => p.name === 'files')?.note).toBe('4 files');
    // The total is the sum of the phases (each rounded as printed).
    const total = phases.at(-1)!.ms;
    const sum = phases.slice(0, -1).reduce((n, p) => n + p.ms, 0);
    expect(Math.abs(total - sum)).toBeLessThanOrEqual(phases.length);
    // Without --verbose, no phases.
    const quiet = await gm(['submit', file, '--no-download', '--again'], creds);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('Phases:');
  });

  it('submits a single job from flags, and status --watch follows it', async () => {
    const r = await gm(
      [
        'submit',
        '--file',
        join(SAMPLE, 'scene.blend'),
        '--version',
        '4.2',
        '--frames',
        '1 3',
        '--output-prefix',
        'f',
        '--output-format',
        'PNG',
        '--project',
        'flags_project',
        '--no-download',
        '--json',
      ],
      creds,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ project: 'flags_project', jobs: [{ name: 'scene' }] });
    const watch = await gm(['status', 'flags_project', '--watch', '--interval', '50'], creds);
    expect(watch.code).toBe(0);
    expect(watch.stdout).toContain('Completed');
  });

  it('exits 7 when a watched project ends Stopped (budget with stop)', async () => {
    const file = join(work, 'stop.yaml');
    await writeFile(
      file,
      jobFile('stopped_project').replace(
        'budget: { value: 100, action: alert }',
        'budget: { value: 1, action: stop }',
      ),
    );
    const r = await gm(['submit', file, '--watch', '--interval', '50'], creds);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('ended Stopped');
    // Which job the budget stopped, said when it happens and again at the end, with what to do.
    expect(r.stderr).toMatch(
      /warning: beauty: stopped by its credit budget after [\d.]+ credits, \d\/6 frames\./,
    );
    expect(r.stderr).toContain('  - beauty: stopped by its credit budget');
    expect(r.stderr).toContain("Raise the job's budget");
    // Each progress line once, and no time left once it has ended.
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('Frames'));
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.at(-1)).not.toContain('left');
  });

  it('gm status says what each alert says (a budget reached), and who rendered the frames', async () => {
    const file = join(work, 'alerted.yaml');
    await writeFile(
      file,
      jobFile('alerted_project').replace(
        'budget: { value: 100, action: alert }',
        'budget: { value: 1, action: alert }',
      ),
    );
    expect((await gm(['submit', file, '--watch', '--interval', '50'], creds)).code).toBe(0);
    const r = await gm(['status', 'alerted_project'], { ...creds, NO_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/RENDERER/);
    expect(r.stdout).toMatch(/ simulated\b/);
    expect(r.stdout).toContain('! beauty: 1 alert(s)');
    expect(r.stdout).toMatch(/\n {2}\d{4}-\d\d-\d\dT[^ ]+ {2}credits budget of 1 reached/);
  });

  it('exits 130 on Ctrl-C during --watch, and the project goes on', async () => {
    const file = join(work, 'interrupt.yaml');
    await writeFile(
      file,
      jobFile('interrupted_project')
        .replace('frames: "1 6"', 'frames: "1 1000"')
        .replace('instances: 3', 'instances: 1')
        .replace('budget: { value: 100, action: alert }', 'budget: { value: 300, action: stop }'),
    );
    const base: Record<string, string | undefined> = { ...process.env, ...creds, NO_COLOR: '1' };
    const child = spawn(process.execPath, [BIN, 'submit', file, '--watch', '--interval', '50'], {
      env: base as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      // Once: a second SIGINT after gm has let go of its handler would kill it by signal.
      if (!interrupted && /Frames/.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    // Said plainly (the user chose it), with the command that picks the project up again.
    expect(stderr).toContain('Stopped watching; the project goes on in Envoy.');
    expect(stderr).not.toContain('error:');
    expect(stderr).toContain('gm status interrupted_project --watch');
    const status = await gm(['status', 'interrupted_project', '--json'], creds);
    expect(JSON.parse(status.stdout).State).toMatch(/^(Running|Downloading|Stopped)$/);
  });

  it('a rerun of the same job file is refused with exit 2 naming the project, and nothing more is charged', async () => {
    const own = { ...env, GM_EMAIL: RERUN.email, GM_ACCESS_KEY: RERUN.accessKey };
    const file = join(work, 'rerun.yaml');
    await writeFile(file, jobFile('rerun_project'));
    const first = await gm(['submit', file, '--watch', '--interval', '50'], own);
    expect(first.code, first.stderr).toBe(0);
    const before = JSON.parse((await gm(['whoami', '--json'], own)).stdout).user.credits_consumed;
    const again = await gm(['submit', file], own);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('Project "rerun_project" already exists');
    expect(again.stderr).toContain('beauty (Completed)');
    expect(again.stderr).toContain('--again');
    const status = JSON.parse((await gm(['status', 'rerun_project', '--json'], own)).stdout);
    expect(status.Jobs).toHaveLength(2);
    const after = JSON.parse((await gm(['whoami', '--json'], own)).stdout).user.credits_consumed;
    expect(after).toBe(before);
    // On purpose, with --again: the rerun is followed and reported as itself, not with the first run's totals.
    const rerun = await gm(['submit', file, '--again', '--watch', '--json', '--interval', '50'], own);
    expect(rerun.code, rerun.stderr).toBe(0);
    const events = jsonLines(rerun.stdout);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ event: 'done', state: 'Completed', framesDone: 8, framesTotal: 8 });
    expect((done.jobs as { name: string }[]).map((j) => j.name)).toEqual(['beauty', 'preview']);
    const spent = JSON.parse((await gm(['whoami', '--json'], own)).stdout).user.credits_consumed - after;
    expect(done.creditsSpent).toBeCloseTo(spent, 6);
  }, 120_000);

  it('exits 2 when the builder rejects flags', async () => {
    const r = await gm(
      ['submit', '--file', join(SAMPLE, 'scene.blend'), '--version', '4.2', '--frames', 'abc'],
      creds,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frames');
  });

  it('exits 4 when the account has no credits', async () => {
    const file = join(work, 'broke.yaml');
    await writeFile(file, jobFile('broke_project'));
    const r = await gm(['submit', file], { ...env, GM_EMAIL: BROKE.email, GM_ACCESS_KEY: BROKE.accessKey });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('credits');
  });
});

describe('colour', () => {
  it('writes no ANSI codes to a pipe unless forced, and none with NO_COLOR', async () => {
    const args = ['upload', join(work, 'no-such-folder')];
    const plain = await gm(args, { ...creds, NO_COLOR: undefined });
    expect(plain.stderr).toContain('error:');
    expect(plain.stderr).not.toContain('\u001b[');
    const forced = await gm(args, {
      ...creds,
      NO_COLOR: undefined,
      FORCE_COLOR: '1',
    });
    expect(forced.stderr).toContain('\u001b[');
    const off = await gm(args, { ...creds, NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(off.stderr).not.toContain('\u001b[');
  });
});

describe('gm emulator / demo', () => {
  it('runs the emulator in the foreground until interrupted', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'emulator',
        '--port',
        '0',
        '--time-scale',
        '0.01',
        '--allow-origin',
        'http://localhost:5173',
        '--json',
      ],
      {
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (d) => {
        buffer += d;
        if (buffer.includes('\n')) resolve(buffer.split('\n')[0]!);
      });
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`emulator exited ${code}`)));
    });
    const { url, inspectorUrl, blender } = JSON.parse(line) as {
      url: string;
      inspectorUrl: string;
      blender: string | null;
    };
    // The inspector's page is served beside the API; without --blender every frame is simulated.
    expect(inspectorUrl).toBe(`${url}/`);
    expect(blender).toBeNull();
    expect((await fetch(inspectorUrl)).headers.get('content-type')).toContain('text/html');
    const who = await gm([
      'whoami',
      '--json',
      '--url',
      url,
      '--email',
      DEMO_USER.email,
      '--access-key',
      DEMO_USER.accessKey,
    ]);
    expect(who.code).toBe(0);
    // A page of the allowed origin may call it; any other origin is refused.
    const from = (origin: string) => fetch(`${url}/credits-info`, { headers: { origin } });
    const allowed = await from('http://localhost:5173');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect((await from('http://localhost:5174')).status).toBe(403);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses an --allow-origin that is no web origin, naming the form to give', async () => {
    const r = await gm(['emulator', '--port', '0', '--allow-origin', 'localhost:5173']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--allow-origin "localhost:5173" is not a web origin: give scheme://host[:port]',
    );
  });

  it('gm demo runs the whole flow and leaves real PNG results', async () => {
    const out = join(work, 'demo');
    const r = await gm(['demo', '--out', out, '--frames', '1 8', '--time-scale', '0.01', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.state).toBe('Completed');
    expect(summary.results.length).toBe(12);
    expect(summary.creditsSpent).toBeGreaterThan(0);
    expect(summary.creditsAfter).toBe(summary.creditsBefore - summary.creditsSpent);
    const png = await readFile(summary.results[0]);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('gm demo --url runs the same flow against another Envoy, with progress, results and credits spent', async () => {
    // Its own Envoy, so that no other test's project spends credits meanwhile.
    const other = await startEmulator({ port: 0, dataDir: await tempDir('gm-e2e-other-'), timeScale: 0.01 });
    others.push(other);
    const otherCreds = { ...creds, GM_ENVOY_URL: other.url };
    const credits = async () =>
      (
        JSON.parse((await gm(['whoami', '--json'], otherCreds)).stdout) as {
          user: { credits_available: number };
        }
      ).user.credits_available;
    const before = await credits();
    const out = join(work, 'demo-url');
    const r = await gm(['demo', '--out', out, '--frames', '1 3', '--interval', '50'], otherCreds);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Using the Envoy at ${other.url}`);
    expect(r.stdout).not.toContain('Started the Envoy emulator');
    expect(r.stdout).toMatch(new RegExp(`Logged in as .+ <${DEMO_USER.email}>: [\\d.]+ credits`));
    expect(r.stdout).toMatch(/Blender versions: .+; using the newest, 4\.2/);
    expect(r.stdout).toMatch(/Machine: gm\w+/);
    expect(r.stdout).toMatch(
      /Submitting job beauty \(frames 1 3, budget \d+ credits, stop\) and preview \(after beauty\)/,
    );
    expect(r.stderr).toMatch(/Uploading .*100% /);
    expect(r.stderr).toMatch(/Frames .*100% 7\/7 frames/);
    const results = /Results: (.+) \((\d+) PNG files\)/.exec(r.stdout);
    expect(results?.[2]).toBe('7');
    const pngs = (await readdir(results![1]!, { recursive: true }))
      .map(String)
      .filter((f) => f.endsWith('.png'));
    expect(pngs).toHaveLength(7);
    const after = await credits();
    const spent = /Credits: ([\d.]+) before, ([\d.]+) after: ([\d.]+) spent/.exec(r.stdout);
    expect(Number(spent?.[1])).toBe(before);
    expect(Number(spent?.[2])).toBe(after);
    expect(Number(spent?.[3])).toBeCloseTo(before - after, 2);
    expect(before - after).toBeGreaterThan(0);
    const project = /Done\. Project (\S+) Completed/.exec(r.stdout)?.[1];
    const projects = JSON.parse((await gm(['projects', '--json'], otherCreds)).stdout) as { name: string }[];
    expect(projects.map((p) => p.name)).toContain(project);
  });

  it('gm demo --url without credentials exits 3 and says how to log in', async () => {
    const r = await gm(['demo', '--url', emulator.url], { GM_CONFIG_DIR: await tempDir('gm-e2e-empty-') });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--access-key');
  });
});
