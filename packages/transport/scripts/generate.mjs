#!/usr/bin/env node
// Generates src/generated/ from openapi/envoy.yaml: the TypeScript types (openapi-typescript, reading the
// repo's redocly.yaml), openapi.json, the contract as JSON for runtime use (the emulator routes from it), and
// answers.ts, every answer the contract allows (status, media type, schema) for the checker in src/answers.ts.
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

/**
 * The keywords the answer checker (src/answers.ts) evaluates. A schema of an answer that uses any other
 * keyword stops the generation: the checker must learn it first, or answers would pass unchecked.
 */
const CHECKED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'oneOf',
  'enum',
  'pattern',
  'minimum',
  '$ref',
]);
/** Keywords that say nothing about validity: left out of the generated table. */
const ANNOTATIONS = new Set([
  'description',
  'example',
  'examples',
  'summary',
  'title',
  'default',
  'deprecated',
]);
const SCHEMA_REF = '#/components/schemas/';
const RESPONSE_REF = '#/components/responses/';

/** `schema` without annotations, its `$ref`s shortened to the schema's name; `used` collects those names. */
function lean(schema, where, used) {
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (!CHECKED.has(key))
      throw new Error(`generate: ${where} uses "${key}", which src/answers.ts does not check`);
    if (key === '$ref') {
      if (!value.startsWith(SCHEMA_REF)) throw new Error(`generate: ${where}: unsupported $ref ${value}`);
      const name = value.slice(SCHEMA_REF.length);
      used.add(name);
      out.$ref = name;
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, lean(sub, `${where}.${name}`, used)]),
      );
    } else if (key === 'oneOf') {
      out.oneOf = value.map((sub, i) => lean(sub, `${where}.oneOf[${i}]`, used));
    } else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object') {
      out[key] = lean(value, `${where}.${key}`, used);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** One answer of the contract: its media type and, for JSON, its schema. */
function leanResponse(response, where, used) {
  const media = Object.keys(response.content ?? {});
  if (media.length > 1) throw new Error(`generate: ${where} has more than one media type`);
  const type = media[0];
  if (type === undefined) return {};
  const schema = response.content[type].schema;
  return type === 'application/json' ? { media: type, schema: lean(schema, where, used) } : { media: type };
}

/** The source of src/generated/answers.ts: every operation's answers by status, and the schemas they use. */
function answersModule(contract) {
  const used = new Set();
  const responses = {};
  const operations = {};
  for (const [path, item] of Object.entries(contract.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const answers = {};
      for (const [status, response] of Object.entries(operation.responses)) {
        if (response.$ref) {
          const name = response.$ref.slice(RESPONSE_REF.length);
          responses[name] ??= leanResponse(contract.components.responses[name], name, used);
          answers[status] = name;
        } else {
          answers[status] = leanResponse(response, `${operation.operationId} ${status}`, used);
        }
      }
      operations[operation.operationId] = { method: method.toUpperCase(), path, answers };
    }
  }
  const schemas = {};
  const pending = [...used];
  while (pending.length > 0) {
    const name = pending.pop();
    if (name in schemas) continue;
    const before = new Set(used);
    schemas[name] = lean(contract.components.schemas[name], name, used);
    for (const added of used) if (!before.has(added)) pending.push(added);
  }
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((name) => [name, schemas[name]]),
  );
  const table = { operations, responses, schemas: sorted };
  return `// Generated by scripts/generate.mjs from openapi/envoy.yaml: do not edit by hand.
import type { AnswerTable } from '../answers.js';

/** Every answer of every operation of the contract, by status: media type and schema (annotations left out). */
export const ANSWERS: AnswerTable = ${JSON.stringify(table)};
`;
}

const jsonPath = join(outDir, 'openapi.json');
const contract = parse(readFileSync(join(root, 'openapi', 'envoy.yaml'), 'utf8'));
const json = `${JSON.stringify(contract, null, 2)}\n`;
const answersPath = join(outDir, 'answers.ts');
const answers = answersModule(contract);
for (const [path, text] of [
  [jsonPath, json],
  [answersPath, answers],
]) {
  if (check) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`✘ ${path} differs from openapi/envoy.yaml: run \`pnpm generate\``);
      failed = true;
    } else {
      console.log(`✓ ${path.split(/[\\/]/).pop()} is up to date`);
    }
  } else {
    writeFileSync(path, text);
  }
}
if (failed) {
  console.error(
    'Generated files are out of date or were edited by hand: run `pnpm generate` and commit the result.',
  );
  process.exit(1);
}
