import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRequestError } from '@gm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildJob, buildProject } from './build-project.js';
import { checkJobFile } from './job-file.js';

describe('buildProject', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("names the builders' problems by the job file's own fields (file, not path)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gm-build-'));
    dirs.push(dir);
    await writeFile(join(dir, 'scene.ma'), 'not a blend file');
    const path = join(dir, 'job.json');
    const data = {
      jobs: [
        { name: 'ok', product: 'nuke', appVersion: '13.0', file: 'scene.nk', frames: '1 2' },
        {
          name: 'bad',
          product: 'blender',
          appVersion: '4.2',
          file: 'scene.ma',
          frames: '6 1 x',
          outputPrefix: 'shot',
          outputFormat: 'a/b',
        },
      ],
    };
    await writeFile(join(dir, 'scene.nk'), 'nuke script');
    const loaded = await checkJobFile(data, path);
    const error = await buildProject(loaded).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    const problems = (error as InvalidRequestError).fieldErrors;
    expect(problems.map((p) => p.field)).toEqual(['jobs[1].file', 'jobs[1].frames', 'jobs[1].outputFormat']);
    expect(problems[0]?.message).toContain('.blend');
  });

  it("places a job's scene below the remote root by core's rule of inside the project folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gm-build-'));
    dirs.push(dir);
    await writeFile(join(dir, '..scene.nk'), 'nuke script');
    const path = join(dir, 'job.json');
    const file = './sub/../..scene.nk';
    const data = { jobs: [{ name: 'a', product: 'nuke', appVersion: '13.0', file, frames: '1 2' }] };
    // A name that starts with two dots is still a file of the folder, and `sub/..` stays in it.
    const loaded = await checkJobFile(data, path);
    const job = buildJob(loaded.spec.jobs[0]!, dir, '/p');
    expect(job.path).toBe('/p/..scene.nk');
    expect(job.localPath).toBe(join(dir, '..scene.nk'));
  });
});
