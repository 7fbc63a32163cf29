/**
 * The CLI's job-file JSON Schema (apps/cli/schema/job-file.schema.json, generated from the specs) against the job
 * option rules: the builders (the product's own options) and core's `Job` (the options every job shares).
 * Every option a builder takes is in the schema and the other way round; every value the schema refuses for an
 * option is refused by the builders; and the builders' valid examples pass the schema.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fc, test } from '@fast-check/vitest';
import { CreditsBudgetAction, InvalidRequestError, projectNameProblem } from '@gm/core';
import { describe, expect, it } from 'vitest';
import { JOB_BUILDERS, type ProductCode } from '../src/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const schema = JSON.parse(readFileSync(join(ROOT, 'apps/cli/schema/job-file.schema.json'), 'utf8'));

interface Prop {
  type?: string;
  minimum?: number;
  minLength?: number;
  enum?: unknown[];
  items?: Prop;
  $ref?: string;
}
const jobProps: Record<string, Prop> = schema.$defs.job.properties;
/** Keys of a job-file entry that the CLI maps itself (not builder options). */
const FILE_ONLY = ['product', 'file', 'dependsOn', 'budget'];

/** A valid job per product, as a builder takes it. */
const VALID: Record<ProductCode, Record<string, unknown>> = {
  blender: { outputPrefix: 'shot_', outputFormat: 'PNG', engine: 'CYCLES' },
  c4d: { outputPrefix: 'shot_', outputFormat: 'png', outputWidth: 64, outputHeight: 36 },
  hou: { ropNodeType: 'ifd', ropNodePath: '/out/mantra1', outputUpload: ['/p/render/.+'], take: 'Main' },
  maya: { outputPrefix: 'shot', outputFormat: 'exr', outputWidth: 64, outputHeight: 36, camera: 'persp' },
  nuke: {},
  vray: {
    outputPrefix: 'still',
    outputFormat: 'exr',
    outputWidth: 64,
    outputHeight: 36,
    rtEngine: 'cuda',
    samplingType: 'bucket',
  },
};
const FILES: Record<ProductCode, string> = {
  blender: '/p/scene.blend',
  c4d: '/p/scene.c4d',
  hou: '/p/scene.hip',
  maya: '/p/scene.mb',
  nuke: '/p/comp.nk',
  vray: '/p/scene.vrscene',
};
const PRODUCTS = Object.keys(JOB_BUILDERS) as ProductCode[];

function valid(product: ProductCode): Record<string, unknown> {
  return {
    name: 'job',
    appVersion: '1.0',
    path: FILES[product],
    frames: '1 10',
    instances: 2,
    machineType: '',
    gpu: false,
    params: { note: 'x' },
    ...VALID[product],
  };
}

/** The field errors of building `options` with `product`'s builder; empty when it builds. */
function problemsOf(product: ProductCode, options: Record<string, unknown>): string[] {
  try {
    JOB_BUILDERS[product](options as never);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).fieldErrors.map((e) => e.field);
  }
}

/** Whether `product`'s builder reports `option` as not one of its options. */
function isUnknownOption(product: ProductCode, option: string): boolean {
  try {
    JOB_BUILDERS[product]({ ...valid(product), [option]: 'x' } as never);
    return false;
  } catch (error) {
    return (error as InvalidRequestError).fieldErrors.some(
      (e) => e.field === option && / job option/.test(e.message),
    );
  }
}

/** Values the schema refuses for `prop`. */
function schemaInvalid(prop: Prop): unknown[] {
  if (prop.enum) return ['not-one-of-them', 99];
  switch (prop.type) {
    case 'string':
      return [5, true, ['x'], ...(prop.minLength ? [''] : [])];
    case 'integer':
      return ['2', 1.5, ...(prop.minimum !== undefined ? [prop.minimum - 1] : [])];
    case 'boolean':
      return ['yes', 1];
    case 'array':
      return ['x', [5]];
    case 'object':
      return ['x', [1]];
    default:
      return [];
  }
}

/** Whether `value` satisfies `prop` (the keywords the job schema uses). */
function schemaAccepts(prop: Prop, value: unknown): boolean {
  if (prop.enum) return prop.enum.includes(value);
  switch (prop.type) {
    case 'string':
      return typeof value === 'string' && value.length >= (prop.minLength ?? 0);
    case 'integer':
      return Number.isInteger(value) && (value as number) >= (prop.minimum ?? -Infinity);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value) && value.every((v) => (prop.items ? schemaAccepts(prop.items, v) : true));
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

describe('the job-file schema and the builders agree', () => {
  it('every builder option is in the schema, and every schema option is taken by some builder', () => {
    const schemaOptions = Object.keys(jobProps).filter((k) => !FILE_ONLY.includes(k));
    for (const option of schemaOptions) {
      const by = PRODUCTS.filter((p) => !isUnknownOption(p, option));
      expect(by, `no builder takes "${option}"`).not.toEqual([]);
    }
    for (const product of PRODUCTS) {
      for (const option of Object.keys(valid(product))) {
        if (option === 'path') continue; // the job file's `file`, joined to the project root by the CLI
        expect(jobProps, `"${option}" of ${product} is not in the schema`).toHaveProperty(option);
      }
    }
  });

  it('each builder’s valid example passes the schema', () => {
    for (const product of PRODUCTS) {
      expect(problemsOf(product, valid(product)), product).toEqual([]);
      for (const [option, value] of Object.entries(valid(product))) {
        if (option === 'path') continue;
        expect(
          schemaAccepts(jobProps[option]!, value),
          `${product}.${option} = ${JSON.stringify(value)}`,
        ).toBe(true);
      }
    }
  });

  it('every value the schema refuses for an option, the builders refuse too', () => {
    for (const product of PRODUCTS) {
      for (const [option, prop] of Object.entries(jobProps)) {
        if (FILE_ONLY.includes(option) || isUnknownOption(product, option)) continue;
        for (const bad of schemaInvalid(prop)) {
          expect(
            problemsOf(product, { ...valid(product), [option]: bad }),
            `${product}: ${option} = ${JSON.stringify(bad)} passes the builder but not the schema`,
          ).toContain(option);
        }
      }
    }
  });

  it('the budget actions are the same set', () => {
    expect(schema.$defs.budget.properties.action.enum).toEqual(Object.values(CreditsBudgetAction));
  });

  const namePattern = new RegExp(schema.properties.name.pattern, 'u');

  it('the project name: the schema takes what the shared project name rule takes, and refuses ":" like it', () => {
    for (const name of ['shot 2026-Nov-29 04.25.35 PM', 'plain', 'shot 010 - take 2', 'é ünïcode']) {
      expect(projectNameProblem(name), name).toBeUndefined();
      expect(namePattern.test(name), name).toBe(true);
    }
    for (const name of [
      'a/b',
      'a\\b',
      'tab\there',
      'del\u007f',
      'a:b',
      'what?',
      'x*y',
      'a<b',
      'a>b',
      'a"b',
      'a|b',
    ]) {
      expect(projectNameProblem(name), name).toBeDefined();
      expect(namePattern.test(name), name).toBe(false);
    }
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 12 })])(
    'the project name: every name the schema refuses, the shared project name rule refuses too',
    (name) => {
      if (name !== '' && !namePattern.test(name)) expect(projectNameProblem(name)).toBeDefined();
    },
  );
});
