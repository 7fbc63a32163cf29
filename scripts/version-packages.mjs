#!/usr/bin/env node
// `pnpm version-packages`: applies the pending changesets (`changeset version`: bumps versions, writes CHANGELOGs),
// then gives each package released for the first time (it was at 0.0.0) a changelog that says so: "Initial release"
// and what the package does (its package.json description), instead of replaying every changeset of the history
// before anything was published.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedPackages } from './workspace-packages.mjs';

const root = process.env.GM_RELEASE_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const changeset = createRequire(import.meta.url).resolve('@changesets/cli/bin.js');

const before = new Map(publishedPackages(root).map(({ manifest }) => [manifest.name, manifest.version]));
const result = spawnSync(process.execPath, [changeset, 'version'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

for (const { folder, manifest } of publishedPackages(root)) {
  if (before.get(manifest.name) !== '0.0.0' || manifest.version === '0.0.0') continue;
  const text = [
    `# ${manifest.name}`,
    '',
    `## ${manifest.version}`,
    '',
    `Initial release. ${manifest.description}`,
    '',
  ];
  writeFileSync(join(folder, 'CHANGELOG.md'), text.join('\n'));
  console.log(`${manifest.name}@${manifest.version}: first release, CHANGELOG.md says "Initial release".`);
}
