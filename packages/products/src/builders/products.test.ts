import { describe, expect, it } from 'vitest';
import { badFieldsOf, fieldErrorsOf, wireParams } from '../../test/helpers.js';
import { blenderJob } from './blender.js';
import { cinema4dJob } from './cinema4d.js';
import { houdiniJob, houdiniProjectParams } from './houdini.js';
import { mayaJob } from './maya.js';
import { nukeJob } from './nuke.js';
import { buildJobOf } from './registry.js';
import { RtEngine, vrayJob } from './vray.js';

const common = { name: 'job', appVersion: '1.0', frames: '1 10' };

describe('blenderJob', () => {
  it('sends frames, output_prefix, output_format and engine', () => {
    const job = blenderJob({
      ...common,
      path: '/p/scene.blend',
      outputPrefix: 'shot_',
      outputFormat: 'PNG',
      engine: 'CYCLES',
      gpu: true,
    });
    expect(job.app).toBe('blender');
    expect(job.gpu).toBe(true);
    expect(wireParams(job)).toEqual({
      frames: '1 10',
      output_prefix: 'shot_',
      output_format: 'PNG',
      engine: 'CYCLES',
    });
  });

  it('leaves the optional engine out', () => {
    const job = blenderJob({ ...common, path: '/p/s.blend', outputPrefix: 'a', outputFormat: 'PNG' });
    expect(wireParams(job)).toEqual({ frames: '1 10', output_prefix: 'a', output_format: 'PNG' });
    expect(job.gpu).toBeUndefined();
  });

  it('checks the output format by the core rule: a format name, named by its option', () => {
    const job = (outputFormat: unknown) => () =>
      blenderJob({ ...common, path: '/p/s.blend', outputPrefix: 'a', outputFormat } as never);
    expect(fieldErrorsOf(job(''))).toEqual([
      { field: 'outputFormat', message: 'must not be empty: give a format name such as "PNG" or "exr"' },
    ]);
    expect(fieldErrorsOf(job(7))).toEqual([
      { field: 'outputFormat', message: 'must be a format name such as "PNG" (got 7)' },
    ]);
    expect(fieldErrorsOf(job('out/png'))[0]?.message).toBe(
      '"out/png" is a path, not a format name such as "PNG"',
    );
  });

  it('requires outputPrefix and outputFormat', () => {
    expect(fieldErrorsOf(() => blenderJob({ ...common, path: '/p/s.blend' } as never))).toEqual([
      { field: 'outputPrefix', message: 'is required: the output file prefix, e.g. "render_"' },
      { field: 'outputFormat', message: 'is required: the output format, e.g. "PNG"' },
    ]);
    expect(
      badFieldsOf(() =>
        blenderJob({ ...common, path: '/p/s.blend', outputPrefix: 'a', outputFormat: 'PNG', engine: '' }),
      ),
    ).toEqual(['engine']);
  });
});

const c4d = {
  ...common,
  appVersion: 'R19',
  path: '/p/scene.c4d',
  outputWidth: 1920,
  outputHeight: 1080,
  outputPrefix: 'shot_',
  outputFormat: 'tiff',
};

describe('cinema4dJob', () => {
  it('sends frames, size, prefix, format and the multipass prefix', () => {
    const job = cinema4dJob({ ...c4d, outputMultipassPrefix: 'mp_', plugins: ['redshift:2.6.38', 'arnold'] });
    expect(job.app).toBe('c4d');
    expect(job.plugins).toEqual(['redshift:2.6.38', 'arnold']);
    expect(wireParams(job)).toEqual({
      frames: '1 10',
      output_height: 1080,
      output_width: 1920,
      output_prefix: 'shot_',
      output_format: 'tiff',
      output_multipass_prefix: 'mp_',
    });
  });

  it('rejects sizes that are not positive integers and a Maya plugin', () => {
    expect(
      fieldErrorsOf(() =>
        cinema4dJob({ ...c4d, outputWidth: 0, outputHeight: 10.5, plugins: ['mtoa'] as never }),
      ),
    ).toEqual([
      {
        field: 'plugins',
        message:
          '"mtoa" is not a Cinema 4D plugin; use one of arnold, redshift, vray, optionally as "code:version"',
      },
      { field: 'outputHeight', message: 'must be a positive integer (got 10.5)' },
      { field: 'outputWidth', message: 'must be a positive integer (got 0)' },
    ]);
  });

  it('requires the size, prefix and format', () => {
    expect(badFieldsOf(() => cinema4dJob({ ...common, path: '/p/s.c4d' } as never))).toEqual([
      'outputHeight',
      'outputWidth',
      'outputPrefix',
      'outputFormat',
    ]);
  });
});

