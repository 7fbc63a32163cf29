import type { Job } from '@gm/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  blenderJob,
  cinema4dJob,
  houdiniJob,
  isPluginOf,
  mayaJob,
  nukeJob,
  type OperationOf,
  type PluginOf,
  type PluginSpec,
  type ProductCode,
  RtEngine,
  vrayJob,
} from './index.js';

const common = { name: 'n', appVersion: '1', frames: '1 10' };

describe('the catalogue types', () => {
  it('derives product codes, plugins and operations', () => {
    expectTypeOf<ProductCode>().toEqualTypeOf<'blender' | 'c4d' | 'hou' | 'maya' | 'nuke' | 'vray'>();
    expectTypeOf<PluginOf<'c4d'>>().toEqualTypeOf<'arnold' | 'redshift' | 'vray'>();
    expectTypeOf<PluginOf<'maya'>>().toEqualTypeOf<'mtoa' | 'maya_redshift' | 'maya_prman' | 'maya_vray'>();
    expectTypeOf<PluginOf<'nuke'>>().toEqualTypeOf<never>();
    expectTypeOf<OperationOf<'hou'>>().toEqualTypeOf<'render' | 'batch' | 'sim'>();
    expectTypeOf<OperationOf<'maya'>>().toEqualTypeOf<'render'>();
    expectTypeOf<'mtoa:4.0.1'>().toExtend<PluginSpec<'maya'>>();
    expectTypeOf<'htoa:4.0.1'>().not.toExtend<PluginSpec<'maya'>>();
  });

  it('narrows with isPluginOf', () => {
    const plugin: string = 'mtoa';
    if (isPluginOf('maya', plugin)) expectTypeOf(plugin).toEqualTypeOf<PluginSpec<'maya'>>();
  });
});

describe('the builders', () => {
  it('return a core Job', () => {
    expectTypeOf(nukeJob({ ...common, path: '/p/c.nk' })).toEqualTypeOf<Job>();
    expectTypeOf(blenderJob).returns.toEqualTypeOf<Job>();
  });

  it('reject a missing required option', () => {
    // @ts-expect-error outputFormat is required
    blenderJob({ ...common, path: '/p/s.blend', outputPrefix: 'a' });
    // @ts-expect-error outputWidth is required
    cinema4dJob({ ...common, path: '/p/s.c4d', outputHeight: 1, outputPrefix: 'a', outputFormat: 'tiff' });
    // @ts-expect-error ropNodePath is required
    houdiniJob({ ...common, path: '/p/s.hip', ropNodeType: 'ifd', outputUpload: ['/p/.+'] });
    // @ts-expect-error frames is required
    nukeJob({ name: 'n', appVersion: '1', path: '/p/c.nk' });
    // @ts-expect-error path is required
    mayaJob({ ...common, outputWidth: 1, outputHeight: 1, outputPrefix: 'a', outputFormat: 'exr' });
  });

  it('reject a plugin of another product', () => {
    const c4d = {
      ...common,
      path: '/p/s.c4d',
      outputWidth: 1,
      outputHeight: 1,
      outputPrefix: 'a',
      outputFormat: 'tiff',
    };
    cinema4dJob({ ...c4d, plugins: ['redshift', 'arnold:6.0'] });
    // @ts-expect-error mtoa is a Maya plugin
    cinema4dJob({ ...c4d, plugins: ['mtoa'] });
    // @ts-expect-error hou_vray:4 is a Houdini plugin
    cinema4dJob({ ...c4d, plugins: ['hou_vray:4'] });
    // @ts-expect-error Nuke has no plugins
    nukeJob({ ...common, path: '/p/c.nk', plugins: ['hton'] });
  });

  it('reject a wrong enumeration value', () => {
    const vray = {
      ...common,
      path: '/p/s.vrscene',
      outputWidth: 1,
      outputHeight: 1,
      outputPrefix: 'a',
      outputFormat: 'exr',
    };
    vrayJob({ ...vray, rtEngine: 'cuda', samplingType: 'bucket' });
    vrayJob({ ...vray, rtEngine: RtEngine.GpuOpenCl });
    vrayJob({ ...vray, rtEngine: 5 });
    // @ts-expect-error 2 is no RT engine
    vrayJob({ ...vray, rtEngine: 2 });
    // @ts-expect-error 'metal' is no RT engine
    vrayJob({ ...vray, rtEngine: 'metal' });
    // @ts-expect-error 'adaptive' is no sampling type
    vrayJob({ ...vray, samplingType: 'adaptive' });
    const hou = {
      ...common,
      path: '/p/s.hip',
      ropNodeType: 'ifd',
      ropNodePath: '/out/m',
      outputUpload: ['/p/.+'],
    };
    houdiniJob({ ...hou, operation: 'sim' });
    // @ts-expect-error Houdini does not composite
    houdiniJob({ ...hou, operation: 'composite' });
    const maya = {
      ...common,
      path: '/p/s.ma',
      outputWidth: 1,
      outputHeight: 1,
      outputPrefix: 'a',
      outputFormat: 'x',
    };
    // @ts-expect-error Maya has no choice of operation
    mayaJob({ ...maya, operation: 'render' });
  });

  it('reject wrongly typed options', () => {
    const c4d = {
      ...common,
      path: '/p/s.c4d',
      outputWidth: 1,
      outputHeight: 1,
      outputPrefix: 'a',
      outputFormat: 'x',
    };
    // @ts-expect-error width is a number
    cinema4dJob({ ...c4d, outputWidth: '1920' });
    const hou = { ...common, path: '/p/s.hip', ropNodeType: 'ifd', ropNodePath: '/out/m' };
    // @ts-expect-error outputUpload is a list
    houdiniJob({ ...hou, outputUpload: '/p/.+' });
  });
});
