/**
 * The CLI's job-file JSON Schema (apps/cli/schema/job-file.schema.json, written by hand) against the product
 * specs: the product codes it takes, and the product options it knows. A product added as a spec fails here,
 * naming what the schema lacks, until the schema has it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PRODUCT_SPEC_LIST, type ProductSpec } from '../src/index.js';
import { GAFFER as gaffer } from './gaffer.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const schema = JSON.parse(readFileSync(join(ROOT, 'apps/cli/schema/job-file.schema.json'), 'utf8'));
const jobProps: Record<string, { enum?: unknown[]; description?: string }> = schema.$defs.job.properties;

/** The job options every product takes (core's `Job` and the job-file keys), not a spec's own. */
const COMMON = [
  'name',
  'product',
  'appVersion',
  'file',
  'operation',
  'frames',
  'instances',
  'machineType',
  'plugins',
  'gpu',
  'dependsOn',
  'budget',
  'params',
];

/** What the schema lacks or has beyond the given specs, in words. */
function drift(specs: readonly ProductSpec[]): string[] {
  const problems: string[] = [];
  const codes = specs.map((s) => s.code);
  if (JSON.stringify(jobProps.product?.enum) !== JSON.stringify(codes)) {
    problems.push(
      `product enum is ${JSON.stringify(jobProps.product?.enum)}, the specs give ${JSON.stringify(codes)}`,
    );
  }
  const fields = new Set(specs.flatMap((s) => Object.keys(s.fields)));
  for (const spec of specs) {
    for (const field of Object.keys(spec.fields)) {
      if (!Object.hasOwn(jobProps, field))
        problems.push(`${spec.code}: option ${field} is not in the schema`);
    }
  }
  for (const prop of Object.keys(jobProps)) {
    if (!COMMON.includes(prop) && !fields.has(prop))
      problems.push(`${prop}: in the schema, in no product spec`);
  }
  return problems;
}

describe('the job-file schema and the product specs', () => {
  it('agree on the product codes, in order, and on every product option', () => {
    expect(drift(PRODUCT_SPEC_LIST)).toEqual([]);
    for (const spec of PRODUCT_SPEC_LIST) expect(jobProps.product?.description).toContain(spec.code);
  });

  it('name what the schema lacks for a product added as a spec', () => {
    expect(drift([...PRODUCT_SPEC_LIST, gaffer])).toEqual([
      'product enum is ["blender","c4d","hou","maya","nuke","vray"], the specs give ["blender","c4d","hou","maya","nuke","vray","gaffer"]',
      'gaffer: option taskNode is not in the schema',
    ]);
  });
});
