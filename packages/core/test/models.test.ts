/**
 * Bad inputs to the models are InvalidRequestErrors naming the field, thrown when the value is made; the checks
 * that need a whole project (dependencies, job count) run before anything is sent.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  EnvoyClient,
  fileNameProblem,
  folderTimestamp,
  InvalidRequestError,
  Job,
  MAX_JOB_FRAMES,
  MAX_JOBS,
  MAX_OUTPUT_FORMAT_LENGTH,
  Project,
  projectNameProblem,
  projectProblems,
  submissionTimestamp,
  toSubmitBody,
  WatchFile,
} from '../src/index.js';
import { jobFromUnknown } from '../src/internal.js';
import { fakeEnvoy } from './helpers.js';

/** The fields of the InvalidRequestError `make` throws. */
function fieldsOf(make: () => unknown): string[] {
  let thrown: unknown;
  try {
    make();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidRequestError);
  return (thrown as InvalidRequestError).fieldErrors.map((e) => e.field);
}

async function fieldsOfAsync(make: () => Promise<unknown>): Promise<string[]> {
  const thrown = await make().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(InvalidRequestError);
  return (thrown as InvalidRequestError).fieldErrors.map((e) => e.field);
}

const JOB = { name: 'j', app: 'c4d', appVersion: 'R19', path: '/sample_project/sample.c4d' };

let base: string;
let root: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'gm-models-'));
  root = path.join(base, 'sample_project');
  await mkdir(path.join(root, 'gm_results'), { recursive: true });
  await mkdir(path.join(root, 'downloads'), { recursive: true });
  await writeFile(path.join(root, 'sample.c4d'), 'scene');
  await writeFile(path.join(root, 'gm_results', 'frame_0001.png'), 'png');
  await writeFile(path.join(root, 'downloads', 'frame_0002.png'), 'png');
  await writeFile(path.join(root, 'tex.png.gm-download.tmp'), 'half');
  // Named like the results folders but not inside them: project files.
  await mkdir(path.join(root, 'gm_results_old'), { recursive: true });
  await writeFile(path.join(root, 'gm_results_old', 'plate.exr'), 'exr');
  await writeFile(path.join(root, 'downloads.txt'), 'notes');
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('names that become files or folders', () => {
  test.each([
    ['', false],
    ['.', false],
    ['..', false],
    ['a/b', false],
    ['a\\b', false],
    ['tab\there', false],
    ['del\u007f', false],
    ['end.', false],
    ['end ', false],
    ['CON', false],
    ['nul.txt', false],
    ['Com1', false],
    ['lpt9.tar.gz', false],
    ['é'.repeat(101), false], // 202 bytes
    ['é'.repeat(100), true], // 200 bytes
    ['console', true],
    ['shot 1: take 2', true],
  ])('%j valid as a submission name: %s', (name, ok) => {
    expect(fileNameProblem(name) === undefined).toBe(ok);
  });

  test('half of a character (a name cut inside an emoji) is refused, never a URIError from the URL', async () => {
    const cut = '🎬 shot'.slice(1);
    expect(fileNameProblem(cut)).toContain('U+DFAC, a control or half character');
    expect(fieldsOf(() => new Project(root, { name: cut }))).toEqual(['name']);
    expect(fieldsOf(() => new Project(root, { submissionName: `a${cut}` }))).toEqual(['submissionName']);
    const { fetch, requests } = fakeEnvoy({});
    const client = new EnvoyClient({ email: 'a@b.c', accessKey: 'k', fetch });
    for (const call of [
      () => client.getProjectStatus(cut),
      () => client.getProjectFiles(cut),
      () => client.getMachines(cut, 'render'),
      () => client.getMachines('c4d', 'render', { plugins: [cut] }),
      () => client.watchProjectStatus(cut).next(),
    ]) {
      expect(await call().catch((e) => e)).toBeInstanceOf(InvalidRequestError);
    }
    expect(requests).toEqual([]);
    // A whole emoji is fine.
    expect(fileNameProblem('🎬 shot')).toBeUndefined();
  });

  test('output prefixes, results folders and project names also refuse < > : " | ? *', () => {
    for (const c of '<>:"|?*') {
      expect(fileNameProblem(`a${c}b`, { strict: true })).toContain(c);
      expect(projectNameProblem(`a${c}b`)).toContain(c);
    }
    // A submission name is no folder: it may hold ":" (the default one holds the time).
    expect(fileNameProblem('a:b')).toBeUndefined();
  });

  test('a project name with ":" is refused before anything is sent, naming the field and the rule', async () => {
    const made = fieldsOf(() => new Project(root, { name: 'a:b' }));
    expect(made).toEqual(['name']);
    expect(() => new Project(path.join(root, 'shot:1'))).toThrow(/give options.name/);
    const { fetch, requests } = fakeEnvoy({});
    const client = new EnvoyClient({ email: 'a@b.c', accessKey: 'k', fetch });
    for (const call of [
      () => client.getProjectStatus('a:b'),
      () => client.getProjectFiles('a:b'),
      () => client.watchProjectStatus('a:b').next(),
    ]) {
      const error = await call().catch((e) => e);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.message).toContain('name: cannot name a project: "a:b" contains ":"');
    }
    expect(requests).toEqual([]);
  });
});

