/**
 * The bytes every builder's job puts on the wire. The fixture was written by the builders as they were when they
 * still wrote the wire names themselves; now that `@gm/core`'s `wire.ts` names product options on the wire, the
 * body must be byte-identical (key order included).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Job, Project, toSubmitBody } from '@gm/core';
import { describe, expect, it } from 'vitest';
import {
  blenderJob,
  cinema4dJob,
  houdiniJob,
  houdiniProjectParams,
  mayaJob,
  nukeJob,
  RtEngine,
  vrayJob,
} from '../src/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/wire-golden.json', import.meta.url));

const common = {
  name: 'shot',
  appVersion: '1.0',
  frames: '1 10 2, 20',
  instances: 3,
  machineType: 'gm4800',
  gpu: true,
  params: { custom_key: 'kept', nested: { a: [1, 2] } },
  creditsBudget: { value: 50, action: 'alert' as const },
};
const output = { outputPrefix: 'render_', outputFormat: 'PNG' };
const size = { outputWidth: 1920, outputHeight: 1080 };

/** Each builder, once with only what it requires and once with every option it has. */
const CASES: Record<string, () => Job[]> = {
  blender: () => [
    blenderJob({ name: 'b', appVersion: '2.80', path: '/p/s.blend', frames: '1', ...output }),
    blenderJob({ ...common, path: '/p/s.blend', ...output, engine: 'CYCLES', plugins: ['blender_vray:4.0'] }),
  ],
  cinema4d: () => [
    cinema4dJob({ name: 'c', appVersion: 'R19', path: '/p/s.c4d', frames: '1 5', ...output, ...size }),
    cinema4dJob({ ...common, path: '/p/s.c4d', ...output, ...size, outputMultipassPrefix: 'passes_' }),
  ],
  houdini: () => [
    houdiniJob({
      name: 'h',
      appVersion: '17.5.229',
      path: '/p/s.hip',
      frames: '1 2',
      ropNodeType: 'ifd',
      ropNodePath: '/out/mantra1',
      outputUpload: ['/p/render/.+'],
    }),
    houdiniJob({
      ...common,
      path: '/p/s.hip',
      operation: 'sim',
      take: 'Main',
      ropNodeType: 'ifd',
      ropNodePath: '/out/mantra1',
      outputUpload: ['/p/render/.+', '/p/cache/.+'],
      diskOutputExt: '.exr',
      diskOutputMode: 'mode',
      diskOutputParm: 'vm_picture',
      diskOutputPath: '/p/render',
      diskOutputRenderer: 'mantra',
      diskOutputPathParm: 'parm',
    }),
  ],
  maya: () => [
    mayaJob({ name: 'm', appVersion: '2018', path: '/p/s.mb', frames: '1', ...output, ...size }),
    mayaJob({ ...common, path: '/p/s.ma', ...output, ...size, camera: 'persp', renderer: 'arnold' }),
  ],
  nuke: () => [
    nukeJob({ name: 'n', appVersion: '11.3', path: '/p/s.nk', frames: '1' }),
    nukeJob({ ...common, path: '/p/s.nk' }),
  ],
  vray: () => [
    vrayJob({ name: 'v', appVersion: '4.0', path: '/p/s.vrscene', frames: '1', ...output, ...size }),
    vrayJob({
      ...common,
      path: '/p/s.vrscene',
      ...output,
      ...size,
      rtEngine: 'cuda',
      samplingType: 'bucket',
      remapFile: '/p/remap.xml',
    }),
    vrayJob({
      name: 'v',
      appVersion: '4.0',
      path: '/p/s.vrscene',
      frames: '1',
      ...output,
      ...size,
      rtEngine: RtEngine.CpuRt,
    }),
  ],
};

/** The submit body of `jobs` in one project, job ids replaced by their place so that the text is stable. */
function wireText(jobs: Job[]): string {
  const project = new Project('/tmp/p', {
    name: 'p',
    submissionName: 'golden',
    outputFolderName: 'out',
    ...houdiniProjectParams({
      summaryLogFile: 'log.txt',
      paramOutput: ['a'],
      param: { RES: '1' },
      env: { J: '/x' },
    }),
  });
  project.addJobs(...jobs);
  let text = JSON.stringify(toSubmitBody(project));
  jobs.forEach((job, i) => {
    text = text.replaceAll(job.id, `job-${i}`);
  });
  return text;
}

describe('the wire bytes of every builder', () => {
  const actual = Object.fromEntries(Object.entries(CASES).map(([name, make]) => [name, wireText(make())]));
  if (process.env.GM_WRITE_WIRE_GOLDEN === '1')
    writeFileSync(FIXTURE, `${JSON.stringify(actual, null, 2)}\n`);
  const expected = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, string>;

  it.each(Object.keys(CASES))('%s: byte-identical to the fixture', (name) => {
    expect(actual[name]).toBe(expected[name]);
  });

  it('the fixture covers every builder', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(CASES).sort());
  });
});
