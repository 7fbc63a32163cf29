/**
 * The whole public API of `@gm/core`'s models and `@gm/products` under arbitrary inputs: every call either
 * succeeds or throws a typed error of the packages (a `GridMarketsError`), never a TypeError, RangeError or
 * hang; on a local error nothing was sent; and whatever the client does send, the emulator accepts (except what
 * only the live catalogue can tell: versions, plugin compatibility, machine types).
 *
 * The counts of every outcome are printed as a table at the end, and written to `.tmp/api-properties.json`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fc } from '@fast-check/vitest';
import {
  EnvoyClient,
  GridMarketsError,
  InvalidRequestError,
  Job,
  type JobOptions,
  Project,
  WatchFile,
} from '@gm/core';
import { DEFAULT_PRODUCTS, type RunningEmulator, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blenderJob,
  cinema4dJob,
  countFrames,
  expandFrames,
  formatFrames,
  houdiniJob,
  houdiniProjectParams,
  mayaJob,
  normalizeFrames,
  nukeJob,
  type ProductCode,
  parseFrames,
  validateFrames,
  vrayJob,
} from '../src/index.js';

const USER = { email: 'props@studio.example', accessKey: 'props-key', credits: 1e12 };
/** Fields of Envoy's 400 answers that only the live catalogue can decide (not checkable offline). */
const LIVE_FIELDS =
  /\.(app_version|plugins(\[\d+\])?|params\.machine_type|params\.plugins(\[\d+\])?|operation|app)$/;

type Outcome =
  | 'typed before sending'
  | 'crash'
  | 'accepted'
  | 'sent before checking'
  | 'refused on live data';
const tally: Record<string, Record<Outcome, number>> = {};
const crashes: string[] = [];
const missed: string[] = [];
const live: string[] = [];

let envoy: RunningEmulator;
let client: EnvoyClient;
let requests = 0;
let base: string;
let root: string;

const FILES: Record<ProductCode, string> = {
  blender: 'scene.blend',
  c4d: 'scene.c4d',
  hou: 'scene.hip',
  maya: 'scene.mb',
  nuke: 'comp.nk',
  vray: 'scene.vrscene',
};

beforeAll(async () => {
  envoy = await startEmulator({ port: 0, timeScale: 0.0005, users: [USER] });
  const counting = (request: Request) => {
    requests++;
    return fetch(request);
  };
  client = new EnvoyClient({
    url: envoy.url,
    email: USER.email,
    accessKey: USER.accessKey,
    fetch: counting,
    retries: 0,
  });
  base = await mkdtemp(path.join(tmpdir(), 'gm-props-'));
  root = path.join(base, 'props_project');
  await mkdir(root);
  for (const file of Object.values(FILES)) await writeFile(path.join(root, file), 'scene');
  // Upload the scenes once; each submission below lists them without uploading again.
  const project = new Project(root);
  await project.addFiles(project.localRoot, project.remoteRoot);
  await client.uploadProjectFiles(project);
  for await (const _ of client.watchProjectStatus(project.name, { intervalMs: 50 }));
  requests = 0;
}, 120_000);

afterAll(async () => {
  await envoy?.close();
  await rm(base, { recursive: true, force: true });
  const rows = Object.entries(tally);
  const total = (o: Outcome) => rows.reduce((sum, [, t]) => sum + t[o], 0);
  const outcomes: Outcome[] = [
    'typed before sending',
    'crash',
    'accepted',
    'sent before checking',
    'refused on live data',
  ];
  const tried = rows.reduce((sum, [, t]) => sum + outcomes.reduce((s, o) => s + t[o], 0), 0);
  const lines = [
    `| call | inputs | ${outcomes.join(' | ')} |`,
    `|---|---|${outcomes.map(() => '---').join('|')}|`,
    ...rows.map(
      ([call, t]) =>
        `| ${call} | ${outcomes.reduce((s, o) => s + t[o], 0)} | ${outcomes.map((o) => t[o]).join(' | ')} |`,
    ),
    `| **all** | ${tried} | ${outcomes.map(total).join(' | ')} |`,
  ];
  console.log(`\n${lines.join('\n')}\n`);
  await mkdir('.tmp', { recursive: true });
  await writeFile(
    '.tmp/api-properties.json',
    JSON.stringify({ tally, tried, crashes, missed, live, table: lines }, null, 2),
  );
}, 60_000);