describe('Project', () => {
  test('options of the wrong type are refused, each named', () => {
    expect(fieldsOf(() => new Project(root, { submissionName: 123 as never }))).toEqual(['submissionName']);
    expect(fieldsOf(() => new Project(root, { outputFolderName: ['x'] as never }))).toEqual([
      'outputFolderName',
    ]);
    expect(fieldsOf(() => new Project(root, { createdAt: new Date(Number.NaN) }))).toEqual(['createdAt']);
    expect(fieldsOf(() => new Project(root, { params: { when: new Date() } }))).toEqual(['params']);
    expect(fieldsOf(() => new Project(root, { projectEnv: 'JOB=/x' as never }))).toEqual(['projectEnv']);
    expect(fieldsOf(() => new Project(root, { outputFolder: 'x' } as never))).toEqual(['outputFolder']);
    expect(fieldsOf(() => new Project(root, 'name' as never))).toEqual(['options']);
    expect(fieldsOf(() => new Project(42 as never))).toEqual(['projectFolder']);
    expect(fieldsOf(() => new Project(root, { name: 'nul' }))).toEqual(['name']);
    expect(fieldsOf(() => new Project(root, { submissionName: 'x'.repeat(201) }))).toEqual([
      'submissionName',
    ]);
  });

  test('params may not set what a named project option sets (Envoy types those)', () => {
    for (const [key, value] of [
      ['project_summary_log_file', 5],
      ['project_param_output', {}],
      ['project_param', 'x'],
      ['project_env', []],
    ] as const) {
      expect(
        fieldsOf(() => new Project(root, { params: { [key]: value } })),
        key,
      ).toEqual([`params.${key}`]);
    }
    expect(new Project(root, { projectEnv: { A: '1' }, params: { other: 1 } }).params).toEqual({ other: 1 });
  });

  test('a submission name may hold ":"; a results folder name may not', () => {
    expect(new Project(root, { submissionName: 'take: 1' }).outputFolderName).toBe('take_ 1');
    expect(fieldsOf(() => new Project(root, { outputFolderName: 'take: 1' }))).toEqual(['outputFolderName']);
  });

  test('two projects made in the same millisecond get different default results folders', () => {
    const createdAt = new Date(2026, 10, 29, 12, 0, 0, 5);
    // Unique by construction, not by luck: even were every random number the same, a process's names never meet.
    const uuid = vi.spyOn(crypto, 'randomUUID').mockReturnValue('00000000-0000-4000-8000-000000000000');
    const values = vi.spyOn(crypto, 'getRandomValues').mockImplementation((array) => array);
    try {
      const folders = Array.from({ length: 1000 }, () => new Project(root, { createdAt }).outputFolderName);
      expect(new Set(folders).size).toBe(1000);
      for (const name of folders) expect(name).toMatch(/^2026-11-29_12-00-00_005000_[0-9a-f]{8}$/);
    } finally {
      uuid.mockRestore();
      values.mockRestore();
    }
  });

  test('a long project name still gives a default submission name of at most 200 bytes', () => {
    const project = new Project(root, { name: 'n'.repeat(199) });
    expect(fileNameProblem(project.submissionName)).toBeUndefined();
  });

  test('the options are copied: changing them later changes nothing', () => {
    const params = { nested: { a: 1 } };
    const project = new Project(root, { params });
    params.nested.a = 2;
    expect(project.params).toEqual({ nested: { a: 1 } });
  });
});

