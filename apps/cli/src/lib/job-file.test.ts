import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './exit-codes.js';
import {
  checkJobFile,
  type JobSpec,
  loadJobFile,
  MAX_JOB_FILE_BYTES,
  MAX_JOB_FILE_STRING,
  orderJobs,
  parseJobFileText,
} from './job-file.js';

const job = (name: string, dependsOn?: string[]): JobSpec => ({
  name,
  product: 'blender',
  appVersion: '4.2',
  file: 'scene.blend',
  frames: '1 10',
  ...(dependsOn ? { dependsOn } : {}),
});

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gm-jobfile-'));
  await mkdir(join(dir, 'proj', 'tex'), { recursive: true });
  await writeFile(join(dir, 'proj', 'scene.blend'), 'BLENDER');
  await writeFile(join(dir, 'proj', 'tex', 'a.png'), 'png');
  return dir;
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).details;
  }
  throw new Error('expected a UsageError');
}

describe('orderJobs', () => {
  it('puts dependencies first', () => {
    const { order, problems } = orderJobs([job('c', ['b']), job('b', ['a']), job('a')]);
    expect(problems).toEqual([]);
    expect(order.map((j) => j.name)).toEqual(['a', 'b', 'c']);
  });

  it('reports cycles, unknown names, self dependencies and duplicates', () => {
    const { problems } = orderJobs([job('a', ['b']), job('b', ['a', 'x']), job('c', ['c']), job('a')]);
    const messages = problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toContain('jobs[3].name: "a" is used twice');
    expect(messages).toContain('jobs[1].dependsOn[1]: names no job in this file ("x")');
    expect(messages).toContain('jobs[2].dependsOn[0]: a job cannot depend on itself');
    expect(messages.some((m) => m.includes('cycle: a -> b -> a'))).toBe(true);
  });
});

describe('parseJobFileText', () => {
  it('reads YAML and JSON', () => {
    expect(parseJobFileText('jobs: []\nname: x')).toEqual({ jobs: [], name: 'x' });
    expect(parseJobFileText('{"jobs": [], "name": "x"}')).toEqual({ jobs: [], name: 'x' });
  });

  it('turns syntax errors and duplicate keys into usage errors', () => {
    expect(() => parseJobFileText('jobs: [')).toThrow(UsageError);
    expect(() => parseJobFileText('name: a\nname: b')).toThrow(UsageError);
  });
});

describe('checkJobFile', () => {
  it('accepts a valid file and resolves the folder and name', async () => {
    const dir = await project();
    const loaded = await checkJobFile(
      { folder: 'proj', files: ['scene.blend', 'tex'], jobs: [job('a'), job('b', ['a'])] },
      join(dir, 'job.yaml'),
    );
    expect(loaded.folder).toBe(join(dir, 'proj'));
    expect(loaded.name).toBe('proj');
    expect(loaded.order.map((j) => j.name)).toEqual(['a', 'b']);
  });

  it('lists schema problems by path', async () => {
    const details = await problemsOf(
      checkJobFile(
        {
          jobs: [
            { ...job('a'), product: 'blendr', instances: 0, budget: { value: -1, action: 'stop' }, extra: 1 },
          ],
        },
        '/x/job.yaml',
      ),
    );
    expect(details).toContain('jobs[0].product: must be one of blender, c4d, hou, maya, nuke, vray');
    expect(details).toContain('jobs[0].instances: must be at least 1');
    expect(details).toContain('jobs[0].budget.value: must be greater than 0');
    expect(details).toContain('jobs[0].extra: is not a known property');
  });

  it('requires at least one job and the required job fields', async () => {
    expect(await problemsOf(checkJobFile({ jobs: [] }, '/x/j.yaml'))).toEqual([
      'jobs: must have at least 1 item',
    ]);
    const details = await problemsOf(checkJobFile({ jobs: [{ name: 'a' }] }, '/x/j.yaml'));
    expect(details).toContain('jobs[0]: is missing the required property "appVersion"');
    expect(details).toContain('jobs[0]: is missing the required property "frames"');
  });

  it('reports files that do not exist, are outside the folder or are not uploaded', async () => {
    const dir = await project();
    const details = await problemsOf(
      checkJobFile(
        {
          folder: 'proj',
          files: ['tex', '../outside.txt', 'nope.txt'],
          jobs: [job('a'), { ...job('b'), file: 'missing.blend' }],
        },
        join(dir, 'job.yaml'),
      ),
    );
    expect(details).toContain('files[1]: ../outside.txt is outside the project folder');
    expect(details.some((d) => d.startsWith('files[2]:') && d.endsWith('does not exist'))).toBe(true);
    expect(details).toContain('jobs[0].file: scene.blend is not among the files to upload');
    expect(details.some((d) => d.startsWith('jobs[1].file:') && d.endsWith('does not exist'))).toBe(true);
  });
});

