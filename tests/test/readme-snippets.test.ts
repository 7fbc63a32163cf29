/**
 * Every TypeScript snippet of the READMEs and the docs' front page, run as printed: each fenced `ts` block is its own
 * module, type-checked under strict settings and run with node against a fresh emulator, in a folder of its own
 * holding the sample project. What is the reader's own the snippets take from the environment, as the READMEs say:
 * `GM_EMAIL`, `GM_ACCESS_KEY`, `GM_ENVOY_URL` and `PROJECT_FOLDER`. A block that imports vitest is a test file a
 * plugin team would write: it runs under vitest.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEMO_USER, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fencedBlocks, snippetTsconfig } from './guide.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const SAMPLE = join(root, 'apps', 'cli', 'assets', 'sample_project');

/** The documents whose `ts` blocks a reader copies. */
const DOCUMENTS = [
  'README.md',
  'packages/transport/README.md',
  'packages/core/README.md',
  'packages/products/README.md',
  'packages/preflight/README.md',
  'packages/emulator/README.md',
  'apps/cli/README.md',
  'docs/index.md',
];

interface Snippet {
  /** `packages/core/README.md #2`. */
  label: string;
  /** The module's file name, without extension. */
  file: string;
  code: string;
}

const snippets: Snippet[] = [];
for (const document of DOCUMENTS) {
  const markdown = await readFile(join(root, document), 'utf8');
  fencedBlocks(markdown, 'ts').forEach((code, index) => {
    // A block that imports vitest is a test file: named as one, so that vitest finds it.
    const test = /from 'vitest'/.test(code) ? '.test' : '';
    const file = `${document.replace(/\.md$/, '').replace(/[^\w]+/g, '_')}_${index + 1}${test}`;
    snippets.push({ label: `${document} #${index + 1}`, file, code });
  });
}

describe('the README snippets, as printed', () => {
  const compiled = join(here, '..', '.tmp', 'snippets');
  /** What tsc said when compiling the blocks (empty when they type-check). */
  let typecheck = '';
  beforeAll(async () => {
    // Compiled inside this package, so that @gm/* resolve to the workspace's built packages.
    await rm(compiled, { recursive: true, force: true });
    await mkdir(join(compiled, 'out'), { recursive: true });
    await writeFile(join(compiled, 'package.json'), '{ "type": "module" }\n');
    // The test-file blocks run under vitest with its defaults, not this package's settings.
    await writeFile(
      join(compiled, 'out', 'vitest.config.mjs'),
      "export default { test: { include: ['*.test.js'] } };\n",
    );
    for (const s of snippets) await writeFile(join(compiled, `${s.file}.ts`), `${s.code}\nexport {};\n`);
    await writeFile(
      join(compiled, 'tsconfig.json'),
      snippetTsconfig(join(root, 'node_modules', '@types'), { include: ['*.ts'] }),
    );
    const result = await run(process.execPath, [tsc, '-p', compiled], { cwd: compiled }).catch((e) => e);
    typecheck = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  });
  afterAll(async () => {
    await rm(compiled, { recursive: true, force: true });
  });

  it('are there: every document with code shows it in runnable blocks', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(19);
  });

  it('type-check under strict settings, each as a module of its own', () => {
    expect(typecheck).toBe('');
  });

  it.each(snippets.map((s) => [s.label, s] as const))(
    '%s runs against the emulator',
    async (_label, snippet) => {
      const work = await mkdtemp(join(tmpdir(), 'gm-snippet-'));
      const envoy = await startEmulator({ timeScale: 0.01, dataDir: join(work, 'envoy') });
      try {
        const project = join(work, 'shot');
        await cp(SAMPLE, project, { recursive: true });
        const env = {
          ...process.env,
          GM_ENVOY_URL: envoy.url,
          GM_EMAIL: DEMO_USER.email,
          GM_ACCESS_KEY: DEMO_USER.accessKey,
          PROJECT_FOLDER: project,
        };
        const js = join(compiled, 'out', `${snippet.file}.js`);
        const test = /from 'vitest'/.test(snippet.code);
        const result = await run(
          process.execPath,
          test
            ? [
                vitest,
                'run',
                '--root',
                join(compiled, 'out'),
                '--config',
                join(compiled, 'out', 'vitest.config.mjs'),
                `${snippet.file}.js`,
              ]
            : [js],
          { cwd: work, env, timeout: 120_000 },
        ).catch((e) => e);
        expect(result.code ?? 0, `${result.stdout ?? ''}\n${result.stderr ?? ''}`).toBe(0);
      } finally {
        await envoy.close();
        await rm(work, { recursive: true, force: true });
      }
    },
  );
});