describe('Project.addFiles', () => {
  test('a string where a list is meant is refused, naming the fix', async () => {
    const project = new Project(root);
    const error = await project
      .addFiles(project.localRoot, project.remoteRoot, 'sample.c4d' as never)
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.fieldErrors[0].field).toBe('files');
    expect(error.fieldErrors[0].message).toContain('["sample.c4d"]');
    expect(project.files).toEqual([]);
  });

  test('folders and file names of the wrong type are refused', async () => {
    const project = new Project(root);
    expect(await fieldsOfAsync(() => project.addFiles(undefined as never, project.remoteRoot))).toEqual([
      'localFolder',
    ]);
    expect(await fieldsOfAsync(() => project.addFiles(root, 7 as never))).toEqual(['remoteFolder']);
    expect(await fieldsOfAsync(() => project.addFiles(root, project.remoteRoot, [1] as never))).toEqual([
      'files',
    ]);
  });

  test.skipIf(process.platform === 'win32')(
    'a file named with "\\" or a drive letter (legal on macOS and Linux) is refused before sending',
    async () => {
      const folder = path.join(base, 'odd_names');
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, 'scene.c4d'), 'scene');
      // What unzipping a Windows archive leaves on macOS or Linux, and a name Envoy takes for a drive.
      await writeFile(path.join(folder, 'tex\\wood.png'), 'png');
      const { fetch, requests } = fakeEnvoy({});
      const client = new EnvoyClient({ email: 'a@b.c', accessKey: 'k', fetch });
      const project = new Project(folder);
      await project.addFiles(folder, project.remoteRoot);
      project.addFileList(folder, project.remoteRoot, ['c:notes.txt']);
      project.addJobs(new Job({ ...JOB, path: `${project.remoteRoot}/scene.c4d` }));
      for (const send of [() => client.submitProject(project), () => client.uploadProjectFiles(project)]) {
        const error = await send().catch((e) => e);
        expect(error).toBeInstanceOf(InvalidRequestError);
        expect(error.fieldErrors.map((e: { message: string }) => e.message)).toEqual([
          '"c:notes.txt" holds "\\" or "c:": rename it',
          '"tex\\wood.png" holds "\\" or "c:": rename it',
        ]);
      }
      expect(requests).toEqual([]);
    },
  );

  test('the project’s results folders and temporary download files are never added', async () => {
    const project = new Project(root);
    project.addWatchFiles(new WatchFile(`${project.remoteOutputFolder}/.+`, path.join(root, 'downloads')));
    await project.addFiles(project.localRoot, project.remoteRoot);
    expect(project.files).toEqual(['downloads.txt', 'gm_results_old/plate.exr', 'sample.c4d']);
    // Folders and files named together: each folder walked, the lists merged in order without duplicates.
    const mixed = new Project(root);
    await mixed.addFiles(root, mixed.remoteRoot, [
      'sample.c4d',
      'gm_results_old',
      'downloads.txt',
      'sample.c4d',
    ]);
    expect(mixed.files).toEqual(['downloads.txt', 'gm_results_old/plate.exr', 'sample.c4d']);
    const named = await project
      .addFiles(project.localRoot, project.remoteRoot, [
        'gm_results/frame_0001.png',
        'tex.png.gm-download.tmp',
      ])
      .catch((e) => e);
    expect(named).toBeInstanceOf(InvalidRequestError);
    expect(named.fieldErrors.map((e: { field: string }) => e.field)).toEqual(['files[0]', 'files[1]']);
  });
});

