import { describe, expect, test } from 'vitest';
import { CreditsBudgetAction, InvalidRequestError, Job, Project, WatchFile } from '../src/index.js';
import { projectProblems } from '../src/validate.js';
import { outputUploadPatterns, productOptionWireName, toSubmitBody, toUploadBody } from '../src/wire.js';

const createdAt = new Date(2026, 10, 29, 10, 15, 0, 0);

function c4dJob(overrides: Partial<ConstructorParameters<typeof Job>[0]> = {}) {
  return new Job({
    name: 'test job',
    app: 'c4d',
    appVersion: 'R19',
    operation: 'render',
    path: '/sample_project/sample.c4d',
    instances: 5,
    machineType: 'gm4800',
    plugins: null,
    params: { frames: '0 0 1', output_height: 600, output_width: 400, output_format: 'tiff' },
    ...overrides,
  });
}

describe('Job', () => {
  test('ids are uuid v4 and distinct', () => {
    const a = c4dJob();
    const b = c4dJob();
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.operation).toBe('render');
    expect(a.plugins).toEqual([]);
  });

  test('obviously bad options throw at once, naming every field', () => {
    let caught: unknown;
    try {
      new Job({ name: '', app: 'c4d', appVersion: '', path: '', instances: 1.5 } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidRequestError);
    const fields = (caught as InvalidRequestError).fieldErrors.map((e) => e.field);
    expect(fields).toEqual(['name', 'appVersion', 'path', 'instances']);
    expect((caught as Error).message).toContain('instances: must be a positive integer (got 1.5)');
    expect(() => c4dJob({ instances: 0 })).toThrow(/instances/);
  });

  test('credits budget', () => {
    const plain = c4dJob();
    const job = plain.withCreditsBudget(50, CreditsBudgetAction.SUSPEND);
    expect(job.creditsBudget).toEqual({ value: 50, action: 'suspend' });
    expect(plain.creditsBudget).toBeUndefined();
    expect(job.id).not.toBe(plain.id);
    expect(() => job.withCreditsBudget(0, CreditsBudgetAction.STOP)).toThrow(InvalidRequestError);
    expect(() => job.withCreditsBudget(5, 'explode' as never)).toThrow(/stop, suspend, alert/);
    expect(() => c4dJob({ creditsBudget: { value: Number.NaN, action: 'stop' } })).toThrow(
      /creditsBudget.value/,
    );
  });
});

