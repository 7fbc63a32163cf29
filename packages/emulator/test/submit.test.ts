import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_SIGNATURE } from '../src/png.js';
import { type Client, type Json, job, setup, submitBody, tempDir, writeFiles } from './helpers.js';
import { checkPng } from './png-check.js';

describe('submit', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let client: Client;
  let local: string;
  beforeAll(async () => {
    env = await setup();
    client = env.client;
    await client.login();
    local = await tempDir();
    await writeFiles(local, { 'scene.blend': 'blend', 'shot.hip': 'hip', 'comp.nk': 'nk' });
  });
  afterAll(async () => {
    await env.cleanup();
    await rm(local, { recursive: true, force: true });
  });

  const submit = (body: Json) =>
    client.call('POST', '/project-submit', { body, template: '/project-submit' });
  const credits = async (): Promise<number> =>
    (await client.call('GET', '/credits-info', { template: '/credits-info' })).body.credits_available;

  it('a project whose downloads fail ends Failed, and says which file failed and why', async () => {
    const blocked = join(local, 'not-a-folder');
    await writeFile(blocked, 'a file where the results folder should be');
    const j = job('dl_fail', { id: 'dl-fail-1' }, { frames: '1 2', output_prefix: 'beauty' });
    const body = submitBody('dl_fail', local, ['scene.blend'], [j], {
      watch_files: { '/dl_fail/render_results/my_results/.+': join(blocked, 'results') },
    });
    expect((await submit(body)).status).toBe(201);
    const done = await client.waitFor('dl_fail', (s) => s.State === 'Failed');
    expect(done.Message).toMatch(
      /^The project failed: 2 download\(s\) failed: \/dl_fail\/render_results\/my_results\/beauty_000[12]\.png to .*not-a-folder.*: .*(ENOTDIR|EEXIST).* \(and 1 more\)\.$/,
    );
  });

  it('reports every problem of a submit at once, before creating anything', async () => {
    const jobs = [
      job('bad', { id: 'j0', app: 'blender', app_version: '9.9' }),
      job(
        'bad',
        { id: 'j1', app: 'hou', app_version: '17.5.229', path: '/bad/shot.hip' },
        { plugins: ['htoa'] },
      ),
      job(
        'bad',
        { id: 'j2', app: 'hou', app_version: '17.5.173', path: 'bad/shot.hip' },
        { plugins: ['hou_redshift:2.6.40'], machine_type: 'gm9999' },
      ),
      job('bad', { id: 'j3', path: '/bad/missing.blend', dependencies: ['nope', 'j4'] }, { frames: '10 5' }),
      job(
        'bad',
        { id: 'j4', dependencies: ['j3'] },
        { frames: '1 x', credits_budget: { value: 5, action: 'stop' } },
      ),
      job(
        'bad',
        { id: 'j5', app: 'c4d', app_version: 'R19', operation: 'sim' },
        { billing_meta: ['c4d', 'octane'] },
      ),
      job('bad', { id: 'j6', app: 'nope' }, { frames: '1 5 0' }),
    ];
    const a = await submit(
      submitBody('bad', local, ['scene.blend', 'shot.hip'], jobs, {
        watch_files: { '([bad': '/tmp/x', '.+': 'relative' },
      }),
    );
    expect(a.status).toBe(400);
    const fields = a.body.errors.map((e: Json) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'project_request.jobs[0].app_version',
        'project_request.jobs[1].params.plugins[0]',
        'project_request.jobs[2].params.plugins[0]',
        'project_request.jobs[2].params.machine_type',
        'project_request.jobs[3].path',
        'project_request.jobs[3].params.frames',
        'project_request.jobs[3].dependencies[0]',
        'project_request.jobs[3].dependencies',
        'project_request.jobs[4].dependencies',
        'project_request.jobs[4].params.frames',
        'project_request.jobs[5].operation',
        'project_request.jobs[5].params.billing_meta[1]',
        'project_request.jobs[6].app',
        'project_request.jobs[6].params.frames',
        'watch_files["([bad"]',
        'watch_files[".+"]',
      ]),
    );
    const j0 = a.body.errors.find((e: Json) => e.field === 'project_request.jobs[0].app_version');
    expect(j0.message).toContain('2.80');
    expect(fields).not.toContain('project_request.jobs[2].path');
    expect((await client.status('bad')).status).toBe(404);
    expect((await client.call('GET', '/projects')).body.projects.map((p: Json) => p.name)).not.toContain(
      'bad',
    );
  });

  it('refuses watch patterns whose matches would climb out of their download folder with ..', async () => {
    const out = join(local, 'out');
    const patterns = [
      '/climb/render_results/../../.+',
      '/climb/render_results/\\.\\./.+',
      '\\\\climb\\\\render_results\\\\..\\\\.+',
    ];
    const a = await submit(
      submitBody('climb', local, ['scene.blend'], [job('climb')], {
        watch_files: Object.fromEntries(
          [...patterns, '/climb/render_results/my_results/.+'].map((p) => [p, out]),
        ),
      }),
    );
    expect(a.status).toBe(400);
    expect(a.body.errors.map((e: Json) => e.field)).toEqual(
      patterns.map((p) => `watch_files[${JSON.stringify(p)}]`),
    );
    expect(a.body.errors[0].message).toContain('..');
  });

  it('never downloads through a link that leads out of the download folder', async () => {
    const out = join(local, 'linked-out');
    const elsewhere = await tempDir();
    await mkdir(out);
    await symlink(elsewhere, join(out, 'my_results'));
    try {
      const a = await submit(
        submitBody('linked', local, ['scene.blend'], [job('linked', {}, { frames: '1 2' })], {
          watch_files: { '/linked/render_results/.+': out },
        }),
      );
      expect(a.status).toBe(201);
      const s = await client.waitFor(
        'linked',
        (b) => !['Uploading', 'Submitted', 'Running', 'Downloading'].includes(b.State),
      );
      expect(s.State).toBe('Failed');
      expect(s.Message).toMatch(/download/);
      expect(s.Jobs[0]).toMatchObject({ State: 'Completed', FramesDone: 2 });
      expect(await readdir(elsewhere)).toEqual([]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('never writes through a link planted at the name of a download temp file', async () => {
    const out = join(local, 'tmp-linked');
    const elsewhere = await tempDir();
    const victim = join(elsewhere, 'victim.txt');
    await writeFile(victim, 'precious');
    await mkdir(join(out, 'my_results'), { recursive: true });
    await symlink(victim, join(out, 'my_results', 'frame_0001.png.gm-download.tmp'));
    try {
      const a = await submit(
        submitBody('tmplink', local, ['scene.blend'], [job('tmplink', {}, { frames: '1 2' })], {
          watch_files: { '/tmplink/render_results/.+': out },
        }),
      );
      expect(a.status).toBe(201);
      const s = await client.waitFor('tmplink', (b) => b.State === 'Completed' || b.State === 'Failed');
      expect(await readFile(victim, 'utf8')).toBe('precious');
      expect(s.State).toBe('Completed');
      expect(checkPng(await readFile(join(out, 'my_results', 'frame_0001.png'))).width).toBe(64);
      expect((await lstat(join(out, 'my_results', 'frame_0001.png'))).isFile()).toBe(true);
      expect((await readdir(join(out, 'my_results'))).sort()).toEqual(['frame_0001.png', 'frame_0002.png']);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('renders and downloads outputs whose names are as long as the checks allow', async () => {
    const out = join(local, 'long-names');
    const prefix = 'p'.repeat(200);
    const ext = 'x'.repeat(32);
    const a = await submit(
      submitBody(
        'longnames',
        local,
        ['scene.blend'],
        [job('longnames', {}, { frames: '1 2', output_prefix: prefix, output_format: ext })],
        { watch_files: { '/longnames/render_results/.+': out } },
      ),
    );
    expect(a.status).toBe(201);
    const s = await client.waitFor('longnames', (b) => b.State === 'Completed' || b.State === 'Failed');
    expect(s.Message).toBe('All jobs completed and their results are downloaded.');
    expect(s.Jobs[0]).toMatchObject({ State: 'Completed', FramesDone: 2 });
    expect((await readdir(join(out, 'my_results'))).sort()).toEqual([
      `${prefix}_0001.${ext}`,
      `${prefix}_0002.${ext}`,
    ]);
  });

  it('refuses instances below 1 with the field path', async () => {
    const a = await submit(submitBody('inst', local, ['scene.blend'], [job('inst', {}, { instances: 0 })]));
    expect(a.status).toBe(400);
    expect(a.body.errors.map((e: Json) => e.field)).toContain('project_request.jobs[0].params.instances');
  });

  it('lists schema problems together with catalogue, file and dependency problems', async () => {
    const nameless = job('mixed', { id: 'm1', dependencies: ['ghost'] });
    delete nameless.name;
    const a = await submit(
      submitBody(
        'mixed',
        local,
        ['../outside.blend', 'scene.blend'],
        [job('mixed', { id: 'm0', app: 'nope' }, { instances: 0, frames: '3 1' }), nameless],
      ),
    );
    expect(a.status).toBe(400);
    expect(a.body.errors.map((e: Json) => e.field)).toEqual(
      expect.arrayContaining([
        'project_request.jobs[0].params.instances',
        'project_request.jobs[0].app',
        'project_request.jobs[0].params.frames',
        'project_request.jobs[1].name',
        'project_request.jobs[1].dependencies[0]',
        'project_files.files[0]',
      ]),
    );
    expect((await client.status('mixed')).status).toBe(404);
  });

  it('refuses submit files outside localRoot and skip_upload of files not in the store', async () => {
    const a = await submit(submitBody('outside', local, ['../etc/passwd', 'scene.blend'], [job('outside')]));
    expect(a.status).toBe(400);
    expect(a.body.errors.map((e: Json) => e.field)).toEqual(['project_files.files[0]']);
    const b = await submit(submitBody('skip', local, ['scene.blend'], [job('skip')], { skip_upload: true }));
    expect(b.status).toBe(400);
    expect(b.body.errors).toEqual([
      { field: 'project_files.files[0]', message: expect.stringContaining('scene.blend') },
    ]);
  });

  it('renders frames as PNGs and placeholders, charges credits and is idempotent on retry', async () => {
    const start = await credits();
    const j = job('p1', { id: 'render-1' }, { frames: '1 3,10', instances: 2, output_prefix: 'beauty' });
    const k = job(
      'p1',
      { id: 'render-2', app: 'nuke', app_version: '12.2v4', path: '/p1/comp.nk', operation: 'composite' },
      {
        frames: '5',
        output_format: 'exr',
        output_dir_name: 'comp',
        machine_type: 'gm6400',
      },
    );
    const body = submitBody('p1', local, ['scene.blend', 'comp.nk'], [j, k]);
    const a = await submit(body);
    expect(a).toMatchObject({ status: 201, body: { ID: 'p1', Jobs: ['render-1', 'render-2'] } });
    const again = await submit(body);
    expect(again).toMatchObject({ status: 201, body: { ID: 'p1', Jobs: ['render-1', 'render-2'] } });
    const done = await client.waitFor('p1', (s) => s.State === 'Completed');
    expect(done.Jobs).toHaveLength(2);
    expect(done.Jobs[0]).toMatchObject({
      Id: 'render-1',
      State: 'Completed',
      FramesTotal: 4,
      FramesDone: 4,
      CreditsConsumed: 4,
    });
    expect(done.Jobs[1]).toMatchObject({
      Id: 'render-2',
      State: 'Completed',
      FramesTotal: 1,
      FramesDone: 1,
      CreditsConsumed: 1.5,
    });
    expect(done.CreditsConsumed).toBe(5.5);
    expect(await credits()).toBe(start - 5.5);
    const results = join(env.dataDir, 'store', 'p1', 'render_results');
    expect((await readdir(join(results, 'my_results'))).sort()).toEqual([
      'beauty_0001.png',
      'beauty_0002.png',
      'beauty_0003.png',
      'beauty_0010.png',
    ]);
    const png = await readFile(join(results, 'my_results', 'beauty_0002.png'));
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(await readdir(join(results, 'comp'))).toEqual(['frame_0005.exr']);
    const files = await client.call('GET', '/project/p1/Files', { template: '/project/{name}/Files' });
    expect(files.body.project_files.all_files.map((f: Json) => f.Key)).toContain(
      '/p1/render_results/comp/frame_0005.exr',
    );
  });

  it('accepts job files already in the store and paths without the leading slash', async () => {
    const a = await submit(
      submitBody(
        'p1',
        local,
        ['scene.blend'],
        [job('p1', { id: 'again-1', path: 'p1/scene.blend' }, { frames: '1' })],
        {
          skip_upload: true,
        },
      ),
    );
    expect(a.status).toBe(201);
    const s = await client.waitFor(
      'p1',
      (b) => b.Jobs.find((x: Json) => x.Id === 'again-1')?.State === 'Completed',
    );
    expect(s.State).toBe('Completed');
  });

  it('stops a job at its credit budget and cancels its dependants', async () => {
    const a = await submit(
      submitBody(
        'budget',
        local,
        ['scene.blend'],
        [
          job(
            'budget',
            { id: 'b1' },
            { frames: '1 50', instances: 1, credits_budget: { value: 3, action: 'stop' } },
          ),
          job('budget', { id: 'b2', dependencies: ['b1'] }, { frames: '1 2' }),
        ],
      ),
    );
    expect(a.status).toBe(201);
    const s = await client.waitFor('budget', (b) => b.State === 'Stopped');
    expect(s.Jobs[0]).toMatchObject({
      State: 'Stopped',
      FramesDone: 3,
      FramesCancelled: 47,
      CreditsConsumed: 3,
    });
    expect(s.Jobs[1]).toMatchObject({ State: 'Cancelled', FramesDone: 0, FramesCancelled: 2 });
    expect(s.Message).toMatch(/did not complete/);
  });

  it('stop cancels the frames running beside the one that reached the budget; suspend lets them finish', async () => {
    const budgetJob = (project: string, id: string, action: 'stop' | 'suspend') =>
      submitBody(
        project,
        local,
        ['scene.blend'],
        [job(project, { id }, { frames: '1 12', instances: 4, credits_budget: { value: 1, action } })],
      );
    expect((await submit(budgetJob('precise_stop', 'ps1', 'stop'))).status).toBe(201);
    expect((await submit(budgetJob('precise_suspend', 'pu1', 'suspend'))).status).toBe(201);
    const stopped = (await client.waitFor('precise_stop', (b) => b.State === 'Stopped')).Jobs[0];
    const suspended = (await client.waitFor('precise_suspend', (b) => b.State === 'Stopped')).Jobs[0];
    // Four frames start together and end together; the first to finish reaches the budget of 1.
    expect(stopped).toMatchObject({
      State: 'Stopped',
      FramesDone: 1,
      FramesCancelled: 11,
      CreditsConsumed: 1,
    });
    expect(suspended).toMatchObject({
      State: 'Suspended',
      FramesDone: 4,
      FramesCancelled: 8,
      CreditsConsumed: 4,
    });
    const files = (await client.call('GET', '/project/precise_stop/Files')).body.project_files.all_files;
    expect(files.filter((f: Json) => f.Key.includes('/render_results/'))).toHaveLength(1);
  });

  it("a job stopped while frames run leaves another job's outputs at the same paths as they were", async () => {
    const frames = { frames: '1 4', instances: 4, output_dir_name: 'same', output_prefix: 'beauty' };
    const a = await submit(
      submitBody(
        'shared',
        local,
        ['scene.blend'],
        [
          job('shared', { id: 'first' }, frames),
          // The same outputs again; the first of its four frames to finish reaches the budget and stops it.
          job(
            'shared',
            { id: 'again', dependencies: ['first'] },
            { ...frames, credits_budget: { value: 1, action: 'stop' } },
          ),
        ],
      ),
    );
    expect(a.status).toBe(201);
    const s = await client.waitFor('shared', (b) => b.Jobs[1]?.State === 'Stopped');
    expect(s.Jobs[0]).toMatchObject({ State: 'Completed', FramesDone: 4 });
    expect(s.Jobs[1]).toMatchObject({ FramesDone: 1, FramesCancelled: 3 });
    const folder = join(env.dataDir, 'store', 'shared', 'render_results', 'same');
    expect((await readdir(folder)).sort()).toEqual([1, 2, 3, 4].map((f) => `beauty_000${f}.png`));
    const files = (await client.call('GET', '/project/shared/Files')).body.project_files.all_files;
    expect(files.filter((f: Json) => f.Key.includes('/render_results/'))).toHaveLength(4);
  });

  it('lists, for an output two jobs wrote, the checksum of the file the store holds', async () => {
    const params = { frames: '1 2', output_dir_name: 'both', output_prefix: 'comp', output_format: 'exr' };
    // The job listed first renders last: its files are the ones left in the store.
    const jobs = [
      job('twice', { id: 'late', dependencies: ['early'], name: 'late job' }, params),
      job('twice', { id: 'early', name: 'early job' }, params),
    ];
    expect((await submit(submitBody('twice', local, ['scene.blend'], jobs))).status).toBe(201);
    await client.waitFor('twice', (b) => b.State === 'Completed');
    const files = (await client.call('GET', '/project/twice/Files')).body.project_files.all_files;
    const results = files.filter((f: Json) => f.Key.includes('/render_results/'));
    expect(results).toHaveLength(2);
    for (const f of results) {
      const data = await readFile(join(env.dataDir, 'store', ...f.Key.split('/').filter(Boolean)));
      expect(f.CheckSum, f.Key).toBe(createHash('sha256').update(data).digest('hex'));
      expect(f.Size, f.Key).toBe(data.length);
    }
  });

  it('suspends a job at its budget: running frames finish, the rest are cancelled', async () => {
    const a = await submit(
      submitBody(
        'suspend',
        local,
        ['scene.blend'],
        [
          job(
            'suspend',
            { id: 's1' },
            { frames: '1 40', instances: 4, credits_budget: { value: 2, action: 'suspend' } },
          ),
        ],
      ),
    );
    expect(a.status).toBe(201);
    const s = await client.waitFor('suspend', (b) => b.State === 'Stopped');
    const j = s.Jobs[0];
    expect(j.State).toBe('Suspended');
    expect(j.FramesRunning).toBe(0);
    // Frames running when the budget was hit completed (and were charged); nothing else ran.
    expect(j.FramesDone).toBeGreaterThanOrEqual(2);
    expect(j.FramesDone).toBeLessThanOrEqual(5);
    expect(j.FramesDone + j.FramesCancelled).toBe(40);
    expect(j.CreditsConsumed).toBe(j.FramesDone);
  });

  it('records an alert at the budget and goes on', async () => {
    const a = await submit(
      submitBody(
        'alert',
        local,
        ['scene.blend'],
        [job('alert', { id: 'a1' }, { frames: '1 4', credits_budget: { value: 2, action: 'alert' } })],
      ),
    );
    expect(a.status).toBe(201);
    const s = await client.waitFor('alert', (b) => b.State === 'Completed');
    expect(s.Jobs[0]).toMatchObject({ State: 'Completed', FramesDone: 4 });
    expect(s.Jobs[0].Alerts).toEqual([
      { At: expect.any(String), Message: expect.stringContaining('budget') },
    ]);
  });

  it('runs frames instances at a time', async () => {
    // Frames of a fifth of a second: slow enough for polls to see several running at once.
    const slow = await setup({ timeScale: 0.2 });
    try {
      await slow.client.login();
      const a = await slow.client.call('POST', '/project-submit', {
        body: submitBody(
          'inst3',
          local,
          ['scene.blend'],
          [job('inst3', {}, { frames: '1 9', instances: 3 })],
        ),
        template: '/project-submit',
      });
      expect(a.status).toBe(201);
      let most = 0;
      const done = await slow.client.waitFor('inst3', (s) => {
        most = Math.max(most, s.Jobs[0].FramesRunning);
        return s.State === 'Completed';
      });
      expect(most).toBe(3);
      expect(done.Jobs[0]).toMatchObject({ FramesDone: 9, FramesRunning: 0 });
    } finally {
      await slow.cleanup();
    }
  });

  it('answers 402 when credits are too few', async () => {
    const poor = await setup({ users: [{ email: 'poor@x.example', accessKey: 'k', credits: 0.5 }] });
    try {
      await poor.client.login('poor@x.example', 'k');
      const a = await poor.client.call('POST', '/project-submit', {
        body: submitBody('poor', local, ['scene.blend'], [job('poor')]),
        template: '/project-submit',
      });
      expect(a.status).toBe(402);
      expect(a.body).toEqual({ message: expect.any(String), credits_available: 0.5, credits_required: 1 });
      expect((await poor.client.status('poor')).status).toBe(404);
    } finally {
      await poor.cleanup();
    }
  });
});