describe('Job', () => {
  test('options from outside the type system get the same checks, every problem named', () => {
    const given: unknown = JSON.parse('{"name":"a","app":"c4d","appVersion":"R19","path":"/p/s.c4d"}');
    expect(jobFromUnknown(given)).toBeInstanceOf(Job);
    let error: unknown;
    try {
      jobFromUnknown({ name: '', app: 'c4d', appVersion: 'R19', path: 'p\\s.c4d', gpu: 'yes' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).fieldErrors.map((e) => e.field)).toEqual(['name', 'path', 'gpu']);
  });

  test("each problem's field is written in the caller's names, once", () => {
    const caller = (field: string) => (field === 'params.frames' ? 'frames' : `job.${field}`);
    let error: unknown;
    try {
      jobFromUnknown(
        {
          name: 'a',
          app: 'c4d',
          appVersion: 'R19',
          path: '/p/s.c4d',
          params: { frames: '5 1', output_prefix: 'a/b' },
          productOptions: { outputFormat: '' },
          creditsBudget: { value: 0, action: 'stop' },
        },
        caller,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).fieldErrors.map((e) => e.field)).toEqual([
      'frames',
      'job.params.output_prefix',
      'job.productOptions.outputFormat',
      'job.creditsBudget.value',
    ]);
  });

  test('parameters JSON cannot carry are refused when the job is made', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) deep = { deep };
    for (const params of [
      { f() {} },
      { s: Symbol('x') },
      { n: 10n },
      { nan: Number.NaN },
      { inf: [Number.POSITIVE_INFINITY] },
      { u: undefined },
      cyclic,
      { d: new Date() },
      { m: new Map() },
      deep,
      [] as never,
      'frames=1' as never,
    ]) {
      expect(
        fieldsOf(() => new Job({ ...JOB, params })),
        String(Object.keys(params)),
      ).toEqual(['params']);
    }
  });

  test('a value shared twice (not a cycle) is fine, and is copied', () => {
    const shared = { x: 1 };
    const params = { a: shared, b: [shared, shared] };
    const job = new Job({ ...JOB, params });
    shared.x = 2;
    expect(job.params).toEqual({ a: { x: 1 }, b: [{ x: 1 }, { x: 1 }] });
  });

  test('counts that are not finite positive integers, strings for lists, unknown options', () => {
    for (const instances of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2' as never]) {
      expect(fieldsOf(() => new Job({ ...JOB, instances }))).toEqual(['instances']);
    }
    expect(fieldsOf(() => new Job({ ...JOB, plugins: 'arnold' as never }))).toEqual(['plugins']);
    expect(fieldsOf(() => new Job({ ...JOB, machine: 'gm4800' } as never))).toEqual(['machine']);
    expect(fieldsOf(() => new Job(null as never))).toEqual(['options']);
    expect(fieldsOf(() => new Job({ ...JOB, params: { output_prefix: 'a/b' } }))).toEqual([
      'params.output_prefix',
    ]);
  });

  test('an output format that cannot name a file extension is refused where it was given', () => {
    for (const format of ['', '   ', 'x'.repeat(MAX_OUTPUT_FORMAT_LENGTH + 1), 'png\n', 42 as never]) {
      expect(
        fieldsOf(() => new Job({ ...JOB, params: { output_format: format } })),
        JSON.stringify(format),
      ).toEqual(['params.output_format']);
      expect(fieldsOf(() => new Job({ ...JOB, productOptions: { outputFormat: format } }))).toEqual([
        'productOptions.outputFormat',
      ]);
    }
    // Real format names pass, Blender's longest included.
    for (const format of [
      'PNG',
      'exr',
      '.tiff',
      'OPEN_EXR',
      'OPEN_EXR_MULTILAYER',
      'x'.repeat(MAX_OUTPUT_FORMAT_LENGTH),
    ]) {
      expect(new Job({ ...JOB, productOptions: { outputFormat: format } }).productOptions.outputFormat).toBe(
        format,
      );
    }
  });

  test('parameters whose type Envoy fixes are checked in params and in product options alike', () => {
    const bad: [string, string, unknown][] = [
      ['output_width', 'outputWidth', '1920'],
      ['output_width', 'outputWidth', 1.5],
      ['output_height', 'outputHeight', 0],
      ['output_upload', 'outputUpload', '/p/render/.+'],
      ['billing_meta', 'billingMeta', 'c4d'],
      ['billing_meta', 'billingMeta', [1]],
    ];
    for (const [wire, option, value] of bad) {
      expect(
        fieldsOf(() => new Job({ ...JOB, params: { [wire]: value } })),
        wire,
      ).toEqual([`params.${wire}`]);
      expect(
        fieldsOf(() => new Job({ ...JOB, productOptions: { [option]: value } })),
        option,
      ).toEqual([`productOptions.${option}`]);
    }
    const good = new Job({
      ...JOB,
      params: { output_width: 1920, output_upload: ['/p/render/.+'], billing_meta: ['c4d'] },
      productOptions: { outputHeight: 1080 },
    });
    expect(good.params.output_width).toBe(1920);
  });

  test('a product option may not set what a job option, the project or the frames set', () => {
    for (const option of [
      'frames',
      'instances',
      'machineType',
      'gpu',
      'plugins',
      'creditsBudget',
      'outputDirName',
    ]) {
      expect(
        fieldsOf(() => new Job({ ...JOB, productOptions: { [option]: 'x' } })),
        option,
      ).toEqual([`productOptions.${option}`]);
    }
    // Names every object has are no option names (they used to be sent as "function Object() { [native code] }").
    for (const option of ['constructor', 'toString']) {
      expect(
        fieldsOf(() => new Job({ ...JOB, productOptions: { [option]: 'x' } })),
        option,
      ).toEqual([`productOptions.${option}`]);
    }
  });

  test('a job renders at most MAX_JOB_FRAMES distinct frames', () => {
    expect(new Job({ ...JOB, params: { frames: `1 ${MAX_JOB_FRAMES}` } }).params.frames).toBe(
      `1 ${MAX_JOB_FRAMES}`,
    );
    expect(new Job({ ...JOB, params: { frames: `1 ${MAX_JOB_FRAMES},1 10` } }).params.frames).toBeDefined();
    for (const frames of [`1 ${MAX_JOB_FRAMES + 1}`, '1 100000000000', `1 ${MAX_JOB_FRAMES},-5 0`]) {
      expect(
        fieldsOf(() => new Job({ ...JOB, params: { frames } })),
        frames,
      ).toEqual(['params.frames']);
    }
  });

  test('the empty machine type means the account default: accepted and not sent', () => {
    const project = new Project('/work/sample_project');
    const job = new Job({ ...JOB, machineType: '' });
    project.addJobs(job);
    expect(projectProblems(project, { submit: true })).toEqual([]);
    expect(toSubmitBody(project).project_request.jobs[0]!.params).not.toHaveProperty('machine_type');
  });
});