/**
 * Runs `call` (which may submit what it built) and files its outcome under `name`. A call that throws
 * anything but a GridMarketsError, or does not settle in 30 s, is a crash; a 400 from the emulator is a check
 * the client missed, unless it is about live data.
 */
async function probe(name: string, input: unknown, call: () => unknown): Promise<Outcome> {
  tally[name] ??= {
    'typed before sending': 0,
    crash: 0,
    accepted: 0,
    'sent before checking': 0,
    'refused on live data': 0,
  };
  const before = requests;
  let outcome: Outcome;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => call())(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('hang: no answer in 30 s')), 30_000);
      }),
    ]);
    outcome = 'accepted';
  } catch (error) {
    const sent = requests > before;
    if (!(error instanceof GridMarketsError)) {
      outcome = 'crash';
      crashes.push(`${name}: ${String(error)} for ${show(input)}`);
    } else if (!sent) {
      outcome = 'typed before sending';
    } else if (
      error instanceof InvalidRequestError &&
      error.fieldErrors.length > 0 &&
      error.fieldErrors.every((e) => LIVE_FIELDS.test(e.field))
    ) {
      outcome = 'refused on live data';
      live.push(`${name}: ${error.fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    } else {
      outcome = 'sent before checking';
      missed.push(`${name}: ${error.message.split('\n').slice(0, 3).join(' ')} for ${show(input)}`);
    }
  } finally {
    clearTimeout(timer);
  }
  tally[name]![outcome]++;
  return outcome;
}

function show(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_, v) =>
        typeof v === 'bigint' ? `${v}n` : typeof v === 'function' ? 'function' : v,
      ) ?? String(value)
    ).slice(0, 300);
  } catch {
    try {
      return String(value).slice(0, 300);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
}

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

function deep(levels: number): Record<string, unknown> {
  let o: Record<string, unknown> = {};
  for (let i = 0; i < levels; i++) o = { o };
  return o;
}

/** Values a careless caller passes: wrong types, edge numbers, hostile strings and objects. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom<unknown>(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1,
    0,
    1.5,
    2 ** 60,
    10n,
    Symbol('s'),
    () => 1,
    new Date(Number.NaN),
    new Map(),
    '',
    ' ',
    '.',
    '..',
    'con',
    'NUL.txt',
    'a/b',
    'a\\b',
    'end.',
    'x'.repeat(300),
    'é'.repeat(101),
    '\u0000',
    null,
    undefined,
    [],
    ['a'],
    {},
  ),
  fc.constant(null).map(() => cyclic()),
  fc.constant(null).map(() => deep(200)),
);

/** A value that is usually valid (`valid`) and sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: junk });

/** Optional: absent, usually valid, or anything. */
const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof(fc.constant(undefined), mostly(valid));

const versions = (product: ProductCode) =>
  fc.constantFrom(...DEFAULT_PRODUCTS.filter((p) => p.app_type === product).map((p) => p.version));
const frames = fc
  .array(
    fc
      .tuple(
        fc.integer({ min: -20, max: 40 }),
        // Now and then past the most frames a job may hold (100,000).
        fc.oneof(
          { weight: 9, arbitrary: fc.nat({ max: 10 }) },
          { weight: 1, arbitrary: fc.nat({ max: 200_000 }) },
        ),
        fc.integer({ min: 1, max: 4 }),
      )
      .map(([s, n, st]) => `${s} ${s + n} ${st}`),
    { minLength: 1, maxLength: 3 },
  )
  .map((groups) => groups.join(','));
const names = fc.oneof(fc.constantFrom('shot', 'take: 2', 'é', 'Console'), fc.string({ minLength: 1 }));

/** Submits a project holding `jobs` (the project folder's files listed, not uploaded again). */
async function submitWith(jobs: Job[], project?: Project): Promise<void> {
  const p = project ?? new Project(root, { outputFolderName: 'props' });
  if (p.files.length === 0) await p.addFiles(p.localRoot, p.remoteRoot);
  p.addJobs(...jobs);
  // The scenes are uploaded below /props_project already; a project of another name uploads its own.
  const name = await client.submitProject(p, {
    skipUpload: p.name === 'props_project',
    skipAutoDownload: true,
  });
  // A project submitted can be followed by its name.
  await client.getProjectStatus(name);
}

/** Cases per property: 150, or `GM_RUNS` to search harder (e.g. `GM_RUNS=1500`). */
const RUNS = { numRuns: Number(process.env.GM_RUNS ?? 150) };

// Each property submits up to 150 projects to the emulator: generous time on a loaded machine.
describe('every public call either succeeds or throws a typed error, and nothing is sent on a local error', {
  timeout: 300_000,
}, () => {
  it('new Project(folder, options)', async () => {
    const options = fc.oneof(
      fc.record(
        {
          name: maybe(names),
          submissionName: maybe(names),
          outputFolderName: maybe(names),
          projectSummaryLogFile: maybe(fc.constant('/props_project/log.txt')),
          projectParamOutput: maybe(fc.array(fc.string())),
          projectParam: maybe(fc.dictionary(fc.string(), fc.string())),
          projectEnv: maybe(fc.dictionary(fc.string(), fc.string())),
          params: maybe(
            fc.dictionary(
              fc.oneof(
                fc.string(),
                fc.constantFrom(
                  'project_env',
                  'project_param',
                  'project_param_output',
                  'project_summary_log_file',
                ),
              ),
              fc.jsonValue(),
            ),
          ),
          createdAt: maybe(fc.date()),
        },
        { requiredKeys: [] },
      ),
      junk,
    );
    await fc.assert(
      fc.asyncProperty(mostly(fc.constant('root')), options, async (folder, opts) => {
        await probe('new Project + submit', [folder, opts], async () => {
          const project = new Project(folder === 'root' ? root : (folder as string), opts as never);
          const job = new Job({ name: 'j', app: 'nuke', appVersion: '12.2v4', path: 'x' });
          // A job path under the project's own remote root.
          const inside = new Job({
            name: 'j',
            app: 'nuke',
            appVersion: job.appVersion,
            path: `${project.remoteRoot}/${FILES.nuke}`,
            params: { frames: '1' },
          });
          if (project.localRoot === root) await submitWith([inside], project);
        });
      }),
      RUNS,
    );
  });

  it('new Job(options), addDependencies, setCreditsBudget', async () => {
    const options = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record(
          {
            name: mostly(names),
            app: mostly(fc.constant('nuke')),
            appVersion: mostly(versions('nuke')),
            operation: maybe(fc.constant('render')),
            path: mostly(fc.constant(`/props_project/${FILES.nuke}`)),
            instances: maybe(fc.integer({ min: 1, max: 8 })),
            machineType: maybe(fc.constantFrom('', 'gm4800')),
            plugins: maybe(fc.constant([])),
            gpu: maybe(fc.boolean()),
            // Product options named like job options, wire parameters and object methods, with any value.
            productOptions: maybe(
              fc.dictionary(
                fc.constantFrom(
                  'outputWidth',
                  'outputUpload',
                  'frames',
                  'instances',
                  'gpu',
                  'outputDirName',
                  'camera',
                  'constructor',
                ),
                fc.jsonValue(),
                { maxKeys: 2 },
              ),
            ),
            params: maybe(
              fc.record(
                {
                  frames: mostly(frames),
                  output_prefix: mostly(fc.constant('out')),
                  output_width: mostly(fc.integer({ min: 1, max: 8192 })),
                  output_upload: mostly(fc.constant(['/props_project/render/.+'])),
                  billing_meta: mostly(fc.constant(['nuke'])),
                  extra: fc.jsonValue(),
                },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { weight: 1, arbitrary: junk },
    );
    await fc.assert(
      fc.asyncProperty(options, maybe(fc.double()), junk, async (opts, budget, action) => {
        await probe('new Job + submit', opts, async () => {
          const job = new Job(opts as JobOptions);
          const budgeted =
            budget === undefined ? job : job.withCreditsBudget(budget as number, action as never);
          await submitWith([budgeted]);
        });
        await probe('Job.withDependencies', action, () =>
          new Job({ name: 'a', app: 'nuke', appVersion: '1', path: '/p/a.nk' }).withDependencies(
            action as Job,
          ),
        );
      }),
      RUNS,
    );
  });

  it('new WatchFile(pattern, folder)', async () => {
    const pattern = mostly(
      fc.oneof(
        fc.constant('/props_project/render_results/props/.+'),
        fc.stringMatching(/^[\\/a-z.+*?()[\]{}|^$=<!-]{0,12}$/),
        fc.string({ maxLength: 12 }),
      ),
    );
    const folder = mostly(
      fc.oneof(
        fc.constant(null).map(() => path.join(base, 'downloads')),
        fc.constantFrom('results', './r', '../r', '/tmp/../etc', 'C:\\results', 'c:r'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(pattern, folder, async (p, f) => {
        await probe('new WatchFile + submit', [p, f], async () => {
          const project = new Project(root, { outputFolderName: 'props' });
          project.addWatchFiles(new WatchFile(p as string, f as string));
          await submitWith(
            [nukeJob({ name: 'n', appVersion: '12.2v4', path: `/props_project/${FILES.nuke}`, frames: '1' })],
            project,
          );
        });
      }),
      RUNS,
    );
  });

  it('Project.addFiles, addJobs, addWatchFiles', async () => {
    const localFolder = mostly(fc.constantFrom('root', '.', 'sub', '..', '/'));
    const remoteFolder = mostly(fc.constantFrom('/props_project', 'props_project', '/other', ''));
    const files = maybe(
      fc.array(fc.constantFrom(...Object.values(FILES), 'missing.nk', '../x'), { maxLength: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(localFolder, remoteFolder, files, junk, async (l, r, f, other) => {
        await probe('Project.addFiles', [l, r, f], async () => {
          const project = new Project(root);
          await project.addFiles(l === 'root' ? root : (l as string), r as string, f as string[]);
        });
        await probe('Project.addJobs', other, () => new Project(root).addJobs(other as Job));
        await probe('Project.addWatchFiles', other, () =>
          new Project(root).addWatchFiles(other as WatchFile),
        );
      }),
      RUNS,
    );
  });

  const common = (product: ProductCode) => ({
    name: mostly(names),
    appVersion: mostly(versions(product)),
    path: mostly(fc.constant(`/props_project/${FILES[product]}`)),
    frames: mostly(frames),
    instances: maybe(fc.integer({ min: 1, max: 4 })),
    machineType: maybe(fc.constant('')),
    gpu: maybe(fc.constant(false)),
  });
  const output = {
    outputPrefix: mostly(fc.constantFrom('shot_', 'frame')),
    // Real names, Blender's longest included, and any text around the length limit.
    outputFormat: mostly(
      fc.oneof(
        fc.constantFrom('png', 'exr', 'OPEN_EXR_MULTILAYER'),
        fc.string({ minLength: 28, maxLength: 36 }),
      ),
    ),
  };
  const size = {
    outputWidth: mostly(fc.integer({ min: 1, max: 4096 })),
    outputHeight: mostly(fc.integer({ min: 1, max: 4096 })),
  };
  const builders: [string, ProductCode, (o: never) => Job, Record<string, fc.Arbitrary<unknown>>][] = [
    ['blenderJob', 'blender', blenderJob, { ...output, engine: maybe(fc.constant('CYCLES')) }],
    ['cinema4dJob', 'c4d', cinema4dJob, { ...output, ...size }],
    [
      'houdiniJob',
      'hou',
      houdiniJob,
      {
        ropNodeType: mostly(fc.constant('ifd')),
        ropNodePath: mostly(fc.constant('/out/mantra1')),
        outputUpload: mostly(fc.constant(['/props_project/render/.+'])),
        operation: maybe(fc.constantFrom('render', 'sim', 'batch')),
      },
    ],
    ['mayaJob', 'maya', mayaJob, { ...output, ...size, camera: maybe(fc.constant('persp')) }],
    ['nukeJob', 'nuke', nukeJob, {}],
    ['vrayJob', 'vray', vrayJob, { ...output, ...size, rtEngine: maybe(fc.constantFrom('cuda', 0, 5)) }],
  ];
  for (const [name, product, build, own] of builders) {
    it(`${name}(options)`, async () => {
      const options = fc.oneof(
        { weight: 6, arbitrary: fc.record({ ...common(product), ...own }, { requiredKeys: [] }) },
        { weight: 1, arbitrary: junk },
      );
      await fc.assert(
        fc.asyncProperty(options, async (opts) => {
          await probe(`${name} + submit`, opts, async () => submitWith([build(opts as never)]));
        }),
        RUNS,
      );
    });
  }

  it('houdiniProjectParams(options)', async () => {
    const options = fc.oneof(
      fc.record(
        {
          summaryLogFile: maybe(fc.constant('/props_project/log.txt')),
          paramOutput: maybe(fc.array(fc.string({ minLength: 1 }))),
          param: maybe(fc.dictionary(fc.string(), fc.string())),
          env: maybe(fc.dictionary(fc.string(), fc.string())),
        },
        { requiredKeys: [] },
      ),
      junk,
    );
    await fc.assert(
      fc.asyncProperty(options, async (opts) => {
        await probe('houdiniProjectParams + submit', opts, async () => {
          const project = new Project(root, {
            outputFolderName: 'props',
            ...houdiniProjectParams(opts as never),
          });
          await submitWith(
            [nukeJob({ name: 'n', appVersion: '12.2v4', path: `/props_project/${FILES.nuke}`, frames: '1' })],
            project,
          );
        });
      }),
      RUNS,
    );
  });

  it('frame helpers', async () => {
    const input = fc.oneof(
      frames,
      fc.string({ maxLength: 20 }),
      fc.array(fc.record({ start: junk, end: junk, step: junk }), { maxLength: 3 }),
      fc.array(
        fc.record({
          start: fc.integer({ min: -100, max: 100 }),
          end: fc.integer({ min: -100, max: 300 }),
          step: fc.integer({ min: -2, max: 5 }),
        }),
        { maxLength: 3 },
      ),
      junk,
    );
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        const v = value as string;
        await probe('parseFrames', value, () => parseFrames(v));
        await probe('validateFrames', value, () => {
          const error = validateFrames(v);
          if (error !== undefined) throw error;
        });
        await probe('countFrames', value, () => countFrames(v));
        await probe('normalizeFrames', value, () => normalizeFrames(v));
        await probe('formatFrames', value, () => formatFrames(v as never));
        await probe('expandFrames', value, () => expandFrames(v).next());
      }),
      RUNS,
    );
  });

  it('has no crash and sends nothing the emulator refuses for a reason known offline', () => {
    expect(crashes).toEqual([]);
    expect(missed).toEqual([]);
  });
});