const hou = {
  ...common,
  appVersion: '17.5.229',
  path: '/p/pyro.hipnc',
  ropNodeType: 'ifd',
  ropNodePath: '/out/mantra1',
  outputUpload: ['/p/render/.+'],
};

describe('houdiniJob', () => {
  it('defaults to render and sends rop node, take, upload patterns and disk output fields', () => {
    const job = houdiniJob({
      ...hou,
      take: 'Main',
      diskOutputExt: '.exr',
      diskOutputMode: 'file',
      diskOutputParm: 'vm_picture',
      diskOutputPath: '$HIP/render/$F4.exr',
      diskOutputRenderer: 'mantra',
      diskOutputPathParm: 'vm_picture',
      plugins: ['htoa:4.0.1', 'hou_redshift'],
    });
    expect(job.app).toBe('hou');
    expect(job.operation).toBe('render');
    expect(wireParams(job)).toEqual({
      frames: '1 10',
      take: 'Main',
      rop_nodetype: 'ifd',
      rop_nodepath: '/out/mantra1',
      output_upload: ['/p/render/.+'],
      disk_output_ext: '.exr',
      disk_output_mode: 'file',
      disk_output_parm: 'vm_picture',
      disk_output_path: '$HIP/render/$F4.exr',
      disk_output_renderer: 'mantra',
      disk_output_path_parm: 'vm_picture',
    });
  });

  it('runs batch and sim, and copies the upload list', () => {
    const upload = ['/p/cache/.+'];
    const sim = houdiniJob({ ...hou, operation: 'sim', outputUpload: upload });
    upload.push('changed');
    expect(sim.operation).toBe('sim');
    expect(wireParams(sim).output_upload).toEqual(['/p/cache/.+']);
    expect(houdiniJob({ ...hou, operation: 'batch' }).operation).toBe('batch');
    expect(houdiniJob({ ...hou, path: '/p/a.HIP' }).path).toBe('/p/a.HIP');
    expect(wireParams(houdiniJob({ ...hou, path: '/p/a.hiplc' }))).toEqual({
      frames: '1 10',
      rop_nodetype: 'ifd',
      rop_nodepath: '/out/mantra1',
      output_upload: ['/p/render/.+'],
    });
  });

  it('rejects an unknown operation, an empty upload list and a missing ROP', () => {
    const { ropNodePath: _r, ...noRop } = hou;
    expect(
      fieldErrorsOf(() => houdiniJob({ ...noRop, operation: 'composite', outputUpload: [] } as never)),
    ).toEqual([
      { field: 'operation', message: 'must be one of "render", "batch", "sim" (got "composite")' },
      { field: 'ropNodePath', message: 'is required: the ROP node path, e.g. "/out/mantra1"' },
      { field: 'outputUpload', message: 'must be a non-empty list of non-empty strings' },
    ]);
    expect(badFieldsOf(() => houdiniJob({ ...hou, path: '/p/pyro.blend' }))).toEqual(['path']);
    expect(badFieldsOf(() => houdiniJob({ ...hou, plugins: ['mtoa'] as never }))).toEqual(['plugins']);
  });
});

describe('houdiniProjectParams', () => {
  it('returns the Project options named as core names them', () => {
    expect(
      houdiniProjectParams({
        summaryLogFile: '/p/logs/summary.log',
        paramOutput: ['vm_picture'],
        param: { RES: '1080' },
        env: { JOB: '/p' },
      }),
    ).toEqual({
      projectSummaryLogFile: '/p/logs/summary.log',
      projectParamOutput: ['vm_picture'],
      projectParam: { RES: '1080' },
      projectEnv: { JOB: '/p' },
    });
    expect(houdiniProjectParams({})).toEqual({});
  });

  it('names every malformed parameter', () => {
    expect(
      badFieldsOf(() =>
        houdiniProjectParams({
          summaryLogFile: '',
          paramOutput: [''],
          param: [] as never,
          env: { A: 1 } as never,
        }),
      ),
    ).toEqual(['summaryLogFile', 'paramOutput', 'param', 'env']);
  });
});

const maya = {
  ...common,
  appVersion: '2019',
  path: '/p/scene.mb',
  outputWidth: 1280,
  outputHeight: 720,
  outputPrefix: 'shot',
  outputFormat: 'exr',
};