describe('dependencies', () => {
  const chain = (n: number): Job[] => {
    const jobs: Job[] = [];
    for (let i = 0; i < n; i++) {
      jobs.push(new Job({ ...JOB, name: `j${i}`, dependencies: i === 0 ? [] : [jobs[i - 1]!] }));
    }
    return jobs;
  };

  test('a chain of the most jobs a project may hold is added and sent without overflowing the stack', () => {
    const project = new Project('/work/sample_project');
    project.addJobs(...chain(MAX_JOBS).reverse());
    expect(projectProblems(project, { submit: true })).toEqual([]);
    const body = toSubmitBody(project);
    expect(body.project_request.jobs).toHaveLength(MAX_JOBS);
    expect(body.project_request.jobs[0]!.dependencies).toHaveLength(1);
  });

  test('a 20,000-deep chain is refused with a typed error, and nothing is sent', async () => {
    const project = new Project('/work/sample_project');
    const jobs = chain(20_000);
    expect(fieldsOf(() => project.addJobs(...jobs))).toEqual(['jobs']);
    expect(project.jobs).toHaveLength(0);
    // The last alone: the rest of its chain is outside the project.
    expect(fieldsOf(() => project.addJobs(jobs[19_999]!))).toEqual(['jobs[0].dependencies']);
    const envoy = fakeEnvoy({});
    const client = new EnvoyClient({
      email: 'a@b.c',
      accessKey: 'k',
      url: 'http://envoy.test',
      fetch: envoy.fetch,
    });
    const error = await client.submitProject(project).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(envoy.requests).toHaveLength(0);
  });

  test('no cycle can be built: a job only names jobs made before it; only jobs can be dependencies', () => {
    const a = new Job(JOB);
    const b = a.withDependencies(a);
    // b waits for a; a new a' that waits for b is another job, so a → b → a cannot close.
    const a2 = a.withDependencies(b);
    expect(a2.id).not.toBe(a.id);
    expect(a.dependencies).toEqual([]);
    expect(fieldsOf(() => a.withDependencies({} as never))).toEqual(['dependencies[0]']);
    expect(fieldsOf(() => new Job({ ...JOB, dependencies: 'a' as never }))).toEqual(['dependencies']);
    expect(fieldsOf(() => new Project('/work/p').addJobs({ ...JOB } as never))).toEqual(['jobs[0]']);
  });
});