describe('submit body', () => {
  test('matches the wire shape of envoy-wire.md field by field', () => {
    const project = new Project('/work/sample_project', { createdAt });
    const job = c4dJob({ plugins: ['arnold:3.1', 'redshift'] });
    project.addJobs(job);
    const body = toSubmitBody(project);
    expect(Object.keys(body).sort()).toEqual(['project_files', 'project_request', 'watch_files']);
    expect(body.project_request.name).toBe('sample_project 2026-Nov-29 10:15:00 AM');
    expect(body.project_request.params).toEqual({});
    expect(body.project_request.jobs).toHaveLength(1);
    const wireJob = body.project_request.jobs[0]!;
    expect(Object.keys(wireJob).sort()).toEqual([
      'app',
      'app_version',
      'dependencies',
      'id',
      'name',
      'operation',
      'params',
      'path',
    ]);
    expect(wireJob.id).toBe(job.id);
    expect(wireJob.name).toBe('test job');
    expect(wireJob.app).toBe('c4d');
    expect(wireJob.app_version).toBe('R19');
    expect(wireJob.operation).toBe('render');
    expect(wireJob.path).toBe('/sample_project/sample.c4d');
    expect(wireJob.dependencies).toEqual([]);
    const folder = project.outputFolderName;
    expect(folder).toMatch(/^2026-11-29_10-15-00_000000_[0-9a-f]{8}$/);
    expect(wireJob.params).toEqual({
      frames: '0', // '0 0 1' in canonical form
      output_height: 600,
      output_width: 400,
      output_format: 'tiff',
      output_dir_name: folder,
      output_upload: [
        `/sample_project/render_results/${folder}/.+`,
        `\\\\sample_project\\\\render_results\\\\${folder}\\\\.+`,
      ],
      billing_meta: ['c4d', 'arnold', 'redshift'],
      instances: 5,
      machine_type: 'gm4800',
      plugins: ['arnold:3.1', 'redshift'],
    });
    expect(body.project_files).toEqual({
      localRoot: '/work/sample_project',
      remoteRoot: '/sample_project',
      files: [],
    });
    expect(body.watch_files).toEqual({
      [`/sample_project/render_results/${folder}/.+`]: '/work/sample_project/gm_results',
    });
    expect('skip_upload' in body).toBe(false);
  });

  test('output_upload doubles every slash as two backslashes, as the Python client', () => {
    const [forward, back] = outputUploadPatterns('/p/render_results/r');
    expect(forward).toBe('/p/render_results/r/.+');
    expect(back).toBe(String.raw`\\p\\render_results\\r\\.+`);
  });

  test('Windows root, names, project params, budgets, dependencies, watch files, skip flags', () => {
    const project = new Project('c:\\sample_project', {
      name: 'sample_project',
      submissionName: 'submission 1',
      outputFolderName: 'my_results',
      projectSummaryLogFile: '/sample_project/log.txt',
      projectParamOutput: ['a'],
      projectParam: { k: 'v' },
      projectEnv: { HOUDINI_PATH: '&' },
    });
    const a = c4dJob({ gpu: true });
    const b = c4dJob({
      name: 'second',
      params: { frames: '1 2', output_upload: ['custom'], billing_meta: ['x'] },
    });
    project.addJobs(a, b.withDependencies(a).withCreditsBudget(50, CreditsBudgetAction.STOP));
    project.addWatchFiles(
      new WatchFile(`${project.remoteOutputFolder}/.+`, 'c:\\sample_project\\my_results'),
    );
    const body = toSubmitBody(project, { skipUpload: true });
    expect(body.project_request.name).toBe('submission 1');
    expect(body.project_request.params).toEqual({
      project_summary_log_file: '/sample_project/log.txt',
      project_param_output: ['a'],
      project_param: { k: 'v' },
      project_env: { HOUDINI_PATH: '&' },
    });
    const [wa, wb] = body.project_request.jobs;
    expect(wa!.params.gpu).toBe(true);
    expect(wa!.params.output_dir_name).toBe('my_results');
    expect(wb!.dependencies).toEqual([a.id]);
    expect(wb!.params.credits_budget).toEqual({ value: 50, action: 'stop' });
    expect(wb!.params.output_upload).toEqual(['custom']);
    expect(wb!.params.billing_meta).toEqual(['x']);
    expect(body.project_files.localRoot).toBe('c:\\sample_project');
    expect(body.watch_files).toEqual({
      '/sample_project/render_results/my_results/.+': 'c:\\sample_project\\my_results',
    });
    expect(body.skip_upload).toBe(true);
    expect(toSubmitBody(project, { skipAutoDownload: true }).watch_files).toEqual({});
    expect(toUploadBody(project)).toEqual({
      upload: [{ localRoot: 'c:\\sample_project', remoteRoot: '/sample_project', files: [] }],
    });
  });

  test("serialising never changes the caller's objects; frozen input works", () => {
    const params = Object.freeze({ frames: '0 0 1', nested: Object.freeze({ a: [1, 2] }) });
    const before = structuredClone(params);
    const projectEnv = Object.freeze({ A: '1' });
    const project = new Project('/work/sample_project', { projectEnv });
    const job = new Job({ name: 'j', app: 'c4d', appVersion: 'R19', path: '/sample_project/s.c4d', params });
    project.addJobs(job);
    const body = toSubmitBody(project);
    (body.project_request.jobs[0]!.params as Record<string, unknown>).frames = 'changed';
    (body.project_request.params as Record<string, Record<string, unknown>>).project_env!.A = 'changed';
    expect(params).toEqual(before);
    expect(job.params).toEqual({ ...before, frames: '0' });
    expect(projectEnv).toEqual({ A: '1' });
    expect('output_dir_name' in job.params).toBe(false);
    expect(toSubmitBody(project).project_request.jobs[0]!.params.frames).toBe('0');
  });
});