describe('mayaJob', () => {
  it('sends frames, size, prefix, format, camera and renderer', () => {
    const job = mayaJob({
      ...maya,
      camera: 'shotCam',
      renderer: 'arnold',
      plugins: ['mtoa:3.3.0'],
      gpu: false,
    });
    expect(job.app).toBe('maya');
    expect(job.gpu).toBe(false);
    expect(wireParams(job)).toEqual({
      frames: '1 10',
      output_height: 720,
      output_width: 1280,
      output_prefix: 'shot',
      output_format: 'exr',
      camera: 'shotCam',
      renderer: 'arnold',
    });
  });

  it('accepts .ma files and leaves camera and renderer out when not given', () => {
    expect(wireParams(mayaJob({ ...maya, path: '/p/scene.ma' }))).toEqual({
      frames: '1 10',
      output_height: 720,
      output_width: 1280,
      output_prefix: 'shot',
      output_format: 'exr',
    });
  });

  it('rejects a Houdini plugin, a V-Ray scene and bad frames', () => {
    expect(
      badFieldsOf(() =>
        mayaJob({ ...maya, path: '/p/scene.vrscene', plugins: ['hou_vray'] as never, frames: '5 1' }),
      ),
    ).toEqual(['path', 'frames', 'plugins']);
  });
});

describe('nukeJob', () => {
  it('sends only frames', () => {
    const job = nukeJob({ ...common, path: '/p/comp.nk', frames: '1001 1100', gpu: true });
    expect(job.app).toBe('nuke');
    expect(wireParams(job)).toEqual({ frames: '1001 1100' });
    expect(job.gpu).toBe(true);
  });

  it('takes no plugins', () => {
    expect(
      fieldErrorsOf(() => nukeJob({ ...common, path: '/p/comp.nk', plugins: ['hton'] as never })),
    ).toEqual([{ field: 'plugins', message: 'Nuke takes no plugins; remove them' }]);
  });
});

const vray = {
  ...common,
  appVersion: '4.10.03',
  path: '/p/scene.vrscene',
  outputWidth: 3840,
  outputHeight: 2160,
  outputPrefix: 'still',
  outputFormat: 'exr',
};

describe('vrayJob', () => {
  it('sends the RT engine as a number, the sampling type and the remap file', () => {
    const job = vrayJob({
      ...vray,
      rtEngine: 'cuda',
      samplingType: 'progressive',
      remapFile: '/p/remap.xml',
    });
    expect(job.app).toBe('vray');
    expect(wireParams(job)).toEqual({
      frames: '1 10',
      output_height: 2160,
      output_width: 3840,
      output_prefix: 'still',
      output_format: 'exr',
      rt_engine: 5,
      sampling_type: 'progressive',
      remap_file: '/p/remap.xml',
    });
  });

  it.each([
    ['regular', 0],
    ['cpu', 1],
    ['opencl', 3],
    ['cuda', 5],
    [RtEngine.Regular, 0],
    [RtEngine.CpuRt, 1],
    [RtEngine.GpuOpenCl, 3],
    [RtEngine.GpuCuda, 5],
  ] as const)('maps the RT engine %j to %d', (rtEngine, wire) => {
    expect(wireParams(vrayJob({ ...vray, rtEngine })).rt_engine).toBe(wire);
  });

  it('rejects an unknown RT engine and sampling type', () => {
    expect(
      fieldErrorsOf(() => vrayJob({ ...vray, rtEngine: 2 as never, samplingType: 'adaptive' as never })),
    ).toEqual([
      {
        field: 'rtEngine',
        message: 'must be one of "regular", "cpu", "opencl", "cuda", 0, 1, 3, 5 (got 2)',
      },
      { field: 'samplingType', message: 'must be one of "progressive", "bucket" (got "adaptive")' },
    ]);
    expect(badFieldsOf(() => vrayJob({ ...vray, plugins: ['vray'] as never }))).toEqual(['plugins']);
  });

  it('refuses a remap file that climbs out or is no remote path, and an output format that is a path', () => {
    for (const remapFile of ['../../etc/passwd', '/p/../../etc/passwd', 'remap.xml']) {
      const [problem] = fieldErrorsOf(() => vrayJob({ ...vray, remapFile }));
      expect(problem?.field, remapFile).toBe('remapFile');
      expect(problem?.message).toContain('e.g. "/my_project/remap.xml"');
    }
    expect(badFieldsOf(() => vrayJob({ ...vray, outputFormat: '../png' }))).toEqual(['outputFormat']);
  });
});

describe('buildJobOf', () => {
  it("names each problem in the caller's own names, the builder's and core's alike, in the options' order", () => {
    const fields = badFieldsOf(() =>
      buildJobOf(
        'blender',
        {
          name: 'shot',
          appVersion: '4.2',
          path: '/p/scene.ma',
          localPath: '/home/me/p/scene.ma',
          frames: '10 1',
          outputPrefix: 'shot_',
          outputFormat: 'a/b',
          creditsBudget: { value: -1, action: 'stop' },
        },
        { path: 'file', localPath: 'file', creditsBudget: 'budget' },
      ),
    );
    expect(fields).toEqual(['file', 'frames', 'budget.value', 'outputFormat']);
  });
});
