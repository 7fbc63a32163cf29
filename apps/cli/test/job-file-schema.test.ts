/**
 * The job-file JSON Schema is made from the product specs (scripts/job-file-schema.mjs): the published file is
 * what the specs give, and a product added as a spec (the throwaway "gaffer") is in the schema with no other
 * edit: its code, its scene's options, and the validator made of it takes its jobs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nonEmptyString, PRODUCT_SPEC_LIST, type ProductSpec } from '@gm/products';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { GAFFER } from '../../../packages/products/test/gaffer.js';
import { formatSchema, jobFileSchema } from '../scripts/job-file-schema.mjs';
import { CLI_ROOT } from './helpers.js';

interface JobSchema {
  $defs: { job: { properties: Record<string, { enum?: unknown[]; description?: string; type?: string }> } };
}

const withGaffer = jobFileSchema([...PRODUCT_SPEC_LIST, GAFFER]) as unknown as JobSchema;
const validator = () => new Ajv2020({ allErrors: true, strict: true }).compile(withGaffer);
const gafferJob = (extra: Record<string, unknown>) => ({
  jobs: [{ name: 'g', product: 'gaffer', appVersion: '1.0', file: 'shot.gfr', frames: '1 10', ...extra }],
});

describe('the job-file schema made from the product specs', () => {
  it('is the published file, byte for byte', () => {
    const published = readFileSync(join(CLI_ROOT, 'schema', 'job-file.schema.json'), 'utf8');
    expect(formatSchema(jobFileSchema())).toBe(published);
  });

  it('takes a product added as a spec: its code, in the help, and its own option', () => {
    const props = withGaffer.$defs.job.properties;
    expect(props.product?.enum).toEqual(['blender', 'c4d', 'hou', 'maya', 'nuke', 'vray', 'gaffer']);
    expect(props.product?.description).toBe(
      'Product code: blender, c4d, hou (Houdini), maya, nuke, vray or gaffer.',
    );
    expect(props.taskNode).toEqual({ type: 'string', description: 'Gaffer: task node to run.' });
    const validate = validator();
    expect(validate(gafferJob({ outputPrefix: 'shot', outputFormat: 'PNG', taskNode: 'Render' }))).toBe(true);
    expect(validate(gafferJob({ taskNode: 3 }))).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(['/jobs/0/taskNode']);
  });

  it('refuses two products that describe one option differently', () => {
    const other: ProductSpec<'gaffer2'> = {
      ...GAFFER,
      code: 'gaffer2',
      catalogue: { ...GAFFER.catalogue, extensions: ['.gf2'] },
      fields: {
        taskNode: { required: false, check: nonEmptyString, hint: '', description: 'Something else.' },
      },
    };
    expect(() => jobFileSchema([...PRODUCT_SPEC_LIST, GAFFER, other])).toThrow(
      'Products "gaffer" and "gaffer2" describe the option taskNode differently',
    );
  });
});
