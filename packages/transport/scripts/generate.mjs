#!/usr/bin/env node
// Generates src/generated/ from openapi/envoy.yaml: the TypeScript types (openapi-typescript, reading the
// repo's redocly.yaml) and openapi.json, the contract as JSON for runtime use (the emulator routes from it).
// With --check, writes nothing and fails when a generated file differs from what the contract gives.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(pkg, '..', '..');
const argv = process.argv.slice(2);
const check = argv.includes('--check');
// --dir lets tests check a copy of the generated folder.
const dirIndex = argv.indexOf('--dir');
const outDir = dirIndex >= 0 ? argv[dirIndex + 1] : join(pkg, 'src', 'generated');
const bin = join(pkg, 'node_modules', '.bin', 'openapi-typescript');
const args = [
  join(root, 'openapi', 'envoy.yaml'),
  '--redocly',
  join(root, 'redocly.yaml'),
  '--output',
  join(outDir, 'envoy.ts'),
  '--alphabetize',
  '--root-types',
  '--root-types-no-schema-prefix',
];
let failed = false;

try {
  execFileSync(bin, check ? [...args, '--check'] : args, { cwd: root, stdio: 'inherit' });
} catch {
  failed = true;
}

const jsonPath = join(outDir, 'openapi.json');
const contract = parse(readFileSync(join(root, 'openapi', 'envoy.yaml'), 'utf8'));
const json = `${JSON.stringify(contract, null, 2)}\n`;
if (check) {
  let current = '';
  try {
    current = readFileSync(jsonPath, 'utf8');
  } catch {}
  if (current !== json) {
    console.error(`✘ ${jsonPath} differs from openapi/envoy.yaml: run \`pnpm generate\``);
    failed = true;
  } else {
    console.log('✓ openapi.json is up to date');
  }
} else {
  writeFileSync(jsonPath, json);
}
if (failed) {
  console.error(
    'Generated files are out of date or were edited by hand: run `pnpm generate` and commit the result.',
  );
  process.exit(1);
}
