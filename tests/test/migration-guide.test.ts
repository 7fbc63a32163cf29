import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { productOptionWireName } from '@gm/core';
import { type RunningEmulator, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fencedBlocks, guideModule, snippetTsconfig } from './guide.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const GUIDE = join(here, '..', '..', 'docs', 'migrating-from-python.md');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Each call of the Python client's documentation, and the TypeScript form the guide must show beside it. */
const CALLS: [python: string, typescript: string][] = [
  ['EnvoyClient()', 'new EnvoyClient('],
  ['authenticate(', 'client.authenticate('],
  ['.version', 'client.version'],
  ['validate_auth()', '.validateAuth()'],
  ['validate_credits()', '.validateCredits()'],
  ['get_user_info()', 'client.getUserInfo()'],
  ['get_product_resolver()', 'client.getProductResolver()'],
  ['get_all_types()', 'resolver.getAllTypes()'],
  ['get_all_types(False)', 'resolver.getAllTypes(false)'],
  ['get_versions_by_type(', 'resolver.getVersionsByType('],
  ['get_compatible_combinations(', 'resolver.getCompatibleCombinations('],
  ['get_machines(', 'client.getMachines('],
  ['MACHINE_CATEGORY_CPU', 'MachineCategory.CPU'],
  ['MACHINE_CATEGORY_GPU', 'MachineCategory.GPU'],
  ['MACHINE_CATEGORY_ALL', 'MachineCategory.ALL'],
  ['Project(', 'new Project('],
  ['add_files(', '.addFiles('],
  ['Job(', 'new Job('],
  ['add_jobs(', '.addJobs('],
  ['project_summary_log_file', 'summaryLogFile'],
  ['add_dependencies(', '.withDependencies('],
  ['set_credits_budget(', '.withCreditsBudget('],
  ['CREDITS_BUDGET_ACTION_STOP', 'CreditsBudgetAction.STOP'],
  ['WatchFile(', 'new WatchFile('],
  ['add_watch_files(', '.addWatchFiles('],
  ['submit_project(project)', 'client.submitProject(project)'],
  ['upload_project_files(', 'client.uploadProjectFiles('],
  ['submit_project(project, True)', 'skipUpload: true'],
  ['get_project_status(', 'client.getProjectStatus('],
  ['AuthenticationError', 'error instanceof AuthenticationError'],
  ['InsufficientCreditsError', 'error instanceof InsufficientCreditsError'],
  ['InvalidRequestError', 'error instanceof InvalidRequestError'],
  ['APIError', 'error instanceof APIError'],
];

/** Every parameter of each product's job in the Python documentation, and its builder option. */
const PARAMETERS: Record<string, [python: string, typescript: string][]> = {
  blenderJob: [
    ['output_prefix', 'outputPrefix'],
    ['output_format', 'outputFormat'],
    ['engine', 'engine'],
  ],
  cinema4dJob: [
    ['output_height', 'outputHeight'],
    ['output_width', 'outputWidth'],
    ['output_multipass_prefix', 'outputMultipassPrefix'],
  ],
  houdiniJob: [
    ['take', 'take'],
    ['rop_nodetype', 'ropNodeType'],
    ['rop_nodepath', 'ropNodePath'],
    ['output_upload', 'outputUpload'],
    ['disk_output_ext', 'diskOutputExt'],
    ['disk_output_mode', 'diskOutputMode'],
    ['disk_output_parm', 'diskOutputParm'],
    ['disk_output_path', 'diskOutputPath'],
    ['disk_output_renderer', 'diskOutputRenderer'],
    ['disk_output_path_parm', 'diskOutputPathParm'],
  ],
  mayaJob: [
    ['camera', 'camera'],
    ['renderer', 'renderer'],
  ],
  nukeJob: [['frames', 'frames']],
  vrayJob: [
    ['rt_engine', 'rtEngine'],
    ['sampling_type', 'samplingType'],
    ['remap_file', 'remapFile'],
  ],
};
const COMMON = ['name', 'appVersion', 'path', 'instances', 'machineType', 'plugins', 'frames', 'gpu'];

