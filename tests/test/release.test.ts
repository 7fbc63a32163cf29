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