describe('validation before sending', () => {
  test('jobs are checked as they are added: dependencies outside the project, paths outside it', () => {
    const project = new Project('/work/sample_project');
    const outsider = c4dJob({ name: 'outsider' });
    const a = c4dJob({ name: 'a' });
    const b = c4dJob({ name: 'b', dependencies: [a, outsider] });
    let caught: unknown;
    try {
      project.addJobs(a, b, c4dJob({ name: 'elsewhere', path: '/other/sample.c4d' }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidRequestError);
    expect((caught as InvalidRequestError).fieldErrors.map((e) => e.field)).toEqual([
      'jobs[1].dependencies',
      'jobs[2].path',
    ]);
    expect((caught as InvalidRequestError).message).toContain('"outsider"');
    expect(project.jobs).toEqual([]);
    // Added together or before, a dependency is fine.
    project.addJobs(b, a, outsider);
    expect(projectProblems(project, { submit: true })).toEqual([]);
    expect(projectProblems(project, { upload: true }).map((p) => p.field)).toEqual(['files']);
  });

  test('jobs, watch rules and projects are frozen values', () => {
    const project = new Project('/work/sample_project');
    const job = c4dJob();
    project.addJobs(job);
    expect(Object.isFrozen(job)).toBe(true);
    expect(Object.isFrozen(job.params)).toBe(true);
    expect(Object.isFrozen(project)).toBe(true);
    expect(Object.isFrozen(project.jobs)).toBe(true);
    expect(() => {
      (job as { instances: number }).instances = 0;
    }).toThrow(TypeError);
    expect(() => {
      (project.jobs as Job[]).push(job);
    }).toThrow(TypeError);
    const changed = job.with({ instances: 3 });
    expect([job.instances, changed.instances]).toEqual([5, 3]);
    expect(() => job.with({ instances: 0 })).toThrow(/instances/);
  });

  test("a project's own params are frozen copies: the caller's later changes do not reach it", () => {
    const env = { HOUDINI_PATH: ['/opt/hda'] };
    const params = { notes: { shot: '010' } };
    const output = [{ path: 'renders' }];
    const project = new Project('/work/sample_project', {
      projectEnv: env,
      params,
      projectParamOutput: output,
      projectParam: { take: { id: 2 } },
    });
    env.HOUDINI_PATH.push('/tmp/evil');
    params.notes.shot = '999';
    (output[0] as { path: string }).path = 'elsewhere';
    expect(project.projectEnv).toEqual({ HOUDINI_PATH: ['/opt/hda'] });
    expect(project.params).toEqual({ notes: { shot: '010' } });
    expect(project.projectParamOutput).toEqual([{ path: 'renders' }]);
    for (const tree of [
      project.projectEnv,
      project.params,
      project.projectParamOutput,
      project.projectParam,
    ]) {
      const stack: unknown[] = [tree];
      while (stack.length > 0) {
        const value = stack.pop();
        if (typeof value !== 'object' || value === null) continue;
        expect(Object.isFrozen(value)).toBe(true);
        stack.push(...Object.values(value));
      }
    }
    expect(new Project('/work/sample_project').projectEnv).toBeUndefined();
  });

  test('a valid project has no problems; a project without jobs cannot be submitted', () => {
    const project = new Project('/work/sample_project');
    expect(projectProblems(project, { submit: true }).map((p) => p.field)).toEqual(['jobs']);
    project.addJobs(c4dJob());
    expect(projectProblems(project, { submit: true })).toEqual([]);
  });

  test('a job file must be a remote path below the project; the documented form without a slash is sent with one', () => {
    const project = new Project('c:\\sample_project', { createdAt });
    project.addJobs(
      c4dJob({ name: 'docs form', path: 'sample_project/sample.c4d' }),
      c4dJob({ name: 'absolute', path: '/sample_project/shots/a.c4d' }),
    );
    expect(projectProblems(project, { submit: true })).toEqual([]);
    expect(toSubmitBody(project).project_request.jobs.map((j) => j.path)).toEqual([
      '/sample_project/sample.c4d',
      '/sample_project/shots/a.c4d',
    ]);
    // A local path (backslashes, a drive) is a mistake to name, not a remote path to guess from.
    for (const path of [
      '\\sample_project\\shots\\a.c4d',
      'C:\\sample_project\\a.c4d',
      'a.c4d',
      '/sample_project/./a.c4d',
      '/sample_project/../other/sample.c4d',
    ]) {
      expect(() => c4dJob({ name: 'local', path }), path).toThrow(
        /path: must (use forward slashes|be a remote path)/,
      );
    }

    let caught: unknown;
    try {
      project.addJobs(
        c4dJob({ name: 'elsewhere', path: '/other_project/sample.c4d' }),
        c4dJob({ name: 'another one', path: 'other_project/shots/sample.c4d' }),
      );
    } catch (error) {
      caught = error;
    }
    const problems = (caught as InvalidRequestError).fieldErrors;
    expect(problems.map((p) => p.field)).toEqual(['jobs[0].path', 'jobs[1].path']);
    expect(problems[0]?.message).toBe(
      '"/other_project/sample.c4d" is not a file of project "sample_project": a job\'s file is a remote path below /sample_project, where addFiles places the project folder\'s files, such as /sample_project/scene.blend',
    );
    // A project whose name starts like another's: "/sample_project_2" is not below "/sample_project".
    expect(() => project.addJobs(c4dJob({ name: 'prefix', path: '/sample_project_2/a.c4d' }))).toThrow(
      /jobs\[0\]\.path.*not a file of project "sample_project"/s,
    );
    expect(project.jobs.map((j) => j.name)).toEqual(['docs form', 'absolute']);
  });
});

describe('product options: the model names on the job, the wire names in wire.ts', () => {
  const make = (productOptions: Record<string, unknown>, params: Record<string, unknown> = {}) =>
    new Job({
      name: 'j',
      app: 'hou',
      appVersion: '17.5',
      path: '/p/s.hip',
      params: { extra: 1, ...params, frames: '1 3' },
      productOptions,
    });
  const sentParams = (job: Job) => {
    const project = new Project('/tmp/p', { name: 'p', outputFolderName: 'out' });
    project.addJobs(job);
    return toSubmitBody(project).project_request.jobs[0]!.params;
  };

  test('camelCase becomes snake_case; the ROP node names are Envoy’s; frames stay last of the job’s own', () => {
    const job = make({
      outputPrefix: 'r_',
      ropNodeType: 'ifd',
      ropNodePath: '/out/m',
      diskOutputPathParm: 'x',
    });
    expect(job.productOptions).toEqual({
      outputPrefix: 'r_',
      ropNodeType: 'ifd',
      ropNodePath: '/out/m',
      diskOutputPathParm: 'x',
    });
    expect(Object.keys(sentParams(job)).slice(0, 6)).toEqual([
      'extra',
      'output_prefix',
      'rop_nodetype',
      'rop_nodepath',
      'disk_output_path_parm',
      'frames',
    ]);
    expect(productOptionWireName('rtEngine')).toBe('rt_engine');
  });

  test('a product option wins over a params entry of the same wire name, in that entry’s place', () => {
    const params = sentParams(make({ take: 'Main' }, { take: 'Other' }));
    expect(params.take).toBe('Main');
    expect(Object.keys(params).indexOf('take')).toBe(1);
  });

  test('names that are not camelCase, values JSON cannot carry and a bad output prefix are refused', () => {
    const fields = (options: Record<string, unknown>) => {
      try {
        make(options);
      } catch (error) {
        return (error as InvalidRequestError).fieldErrors.map((e) => e.field);
      }
      return [];
    };
    expect(fields({ output_prefix: 'a' })).toEqual(['productOptions.output_prefix']);
    expect(fields({ outputPrefix: 'a/b' })).toEqual(['productOptions.outputPrefix']);
    expect(fields({ engine: () => 1 })).toEqual(['productOptions']);
  });

  test('the options are frozen, and with(...) keeps them', () => {
    const job = make({ outputUpload: ['/p/r/.+'] });
    expect(Object.isFrozen(job.productOptions.outputUpload)).toBe(true);
    expect(job.with({ name: 'k' }).productOptions).toEqual({ outputUpload: ['/p/r/.+'] });
    expect(sentParams(job).output_upload).toEqual(['/p/r/.+']);
  });
});
