import { InvalidRequestError, ProductResolver } from '@gm/core';
import { describe, expect, it } from 'vitest';
import { houdiniJob } from './builders/houdini.js';
import { nukeJob } from './builders/nuke.js';
import { type CheckableJob, checkJob, type MachineLike, type ResolverLike } from './check.js';

/** A fake resolver over a small catalogue: Houdini 17.5.173/17.5.229/18.0.287, Nuke 12.2v3. */
const fakeResolver: ResolverLike = {
  getVersionsByType: (type) =>
    ({ hou: ['17.5.173', '17.5.229', '18.0.287'], nuke: ['12.2v3', '12.2v4'] })[type] ?? [],
  getCompatibleCombinations: async (query): Promise<Record<string, { versions: string[] }>> =>
    query[0] === 'hou:17.5.229'
      ? { hou_redshift: { versions: ['2.6.37', '2.6.38', '2.6.39'] }, htoa: { versions: ['4.0.1', '4.0.2'] } }
      : {},
};

const machines: MachineLike[] = [
  { id: 'gm4800', name: 'GM4800', gpu: false, is_default: true },
  { id: 'gm6400', name: 'GM6400', gpu: false, is_default: false },
  { id: '1xp100-ob220', name: '1xP100 : OB220', gpu: true, is_default: true },
  { id: '1xv100-ob330', name: '1xV100 : OB330', gpu: true, is_default: false },
];

const hou = (over: Partial<Parameters<typeof houdiniJob>[0]> = {}) =>
  houdiniJob({
    name: 'pyro',
    appVersion: '17.5.229',
    path: '/p/pyro.hip',
    frames: '1 10',
    ropNodeType: 'ifd',
    ropNodePath: '/out/mantra1',
    outputUpload: ['/p/render/.+'],
    ...over,
  });