describe('loadJobFile', () => {
  it('reads a YAML file relative to the working folder', async () => {
    const dir = await project();
    await writeFile(
      join(dir, 'job.yaml'),
      'folder: proj\njobs:\n  - { name: a, product: blender, appVersion: "4.2", file: scene.blend, frames: "1 5" }\n',
    );
    const loaded = await loadJobFile('job.yaml', dir);
    expect(loaded.spec.jobs[0]?.frames).toBe('1 5');
  });

  it('fails with a usage error for a missing file or bad JSON', async () => {
    const dir = await project();
    await expect(loadJobFile('nope.yaml', dir)).rejects.toThrow(UsageError);
    await writeFile(join(dir, 'bad.json'), '{ "jobs": [');
    await expect(loadJobFile('bad.json', dir)).rejects.toThrow(/not valid JSON/);
  });
});

describe('loadJobFile within bounds', () => {
  const line =
    'folder: proj\njobs:\n  - { name: a, product: blender, appVersion: "4.2", file: scene.blend, frames: "1 5" }\n';

  it('refuses a file larger than MAX_JOB_FILE_BYTES before reading it, naming the file and the fix', async () => {
    const dir = await project();
    await writeFile(join(dir, 'big.yaml'), `${line}params:\n  script: "${'x'.repeat(MAX_JOB_FILE_BYTES)}"\n`);
    const error = (await loadJobFile('big.yaml', dir).catch((e: unknown) => e)) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(
      `The job file ${join(dir, 'big.yaml')} has ${MAX_JOB_FILE_BYTES + line.length + 21} bytes`,
    );
    expect(error.hint).toMatch(/keep scripts and data in files of the project/);
  });

  it('refuses a string longer than MAX_JOB_FILE_STRING, naming where it is', async () => {
    const dir = await project();
    const long = 'y'.repeat(MAX_JOB_FILE_STRING + 1);
    await writeFile(
      join(dir, 'long.json'),
      JSON.stringify({ folder: 'proj', jobs: [{ name: 'a', params: { script: long } }] }),
    );
    const error = (await loadJobFile('long.json', dir).catch((e: unknown) => e)) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      `${join(dir, 'long.json')}: jobs[0].params.script is a string of ${MAX_JOB_FILE_STRING + 1} characters, longer than a job file string can be (${MAX_JOB_FILE_STRING}).`,
    );
    await writeFile(
      join(dir, 'key.json'),
      JSON.stringify({ folder: 'proj', jobs: [], params: { ['k'.repeat(MAX_JOB_FILE_STRING + 1)]: 1 } }),
    );
    await expect(loadJobFile('key.json', dir)).rejects.toThrow(/a key of 65537 characters in params/);
    await writeFile(join(dir, 'deep.json'), `${'['.repeat(100)}${']'.repeat(100)}`);
    await expect(loadJobFile('deep.json', dir)).rejects.toThrow(/nested more than 64 levels deep/);
    // At the limit, the file is read as before.
    const edge = { name: 'a', product: 'blender', appVersion: '4.2', file: 'scene.blend', frames: '1 5' };
    await writeFile(
      join(dir, 'edge.json'),
      JSON.stringify({
        folder: 'proj',
        jobs: [{ ...edge, params: { script: 'z'.repeat(MAX_JOB_FILE_STRING) } }],
      }),
    );
    const loaded = await loadJobFile('edge.json', dir);
    expect(String(loaded.spec.jobs[0]?.params?.script)).toHaveLength(MAX_JOB_FILE_STRING);
  });

  it('refuses YAML nested deeper than 64 brackets before building it (a 2 MB file of [ is no gigabyte)', async () => {
    const dir = await project();
    await writeFile(
      join(dir, 'deep.yaml'),
      `${line}params: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}\n`,
    );
    await expect(loadJobFile('deep.yaml', dir)).rejects.toThrow(/nested more than 64 levels deep/);
    // Brackets in strings and plain words are no nesting.
    const words = `${line}params:\n  a: "${'['.repeat(100)}"\n  b: x${'['.repeat(100)}\n`;
    expect((parseJobFileText(words) as { params: unknown }).params).toEqual({
      a: '['.repeat(100),
      b: `x${'['.repeat(100)}`,
    });
  });

  it.runIf(process.platform !== 'win32')('reads no more than the bound from a pipe or a device', async () => {
    const error = (await loadJobFile('/dev/zero').catch((e: unknown) => e)) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      `The job file /dev/zero has more than ${MAX_JOB_FILE_BYTES} bytes, more than a job file can have.`,
    );
  });
});
