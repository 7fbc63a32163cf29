#!/usr/bin/env node
// Generates src/generated/envoy.ts, the emulator's own TypeScript types of openapi/envoy.yaml (openapi-typescript;
// the contract itself is linted by `pnpm lint:api`), from which the route handlers are typed by operationId (src/routes/handlers.ts).
// The emulator shares the contract with the client, never the client's code: it generates its own types.
// With --check, writes nothing and fails when the generated file differs from what the contract gives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { parse } from 'yaml';
import { generatorOptions, writeOrCheck } from '../../../scripts/generated-files.mjs';

const { contractPath, check, outDir } = generatorOptions(import.meta.url);

/**
 * `schema` with an `anyOf` whose branches only add `required` keys (AuthRequest: the email with an access key
 * or a password) spread into one whole object per branch. openapi-typescript gives `unknown` for such a
 * branch, which would make the whole type `unknown`; spread, each branch is the object with its keys required.
 * Anything else is returned as it is.
 */
function spreadRequiredAnyOf(schema) {
  const { anyOf, ...base } = schema;
  const onlyRequired = (branch) =>
    Object.keys(branch).every((key) => key === 'required') && Array.isArray(branch.required);
  if (!Array.isArray(anyOf) || base.type !== 'object' || !anyOf.every(onlyRequired)) return schema;
  const { description, ...object } = base;
  return {
    ...(description === undefined ? {} : { description }),
    anyOf: anyOf.map((branch) => ({
      ...object,
      required: [...(object.required ?? []), ...branch.required],
    })),
  };
}

/**
 * `schema` and every schema inside it, an object that declares its properties and tolerates more
 * (`additionalProperties: true`: a client must accept the fields a later Envoy adds) typed with its declared
 * properties only. The emulator reads and answers those; as TypeScript types are structural, a value with more
 * fields (the emulator's own interfaces, such as `MachineType`) still fits, which an index signature
 * (`[key: string]: unknown`) would refuse. A free-form map (no `properties`) keeps its index signature.
 */
function declaredOnly(schema) {
  if (Array.isArray(schema)) return schema.map(declaredOnly);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'additionalProperties' && value === true && schema.properties) continue;
    out[key] = key === 'example' || key === 'examples' ? value : declaredOnly(value);
  }
  return out;
}

const contract = parse(readFileSync(contractPath, 'utf8'));
for (const [name, schema] of Object.entries(contract.components.schemas)) {
  contract.components.schemas[name] = spreadRequiredAnyOf(declaredOnly(schema));
}
const ast = await openapiTS(contract, {
  alphabetize: true,
  rootTypes: true,
  rootTypesNoSchemaPrefix: true,
  silent: true,
});
const text = `${COMMENT_HEADER}${astToString(ast)}`;
if (!writeOrCheck(join(outDir, 'envoy.ts'), text, check)) process.exit(1);