describe('checkJob', () => {
  it('finds nothing wrong with an offered version, compatible plugins and an offered machine', async () => {
    const job = hou({ plugins: ['hou_redshift:2.6.38', 'htoa'], machineType: 'gm6400' });
    expect(await checkJob(job, { resolver: fakeResolver, machines })).toEqual([]);
  });

  it('suggests the nearest offered version', async () => {
    expect(await checkJob(hou({ appVersion: '17.5.300' }), { resolver: fakeResolver })).toEqual([
      {
        field: 'appVersion',
        message: 'Houdini 17.5.300 is not offered; offered: 17.5.173, 17.5.229, 18.0.287',
        suggestion: '17.5.229',
      },
    ]);
    const [finding] = await checkJob(hou({ appVersion: '18.0' }), { resolver: fakeResolver });
    expect(finding?.suggestion).toBe('18.0.287');
    const nuke = nukeJob({ name: 'c', appVersion: '12.2v9', path: '/p/c.nk', frames: '1' });
    expect((await checkJob(nuke, { resolver: fakeResolver }))[0]?.suggestion).toBe('12.2v4');
  });

  it('reports a product the account does not offer', async () => {
    const job: CheckableJob = { app: 'maya', appVersion: '2019', operation: 'render' };
    expect(await checkJob(job, { resolver: fakeResolver })).toEqual([
      { field: 'app', message: 'the account offers no Maya versions' },
    ]);
  });

  it('reports an incompatible plugin and plugin version, each with the closest valid value', async () => {
    const job = hou({ plugins: ['hou_redshift:2.6.40', 'hou_vray', 'htoa:4.0.2'] });
    const typo: CheckableJob = { ...job, plugins: ['hou_redshfit'] };
    expect((await checkJob(typo, { resolver: fakeResolver }))[0]?.suggestion).toBe('hou_redshift');
    expect(await checkJob(job, { resolver: fakeResolver })).toEqual([
      {
        field: 'plugins',
        message:
          'hou_redshift 2.6.40 is not compatible with Houdini 17.5.229; compatible: 2.6.37, 2.6.38, 2.6.39',
        suggestion: 'hou_redshift:2.6.39',
      },
      {
        field: 'plugins',
        message: '"hou_vray" is not compatible with Houdini 17.5.229; compatible: hou_redshift, htoa',
        suggestion: 'htoa',
      },
    ]);
  });

  it('reports a machine type not offered, suggesting by edit distance or by name', async () => {
    expect(await checkJob(hou({ machineType: 'gm4900' }), { resolver: fakeResolver, machines })).toEqual([
      {
        field: 'machineType',
        message:
          '"gm4900" is not offered for Houdini render; offered: gm4800, gm6400, 1xp100-ob220, 1xv100-ob330',
        suggestion: 'gm4800',
      },
    ]);
    const byName = await checkJob(hou({ machineType: '1xV100 : OB330' }), {
      resolver: fakeResolver,
      machines,
    });
    expect(byName[0]?.suggestion).toBe('1xv100-ob330');
  });

  it('asks the machines function for the job’s product and operation', async () => {
    const asked: string[] = [];
    const findings = await checkJob(hou({ operation: 'sim', machineType: 'gm6400' }), {
      resolver: fakeResolver,
      machines: async (product, operation) => {
        asked.push(`${product}/${operation}`);
        return machines.filter((m) => m.id !== 'gm6400');
      },
    });
    expect(asked).toEqual(['hou/sim']);
    expect(findings.map((f) => f.suggestion)).toEqual(['gm4800']);
  });

  it('reports a CPU machine for a GPU job, suggesting the default GPU machine', async () => {
    expect(
      await checkJob(hou({ machineType: 'gm4800', gpu: true }), { resolver: fakeResolver, machines }),
    ).toEqual([
      {
        field: 'machineType',
        message: '"gm4800" is a CPU machine, but the job has gpu: true',
        suggestion: '1xp100-ob220',
      },
    ]);
    const noGpu = machines.filter((m) => !m.gpu);
    expect(await checkJob(hou({ gpu: true }), { resolver: fakeResolver, machines: noGpu })).toEqual([
      { field: 'machineType', message: 'no GPU machine is offered for Houdini render' },
    ]);
  });

  it('works with core’s real ProductResolver', async () => {
    const resolver = new ProductResolver([
      {
        id: 'hou-17.5.229',
        name: 'Houdini',
        app_type: 'hou',
        version: '17.5.229',
        compatible_modules: ['htoa:4.0.1'],
      } as never,
    ]);
    expect(await checkJob(hou({ plugins: ['htoa:4.0.1'] }), { resolver })).toEqual([]);
    expect((await checkJob(hou({ plugins: ['htoa:4.0.0'] }), { resolver }))[0]?.suggestion).toBe(
      'htoa:4.0.1',
    );
  });
});

describe('checkJob arguments', () => {
  it('a missing resolver, machines of the wrong kind or a job without fields are typed errors naming them', async () => {
    const job = hou();
    for (const [options, field] of [
      [{ resolver: null }, 'options.resolver'],
      [{ resolver: {} }, 'options.resolver'],
      [{ resolver: fakeResolver, machines: 'gm4800' }, 'options.machines'],
      [null, 'options'],
    ] as const) {
      const error = await checkJob(job, options as never).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.fieldErrors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    const error = await checkJob(job, { resolver: null as never }).catch((e) => e);
    expect(error.message).toContain('getProductResolver()');
    const noJob = await checkJob(null as never, { resolver: fakeResolver }).catch((e) => e);
    expect(noJob.fieldErrors).toEqual([{ field: 'job', message: 'must be a Job (got null)' }]);
  });

  it('machines that are no list of machine types, given or fetched, are a typed error naming options.machines', async () => {
    const job = hou({ machineType: 'gm4800' });
    for (const given of [[null], ['gm4800'], async () => undefined, async () => ({ machines })]) {
      const error = await checkJob(job, { resolver: fakeResolver, machines: given as never }).catch((e) => e);
      expect(error, String(given)).toBeInstanceOf(InvalidRequestError);
      expect(error.fieldErrors.map((e: { field: string }) => e.field)).toEqual(['options.machines']);
    }
  });
});
