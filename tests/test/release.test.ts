/**
 * The first release as `pnpm version-packages` writes it, in a scratch copy of the workspace's manifests and
 * pending changesets: every package goes from 0.0.0 to its first version with a changelog that says "Initial
 * release" and what the package does, not the history of changes made before anything was published.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const exec = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('pnpm version-packages, for the first release', () => {
  let scratch: string;
  let folders: string[];
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'gm-release-'));
    for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset']) {
      await cp(join(root, file), join(scratch, file), { recursive: true });
    }
    folders = [];
    for (const group of ['packages', 'apps']) {
      for (const name of await readdir(join(root, group))) folders.push(`${group}/${name}`);
    }
    for (const folder of [...folders, 'tests', 'bench']) {
      await mkdir(join(scratch, folder), { recursive: true });
      await cp(join(root, folder, 'package.json'), join(scratch, folder, 'package.json'));
    }
    await exec(process.execPath, [join(root, 'scripts', 'version-packages.mjs')], {
      cwd: scratch,
      env: { ...process.env, GM_RELEASE_ROOT: scratch },
    });
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('gives each package a first version and a changelog that says "Initial release" and what it does', async () => {
    expect(folders.length).toBeGreaterThanOrEqual(6);
    for (const folder of folders) {
      const manifest = JSON.parse(await readFile(join(scratch, folder, 'package.json'), 'utf8'));
      expect(manifest.version, folder).not.toBe('0.0.0');
      const changelog = await readFile(join(scratch, folder, 'CHANGELOG.md'), 'utf8');
      expect(changelog, folder).toBe(
        `# ${manifest.name}\n\n## ${manifest.version}\n\nInitial release. ${manifest.description}\n`,
      );
    }
  });

  it('uses up the pending changesets', async () => {
    const left = (await readdir(join(scratch, '.changeset'))).filter(
      (f) => f.endsWith('.md') && f !== 'README.md',
    );
    expect(left).toEqual([]);
  });
});

describe('the release workflow publishes with provenance', () => {
  const published = async () => {
    const out: { folder: string; manifest: Record<string, unknown> }[] = [];
    for (const group of ['packages', 'apps']) {
      for (const name of await readdir(join(root, group))) {
        const manifest = JSON.parse(await readFile(join(root, group, name, 'package.json'), 'utf8'));
        if (manifest.private !== true) out.push({ folder: `${group}/${name}`, manifest });
      }
    }
    return out;
  };

  it('runs the tests, then changesets with an OIDC token and provenance, publishing through `npm run release`', async () => {
    const workflow = parse(await readFile(join(root, '.github', 'workflows', 'release.yml'), 'utf8'));
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.permissions).toMatchObject({ 'id-token': 'write', contents: 'write' });
    const steps: {
      run?: string;
      uses?: string;
      with?: Record<string, string>;
      env?: Record<string, unknown>;
    }[] = workflow.jobs.release.steps;
    const test = steps.findIndex((s) => s.run === 'npm test');
    const release = steps.findIndex((s) => s.uses?.startsWith('changesets/action@'));
    expect(test).toBeGreaterThanOrEqual(0);
    expect(release).toBeGreaterThan(test);
    expect(steps[release]?.with).toMatchObject({
      version: 'npm run version-packages',
      publish: 'npm run release',
    });
    expect(steps[release]?.env).toMatchObject({ NPM_CONFIG_PROVENANCE: true });
    const rootManifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    expect(rootManifest.scripts.release).toMatch(
      /^node scripts\/release-metadata\.mjs && .*changeset publish$/,
    );
  });

  it('asks for provenance in every published package, whoever publishes it', async () => {
    const packages = await published();
    expect(packages.length).toBeGreaterThanOrEqual(6);
    for (const { folder, manifest } of packages) {
      expect(manifest.publishConfig, folder).toEqual({ access: 'public', provenance: true });
    }
  });

  describe('release-metadata', () => {
    let scratch: string;
    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'gm-release-meta-'));
      for (const { folder } of await published()) {
        await mkdir(join(scratch, folder), { recursive: true });
        await cp(join(root, folder, 'package.json'), join(scratch, folder, 'package.json'));
      }
    });
    afterAll(async () => {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });
    const run = (env: Record<string, string>) =>
      exec(process.execPath, [join(root, 'scripts', 'release-metadata.mjs')], {
        env: {
          ...process.env,
          GITHUB_REPOSITORY: '',
          GITHUB_SERVER_URL: '',
          ...env,
          GM_RELEASE_ROOT: scratch,
        },
      });

    it.each([
      ['', 'GITHUB_REPOSITORY must be owner/name'],
      ['studio', 'GITHUB_REPOSITORY must be owner/name'],
      ['studio/../../x', 'GITHUB_REPOSITORY must be owner/name'],
      ['studio/..', 'GITHUB_REPOSITORY must be owner/name'],
    ])('refuses GITHUB_REPOSITORY=%j and leaves the manifests as they were', async (slug, message) => {
      const before = await readFile(join(scratch, 'packages/core/package.json'), 'utf8');
      const error = await run({ GITHUB_REPOSITORY: slug }).catch((e) => e);
      expect(error.code).toBe(2);
      expect(error.stderr).toContain(message);
      expect(await readFile(join(scratch, 'packages/core/package.json'), 'utf8')).toBe(before);
    });

    it('refuses a server that is not an https origin', async () => {
      const error = await run({ GITHUB_REPOSITORY: 'studio/gm', GITHUB_SERVER_URL: 'http://evil/x' }).catch(
        (e) => e,
      );
      expect(error.code).toBe(2);
      expect(error.stderr).toContain('GITHUB_SERVER_URL must be an https origin');
    });

    it('writes repository (with the folder), homepage and bugs from the repository the release runs in, once', async () => {
      const env = { GITHUB_REPOSITORY: 'studio/gm-envoy-ts', GITHUB_SERVER_URL: 'https://github.com' };
      await run(env);
      const first = new Map<string, string>();
      for (const { folder } of await published()) {
        const text = await readFile(join(scratch, folder, 'package.json'), 'utf8');
        first.set(folder, text);
        const manifest = JSON.parse(text);
        expect(manifest.repository, folder).toEqual({
          type: 'git',
          url: 'git+https://github.com/studio/gm-envoy-ts.git',
          directory: folder,
        });
        expect(manifest.homepage).toBe(`https://github.com/studio/gm-envoy-ts/tree/main/${folder}#readme`);
        expect(manifest.bugs).toEqual({ url: 'https://github.com/studio/gm-envoy-ts/issues' });
        // Nothing else changed.
        const original = JSON.parse(await readFile(join(root, folder, 'package.json'), 'utf8'));
        const { repository, homepage, bugs, ...rest } = manifest;
        expect(rest).toEqual(original);
      }
      // Running it again (a retried release) changes nothing.
      await run(env);
      for (const [folder, text] of first) {
        expect(await readFile(join(scratch, folder, 'package.json'), 'utf8')).toBe(text);
      }
    });
  });
});
