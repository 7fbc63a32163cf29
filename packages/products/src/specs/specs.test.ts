import { InvalidRequestError } from '@gm/core';
import { describe, expect, it } from 'vitest';
import { GAFFER as gaffer } from '../../test/gaffer.js';
import { JOB_BUILDERS } from '../builders/registry.js';
import { PRODUCT_CODES, PRODUCTS, productsForFile } from '../catalogue.js';
import { PRODUCT_SPEC_LIST, PRODUCT_SPECS } from './index.js';
import { productTables } from './tables.js';

const context = { stem: 'shot', project: 'film' };

const common = { name: 'n', appVersion: '1.0', frames: '1 10' };

describe('the product specs', () => {
  it('are the catalogue, in order, each under its own code', () => {
    expect(PRODUCT_CODES).toEqual(PRODUCT_SPEC_LIST.map((s) => s.code));
    for (const spec of PRODUCT_SPEC_LIST) {
      expect(PRODUCTS[spec.code]).toBe(spec.catalogue);
      expect(PRODUCT_SPECS[spec.code]).toBe(spec);
    }
  });

  it('give every product job-file defaults a builder takes as they are, covering every required field', () => {
    for (const spec of PRODUCT_SPEC_LIST) {
      const defaults: Readonly<Record<string, unknown>> = spec.jobFileDefaults(context);
      const fields: Readonly<Record<string, { required: boolean }>> = spec.fields;
      const required = Object.keys(fields).filter((k) => fields[k]!.required);
      expect(Object.keys(defaults), spec.code).toEqual(expect.arrayContaining(required));
      const path = `/film/shot${spec.catalogue.extensions[0]}`;
      const job = (JOB_BUILDERS[spec.code] as (o: unknown) => unknown)({ ...common, path, ...defaults });
      expect(job, spec.code).toBeDefined();
    }
  });

  it('keep the job-file defaults gm init has always written', () => {
    expect(PRODUCT_CODES.map((c) => [c, PRODUCT_SPECS[c].jobFileDefaults(context)])).toEqual([
      ['blender', { outputPrefix: 'shot', outputFormat: 'PNG' }],
      ['c4d', { outputWidth: 1920, outputHeight: 1080, outputPrefix: 'shot', outputFormat: 'PNG' }],
      ['hou', { ropNodeType: 'ifd', ropNodePath: '/out/mantra1', outputUpload: ['/film/render/.+'] }],
      ['maya', { outputWidth: 1920, outputHeight: 1080, outputPrefix: 'shot', outputFormat: 'PNG' }],
      ['nuke', {}],
      ['vray', { outputWidth: 1920, outputHeight: 1080, outputPrefix: 'shot', outputFormat: 'PNG' }],
    ]);
    // Key order is the order gm init writes the lines in.
    expect(Object.keys(PRODUCT_SPECS.c4d.jobFileDefaults(context))).toEqual([
      'outputWidth',
      'outputHeight',
      'outputPrefix',
      'outputFormat',
    ]);
  });
});

describe('productTables', () => {
  it('derives the same tables the package exports from its own specs', () => {
    const tables = productTables(PRODUCT_SPEC_LIST);
    expect(tables.codes).toEqual(PRODUCT_CODES);
    expect(tables.products).toEqual(PRODUCTS);
    expect(tables.productsForFile('a/B.HIPNC')).toEqual(productsForFile('a/B.HIPNC'));
    expect([...tables.sceneExtensions.keys()]).toEqual(PRODUCT_CODES.flatMap((c) => PRODUCTS[c].extensions));
    const options = { ...common, path: '/p/s.blend', outputPrefix: 'a', outputFormat: 'PNG' };
    const { id: _a, ...derived } = tables.builders.blender!(options);
    const { id: _b, ...typed } = JOB_BUILDERS.blender(options);
    expect(derived).toEqual(typed);
    expect(derived).toMatchObject({
      app: 'blender',
      productOptions: { outputPrefix: 'a', outputFormat: 'PNG' },
    });
  });

  it('picks up a product added as one spec: codes, catalogue, builder, defaults and extensions', () => {
    const tables = productTables([...PRODUCT_SPEC_LIST, gaffer]);
    expect(tables.codes).toEqual([...PRODUCT_CODES, 'gaffer']);
    expect(tables.products.gaffer?.name).toBe('Gaffer');
    expect(tables.productsForFile('/p/look.GFR')).toEqual(['gaffer']);
    expect(tables.sceneExtensions.get('.gfr')).toBe('gaffer');

    const defaults = tables.jobFileDefaults('gaffer', context);
    expect(defaults).toEqual({ outputPrefix: 'shot', outputFormat: 'PNG', taskNode: 'Render' });
    const job = tables.builders.gaffer!({
      ...common,
      path: '/film/look.gfr',
      plugins: ['gaffer_cycles'],
      ...defaults,
    });
    expect(job.app).toBe('gaffer');
    expect(job.productOptions).toEqual({ outputPrefix: 'shot', outputFormat: 'PNG', taskNode: 'Render' });

    // The spec's rules are the builder's: its extension, its plugins, its required field, no unknown option.
    const error = (() => {
      try {
        tables.builders.gaffer!({ ...common, path: '/film/look.blend', plugins: ['mtoa'], taskNod: 'R' });
      } catch (e) {
        return e;
      }
    })() as InvalidRequestError;
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.fieldErrors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['path', 'plugins', 'outputPrefix', 'taskNode', 'taskNod']),
    );
    expect(error.fieldErrors.find((e) => e.field === 'path')?.message).toContain(
      'Gaffer file ending in .gfr',
    );
    expect(error.fieldErrors.find((e) => e.field === 'taskNod')?.message).toContain(
      'did you mean "taskNode"',
    );
  });

  it('refuses two products claiming one extension, or one code twice', () => {
    expect(() =>
      productTables([
        ...PRODUCT_SPEC_LIST,
        { ...gaffer, catalogue: { ...gaffer.catalogue, extensions: ['.nk'] } },
      ]),
    ).toThrow('Products "nuke" and "gaffer" both claim .nk');
    expect(() => productTables([gaffer, gaffer])).toThrow('Two product specs have the code "gaffer"');
  });
});