describe('WatchFile', () => {
  test('relative and climbing folders are refused', () => {
    for (const folder of ['results', './results', '../results', '/work/p/../elsewhere', 'c:results', '']) {
      expect(
        fieldsOf(() => new WatchFile('/p/.+', folder)),
        folder,
      ).toEqual(['downloadPath']);
    }
    expect(new WatchFile('/p/.+', 'C:\\results').downloadPath).toBe('C:\\results');
    expect(new WatchFile('/p/.+', '\\\\server\\share\\results').downloadPath).toBe(
      '\\\\server\\share\\results',
    );
  });

  test('patterns are RE2: invalid, back-references, look-around and over-long ones are refused', () => {
    for (const pattern of [
      '/p/([unclosed',
      '/p/(a)\\1',
      '/p/(?=x).+',
      '/p/(?<!x).+',
      'x'.repeat(1001),
      '',
      5,
    ]) {
      expect(
        fieldsOf(() => new WatchFile(pattern as string, '/tmp/x')),
        String(pattern),
      ).toEqual(['pattern']);
    }
    expect(new WatchFile('/p/render_results/[^/]+/.+\\.png', '/tmp/x').pattern).toContain('png');
  });

  test('a pattern with a ".." segment (dots escaped or not, either separator) is refused, as Envoy refuses it', () => {
    for (const pattern of ['/p/render_results/../.+', '/p/render_results/\\.\\./.+', '\\\\p\\\\..\\\\.+']) {
      expect(
        fieldsOf(() => new WatchFile(pattern, '/tmp/x')),
        pattern,
      ).toEqual(['pattern']);
    }
    // Dots that are not a whole segment are fine.
    expect(new WatchFile('/p/render_results/..take2/.+', '/tmp/x').pattern).toContain('take2');
  });

  test('a pattern holding NUL or another control character is refused, naming it', () => {
    for (const [pattern, code] of [
      ['/p/render_results/.+\u0000', '0000'],
      ['/p/\tx/.+', '0009'],
      ['/p/\u007f.+', '007F'],
    ] as const) {
      const error = (() => {
        try {
          new WatchFile(pattern, '/tmp/x');
        } catch (e) {
          return e as InvalidRequestError;
        }
      })();
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error?.fieldErrors).toEqual([
        { field: 'pattern', message: expect.stringContaining(`U+${code}`) },
      ]);
    }
    // Written as an escape, the regular expression may still name one.
    expect(new WatchFile('/p/\\t.+', '/tmp/x').pattern).toBe('/p/\\t.+');
  });

  test('a download folder that is a regular file is refused by submitProject, before anything is sent', async () => {
    const project = new Project(root, { name: 'sample_project' });
    project.addJobs(new Job(JOB));
    const file = path.join(base, 'not-a-folder.txt');
    await writeFile(file, 'x');
    project.addWatchFiles(new WatchFile('/sample_project/.+', file));
    const envoy = fakeEnvoy({});
    const client = new EnvoyClient({ email: 'a@b.c', accessKey: 'k', fetch: envoy.fetch });
    const error = await client.submitProject(project).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.fieldErrors).toEqual([
      { field: 'watchFiles[0].downloadPath', message: expect.stringContaining(`${file} is a file`) },
    ]);
    // A folder below the file cannot be made either.
    const below = new Project(root, { name: 'sample_project' });
    below.addJobs(new Job(JOB));
    below.addWatchFiles(new WatchFile('/sample_project/.+', path.join(file, 'results')));
    expect((await client.submitProject(below).catch((e) => e)).fieldErrors[0].field).toBe(
      'watchFiles[0].downloadPath',
    );
    expect(envoy.requests).toEqual([]);
    // Nothing is downloaded with skipAutoDownload: the folder is not looked at, the request goes out.
    const skipped = await client.submitProject(project, { skipAutoDownload: true }).catch((e) => e);
    expect(skipped).not.toBeInstanceOf(InvalidRequestError);
    expect(envoy.requests.length).toBeGreaterThan(0);
  });

  test('watch rules are frozen', () => {
    const watch = new WatchFile('/p/.+', '/tmp/x');
    expect(() => {
      (watch as { pattern: string }).pattern = '(';
    }).toThrow(TypeError);
  });
});

