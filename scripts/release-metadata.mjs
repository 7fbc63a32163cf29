#!/usr/bin/env node
// `pnpm release` runs this first: it writes into each published package's manifest where its source lives
// (`repository` with the package's folder, `homepage`, `bugs`), taken from the repository the release runs in
// (GitHub Actions sets GITHUB_REPOSITORY and GITHUB_SERVER_URL). npm's provenance ties each package to that
// repository and refuses to publish when `repository.url` names another one, so the fields come from the one
// place that is right by construction. Run by hand: GITHUB_REPOSITORY=owner/name node scripts/release-metadata.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedPackages } from './workspace-packages.mjs';

const root = process.env.GM_RELEASE_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by GitHub Actions for the release, not a turbo task's input
const slug = process.env.GITHUB_REPOSITORY ?? '';
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by GitHub Actions for the release, not a turbo task's input
const server = (process.env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');

if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/.test(slug) || /^[^/]+\/\.\.?$/.test(slug)) {
  console.error(
    `release-metadata: GITHUB_REPOSITORY must be owner/name (as GitHub Actions sets it), not ${JSON.stringify(slug)}`,
  );
  process.exit(2);
}
if (!/^https:\/\/[a-z0-9.-]+(:\d+)?$/i.test(server)) {
  console.error(`release-metadata: GITHUB_SERVER_URL must be an https origin, not ${JSON.stringify(server)}`);
  process.exit(2);
}

const web = `${server}/${slug}`;
for (const { folder, directory, manifest } of publishedPackages(root)) {
  const fields = {
    repository: { type: 'git', url: `git+${web}.git`, directory },
    homepage: `${web}/tree/main/${directory}#readme`,
    bugs: { url: `${web}/issues` },
  };
  // The fields go after `license`, where npm's own `npm init` puts them; anything already there is replaced.
  const out = {};
  for (const [key, value] of Object.entries(manifest)) {
    if (key in fields) continue;
    out[key] = value;
    if (key === 'license') Object.assign(out, fields);
  }
  if (!('repository' in out)) Object.assign(out, fields);
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`${manifest.name}: repository ${fields.repository.url} (${directory})`);
}
