import { InvalidRequestError, Job, Project, toSubmitBody } from '@gm/core';
import { describe, expect, it } from 'vitest';
import { badFieldsOf, fieldErrorsOf } from '../../test/helpers.js';
import { blenderJob } from './blender.js';
import { nukeJob } from './nuke.js';

const base = {
  name: 'shot',
  appVersion: '2.80',
  path: '/proj/scene.blend',
  frames: '1 10',
  outputPrefix: 'out_',
  outputFormat: 'PNG',
};

describe('the common options', () => {
  it('map onto core Job fields; the product options keep their model names', () => {
    const job = blenderJob({
      ...base,
      instances: 4,
      machineType: 'gm4800',
      plugins: ['blender_vray:4.0'],
      gpu: true,
    });
    expect(job).toBeInstanceOf(Job);
    expect(job).toMatchObject({
      name: 'shot',
      app: 'blender',
      appVersion: '2.80',
      operation: 'render',
      path: '/proj/scene.blend',
      instances: 4,
      machineType: 'gm4800',
      plugins: ['blender_vray:4.0'],
      gpu: true,
    });
    expect(job.params).toEqual({ frames: '1 10' });
    expect(job.productOptions).toEqual({ outputPrefix: 'out_', outputFormat: 'PNG' });
    expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reach the wire inside the job params, as core sends them', () => {
    const project = new Project('/tmp/proj', { name: 'proj', outputFolderName: 'out' });
    project.addJobs(
      blenderJob({ ...base, instances: 3, machineType: 'gm4800', plugins: ['blender_vray'], gpu: false }),
    );
    const [wire] = toSubmitBody(project).project_request.jobs;
    expect(wire).toMatchObject({
      app: 'blender',
      app_version: '2.80',
      operation: 'render',
      path: '/proj/scene.blend',
    });
    expect(wire?.params).toEqual({
      frames: '1 10',
      output_prefix: 'out_',
      output_format: 'PNG',
      output_dir_name: 'out',
      output_upload: ['/proj/render_results/out/.+', '\\\\proj\\\\render_results\\\\out\\\\.+'],
      billing_meta: ['blender', 'blender_vray'],
      instances: 3,
      machine_type: 'gm4800',
      gpu: false,
      plugins: ['blender_vray'],
    });
  });

  it('sends frames in canonical form', () => {
    expect(blenderJob({ ...base, frames: ' 1 10 2 , 20 ' }).params.frames).toBe('1 9 2,20');
  });

  it('takes the documented empty machine type, meaning the account default', () => {
    const job = blenderJob({
      name: 'shot',
      appVersion: '2.80',
      path: '/p/scene.blend',
      frames: '1',
      machineType: '',
      outputPrefix: 'x',
      outputFormat: 'PNG',
    });
    expect(job.machineType).toBe('');
  });

  it('refuses an output prefix that cannot become a file name', () => {
    for (const outputPrefix of ['a/b', 'con', 'shot:1', 'x.', '', 'a\u0001', 'é'.repeat(101)]) {
      const errors = fieldErrorsOf(() =>
        blenderJob({
          name: 'shot',
          appVersion: '2.80',
          path: '/p/scene.blend',
          frames: '1',
          outputPrefix,
          outputFormat: 'PNG',
        }),
      );
      expect(
        errors.map((e) => e.field),
        outputPrefix,
      ).toEqual(['outputPrefix']);
    }
  });

  it('reports every problem at once, each naming its field and the fix', () => {
    let thrown: unknown;
    try {
      blenderJob({
        name: '',
        appVersion: '',
        path: 'C:\\proj\\scene.blend',
        frames: '1 10, 10 5',
        instances: 0,
        machineType: 42 as never,
        plugins: ['mtoa'] as never,
        gpu: 'yes' as never,
        outputPrefix: 'x',
        outputFormat: 'PNG',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidRequestError);
    const error = thrown as InvalidRequestError;
    expect(error.message).toMatch(/^The Blender job has 8 problems:/);
    expect(error.fieldErrors).toEqual([
      { field: 'name', message: 'is required: must be a non-empty string (got "")' },
      {
        field: 'appVersion',
        message: 'is required: must be a non-empty string (got "")',
      },
      {
        field: 'path',
        message:
          'must use forward slashes, e.g. "/my_project/scene.blend" (got "C:\\\\proj\\\\scene.blend"): remote paths are not local ones',
      },
      { field: 'frames', message: 'group 2 "10 5" (column 10) has end 5 before start 10' },
      {
        field: 'instances',
        message: 'must be a positive integer (got 0); omit it to let the service decide',
      },
      {
        field: 'machineType',
        message: `must be a machine type id, or "" for the account's default (got 42)`,
      },
      {
        field: 'plugins',
        message: '"mtoa" is not a Blender plugin; use one of blender_vray, optionally as "code:version"',
      },
      { field: 'gpu', message: 'must be true or false (got "yes")' },
    ]);
  });

  it.each([
    ['scene.blend', 'must be a remote path under the project folder'],
    ['/scene.blend', 'must be a remote path under the project folder'],
    ['/proj//scene.blend', 'must be a remote path under the project folder'],
    ['/proj/../scene.blend', 'must be a remote path under the project folder'],
    ['/proj/scene.c4d', 'must be a Blender file ending in .blend'],
    ['', 'is required: a file of the project in the remote store'],
    ['proj/./scene.blend', 'must be a remote path under the project folder'],
  ])('rejects the path %j', (path, message) => {
    const [error] = fieldErrorsOf(() => blenderJob({ ...base, path }));
    expect(error?.field).toBe('path');
    expect(error?.message).toContain(message);
  });

  it('accepts the relative form core and the Python documentation use (sent with a leading slash)', () => {
    const job = blenderJob({ ...base, path: 'proj/shots/scene.blend' });
    expect(job.path).toBe('proj/shots/scene.blend');
    const project = new Project('/tmp/proj', { name: 'proj' });
    project.addJobs(job);
    expect(toSubmitBody(project).project_request.jobs[0]?.path).toBe('/proj/shots/scene.blend');
  });

  it('accepts upper-case extensions and nested folders', () => {
    expect(blenderJob({ ...base, path: '/my project/shots/a/SCENE.BLEND' }).path).toBe(
      '/my project/shots/a/SCENE.BLEND',
    );
  });

  it('rejects a missing frames option, a repeated plugin and an empty plugin version', () => {
    const { frames: _f, ...noFrames } = base;
    expect(fieldErrorsOf(() => blenderJob(noFrames as typeof base))).toEqual([
      { field: 'frames', message: 'is required: a frame range such as "1 100" or "1 100 2, 120"' },
    ]);
    expect(fieldErrorsOf(() => blenderJob({ ...base, plugins: ['blender_vray', 'blender_vray:4'] }))).toEqual(
      [{ field: 'plugins', message: '"blender_vray" is given twice; keep one' }],
    );
    expect(
      fieldErrorsOf(() => blenderJob({ ...base, plugins: ['blender_vray:' as 'blender_vray'] })),
    ).toEqual([
      {
        field: 'plugins',
        message: '"blender_vray:" has an empty version; write "blender_vray" or "blender_vray:<version>"',
      },
    ]);
  });

  it('suggests a plugin and an option name for a typo', () => {
    expect(
      fieldErrorsOf(() => blenderJob({ ...base, plugins: ['blender_vry'] as never }))[0]?.message,
    ).toContain('(did you mean "blender_vray"?)');
    expect(fieldErrorsOf(() => blenderJob({ ...base, outputprefix: 'x' } as never))).toEqual([
      { field: 'outputprefix', message: 'is not a Blender job option; did you mean "outputPrefix"?' },
    ]);
  });

  it('accepts only the one operation of a product without a choice', () => {
    expect(
      nukeJob({ name: 'c', appVersion: '11', path: '/p/c.nk', frames: '1', operation: 'render' } as never)
        .operation,
    ).toBe('render');
    expect(
      badFieldsOf(() =>
        nukeJob({ name: 'c', appVersion: '11', path: '/p/c.nk', frames: '1', operation: 'sim' } as never),
      ),
    ).toEqual(['operation']);
  });

  it('takes instances only as a positive integer', () => {
    for (const instances of [2.5, -1, Number.NaN, '3']) {
      expect(fieldErrorsOf(() => blenderJob({ ...base, instances: instances as number }))).toEqual([
        {
          field: 'instances',
          message: `must be a positive integer (got ${typeof instances === 'string' ? `"${instances}"` : String(instances)}); omit it to let the service decide`,
        },
      ]);
    }
    expect(blenderJob({ ...base, instances: 1 }).instances).toBe(1);
  });

  it('rejects options that are not an object', () => {
    expect(badFieldsOf(() => blenderJob(undefined as never))).toEqual(['options']);
  });
});