describe('docs/migrating-from-python.md', () => {
  let markdown: string;
  beforeAll(async () => {
    markdown = await readFile(GUIDE, 'utf8');
  });

  it('shows every call of the Python documentation beside its TypeScript form', () => {
    const python = fencedBlocks(markdown, 'python').join('\n');
    const typescript = fencedBlocks(markdown, 'ts').join('\n');
    const missing = CALLS.filter(([py, ts]) => !python.includes(py) || !typescript.includes(ts));
    expect(missing).toEqual([]);
  });

  it("gives each product's builder every parameter of the Python documentation", () => {
    const typescript = fencedBlocks(markdown, 'ts').join('\n');
    for (const [builder, parameters] of Object.entries(PARAMETERS)) {
      const call = new RegExp(`${builder}\\(\\{([\\s\\S]*?)\\n\\}\\);`).exec(typescript)?.[1] ?? '';
      expect(call, builder).not.toBe('');
      for (const option of [...COMMON, ...parameters.map(([, ts]) => ts)]) {
        expect(call, `${builder} ${option}`).toMatch(new RegExp(`\\b${option}:`));
      }
      for (const [py] of parameters) expect(call, `${builder} comment ${py}`).toContain(`// ${py}`);
    }
  });

  it("names each product option on the wire as the Python documentation does (core's wire.ts)", () => {
    for (const [builder, parameters] of Object.entries(PARAMETERS)) {
      for (const [py, ts] of parameters) {
        if (ts !== 'frames') expect(productOptionWireName(ts), `${builder} ${ts}`).toBe(py);
      }
    }
  });

  describe('its TypeScript snippets, as one module', () => {
    let envoy: RunningEmulator;
    let work: string;
    let compiled: string;
    beforeAll(async () => {
      // The guide's account, so that its snippets read as a user would write them.
      envoy = await startEmulator({
        timeScale: 0.01,
        users: [
          {
            email: 'artist@studio.example',
            accessKey: 'artist-access-key',
            password: 'your_password',
            name: 'Artist',
          },
        ],
      });
      work = await mkdtemp(join(tmpdir(), 'gm-guide-'));
      await mkdir(join(work, 'sample_project', 'assets'), { recursive: true });
      await writeFile(join(work, 'sample_project', 'sample.c4d'), 'c4d scene');
      await writeFile(join(work, 'sample_project', 'another_file.ext'), 'another file');
      await writeFile(join(work, 'sample_project', 'assets', 'texture.png'), 'texture');
      // Compiled inside this package, so that @gm/* resolve to the workspace's built packages.
      compiled = join(here, '..', '.tmp', 'guide');
      await rm(compiled, { recursive: true, force: true });
      await mkdir(compiled, { recursive: true });
    });
    afterAll(async () => {
      await envoy?.close();
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('type-check under strict settings and run against the emulator', async () => {
      const { source, blocks } = guideModule(markdown);
      expect(blocks).toBeGreaterThan(20);
      await writeFile(join(compiled, 'guide.ts'), source);
      await writeFile(
        join(compiled, 'tsconfig.json'),
        snippetTsconfig(join(here, '..', '..', 'node_modules', '@types'), { files: ['guide.ts'] }),
      );
      await writeFile(join(compiled, 'package.json'), '{ "type": "module" }\n');
      const typecheck = await run(process.execPath, [tsc, '-p', compiled], { cwd: compiled }).catch((e) => e);
      expect(`${typecheck.stdout ?? ''}${typecheck.stderr ?? ''}`).toBe('');

      const { GM_ACCESS_KEY: _, ...env } = process.env;
      const { stdout } = await run(process.execPath, [join(compiled, 'out', 'guide.js')], {
        cwd: work,
        env: { ...env, GM_ENVOY_URL: envoy.url },
        timeout: 240_000,
      });
      const lines = stdout.trim().split('\n');
      if (process.env.GM_GUIDE_PRINT) console.log(stdout);
      expect(lines).toContain('auth true, credits true');
      expect(lines).toContain('Artist: 1000 credits, plan Standard');
      expect(lines).toContain('with hou:17.5.173: hou_redshift htoa; with both: hou_redshift');
      expect(lines).toContain('intersection: hou_redshift (of hou_redshift htoa)');
      expect(lines).toContain('every product job checked');
      expect(lines).toContain('submitted sample_project');
      expect(lines).toContain('finished Completed');
      expect(lines).toContain('upload Uploaded');
      expect(lines).toContain('submitted without upload sample_project: Completed');
      expect(lines).toContain('AuthenticationError 401');
      expect(lines).toContain('refused: files[0]'); // the one path outside the project folder
      // The watch file took the results into the folder it names.
      const results = join(work, 'sample_project', 'my_results');
      const { readdir } = await import('node:fs/promises');
      expect((await readdir(results, { recursive: true })).some((f) => f.endsWith('.png'))).toBe(true);
    });
  });
});
