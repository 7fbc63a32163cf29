/**
 * `gm validate`'s work is a plain function: called here with a context made without the argument parser, on a
 * copy of the sample project, it checks the job file offline, prints the same JSON the command prints, and
 * names a job's problem by the job file's own field.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRequestError } from '@gm/core';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../../test/io.js';
import { packagePath } from '../../lib/assets.js';
import { createContext } from '../../lib/context.js';
import { validate } from './index.js';

/** A copy of the sample project with a job file of one Blender job (extra options merged in). */
function sampleJobFile(extra: Record<string, unknown> = {}): string {
  const folder = join(mkdtempSync(join(tmpdir(), 'gm-validate-')), 'sample');
  cpSync(packagePath('assets/sample_project'), folder, { recursive: true });
  const job = {
    name: 'beauty',
    product: 'blender',
    appVersion: '4.2',
    file: 'scene.blend',
    frames: '1 3',
    outputPrefix: 'beauty',
    outputFormat: 'PNG',
    ...extra,
  };
  const path = join(folder, 'job.json');
  writeFileSync(path, JSON.stringify({ name: 'sample', jobs: [job] }));
  return path;
}

describe('validate, called without the argument parser', () => {
  it('checks a job file offline and prints the estimate as JSON', async () => {
    const path = sampleJobFile();
    const io = captureIo(tmpdir());
    await validate(createContext(io, { json: true }), path, { offline: true });
    const report = JSON.parse(io.out());
    expect(report).toMatchObject({ valid: true, offline: true, project: 'sample', totalFrames: 3 });
    expect(report.files).toBe(5); // README.txt, scene.blend, three textures; never the job file
    expect(report.jobs).toEqual([
      expect.objectContaining({ name: 'beauty', product: 'blender', version: '4.2', frames: 3 }),
    ]);
  });

  it("names a job's problem by the job file's field", async () => {
    const path = sampleJobFile({ outputFormat: 'out/png' });
    const error = await validate(createContext(captureIo(tmpdir()), { json: true }), path, {
      offline: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).fieldErrors).toEqual([
      { field: 'jobs[0].outputFormat', message: '"out/png" is a path, not a format name such as "PNG"' },
    ]);
  });
});