describe('output formats and remap files', () => {
  test('an output format is a format name, never a path', () => {
    for (const format of ['../png', 'out/png', 'a\\b', '..', '.']) {
      const fields = fieldsOf(() => new Job({ ...JOB, params: { output_format: format } }));
      expect(fields, format).toEqual(['params.output_format']);
      expect(fieldsOf(() => new Job({ ...JOB, productOptions: { outputFormat: format } }))).toEqual([
        'productOptions.outputFormat',
      ]);
    }
    for (const format of ['PNG', 'exr', 'OPEN_EXR', 'jpeg.2000']) {
      expect(new Job({ ...JOB, params: { output_format: format } }).params.output_format).toBe(format);
    }
  });

  test('a remap file is a remote file of the project: no "..", no relative or other project\'s path', () => {
    for (const remap of [
      '../../etc/passwd',
      '/sample_project/../../etc/passwd',
      'remap.xml',
      'C:\\remap.xml',
      '',
    ]) {
      expect(
        fieldsOf(() => new Job({ ...JOB, params: { remap_file: remap } })),
        remap,
      ).toEqual(['params.remap_file']);
    }
    const elsewhere = new Job({ ...JOB, productOptions: { remapFile: '/other_project/remap.xml' } });
    expect(fieldsOf(() => new Project(root, { name: 'sample_project' }).addJobs(elsewhere))).toEqual([
      'jobs[0].productOptions.remapFile',
    ]);
    const inside = new Job({ ...JOB, params: { remap_file: '/sample_project/maps/remap.xml' } });
    expect(new Project(root, { name: 'sample_project' }).addJobs(inside).jobs).toHaveLength(1);
  });
});

describe('parameters a JSON service refuses', () => {
  test('a "__proto__" key (prototype poisoning) is refused when the job or project is made', () => {
    const poisoned = JSON.parse('{"__proto__": {"admin": true}}');
    expect(fieldsOf(() => new Job({ ...JOB, params: { nested: poisoned } }))).toEqual(['params']);
    expect(fieldsOf(() => new Project(root, { params: poisoned }))).toEqual(['params']);
    expect(fieldsOf(() => new Job({ ...JOB, params: { constructor: { prototype: {} } } }))).toEqual([
      'params',
    ]);
    expect(new Job({ ...JOB, params: { constructor: 'ok' } }).params).toEqual({ constructor: 'ok' });
  });
});

describe('default names', () => {
  test('the submission time is a 12-hour clock with AM/PM: midnight is 12 AM, noon 12 PM', () => {
    expect(submissionTimestamp(new Date(2026, 10, 29, 16, 25, 35))).toBe('2026-Nov-29 04:25:35 PM');
    expect(submissionTimestamp(new Date(2026, 0, 2, 0, 5, 0))).toBe('2026-Jan-02 12:05:00 AM');
    expect(submissionTimestamp(new Date(2026, 5, 30, 12, 0, 9))).toBe('2026-Jun-30 12:00:09 PM');
    expect(submissionTimestamp(new Date(2026, 5, 30, 11, 59, 59))).toBe('2026-Jun-30 11:59:59 AM');
    const project = new Project('/tmp/shot', { createdAt: new Date(2026, 10, 29, 23, 1, 2) });
    expect(project.submissionName).toBe('shot 2026-Nov-29 11:01:02 PM');
  });

  test('the results folder time has microseconds', () => {
    expect(folderTimestamp(new Date(2026, 10, 29, 16, 25, 35, 123))).toBe('2026-11-29_16-25-35_123000');
  });
});
