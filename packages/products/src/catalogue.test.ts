import { parsePluginSpec } from '@gm/core';
import { describe, expect, it } from 'vitest';
import {
  isOperationOf,
  isPluginOf,
  isProductCode,
  PRODUCT_CODES,
  PRODUCTS,
  pluginsOf,
  productOf,
  productsForFile,
} from './catalogue.js';
import { PRODUCT_SPECS } from './specs/index.js';

describe('catalogue', () => {
  it('lists the six products with their names', () => {
    expect(PRODUCT_CODES).toEqual(['blender', 'c4d', 'hou', 'maya', 'nuke', 'vray']);
    expect(PRODUCT_CODES.map((p) => PRODUCTS[p].name)).toEqual([
      'Blender',
      'Cinema 4D',
      'Houdini',
      'Maya',
      'Nuke',
      'V-Ray',
    ]);
  });

  it('is each product spec’s catalogue entry, in the order of the specs, and cannot be changed', () => {
    expect(PRODUCT_CODES).toEqual(Object.keys(PRODUCT_SPECS));
    for (const code of PRODUCT_CODES) expect(PRODUCTS[code]).toBe(PRODUCT_SPECS[code].catalogue);
    expect(Object.isFrozen(PRODUCTS)).toBe(true);
  });

  it('lists each product’s plugins from the documentation’s table, Maya under maya', () => {
    expect(pluginsOf('blender')).toEqual(['blender_vray']);
    expect(pluginsOf('c4d')).toEqual(['arnold', 'redshift', 'vray']);
    expect(pluginsOf('hou')).toEqual(['htoa', 'hton', 'hou_redshift', 'prman', 'htot', 'hou_vray']);
    expect(pluginsOf('maya')).toEqual(['mtoa', 'maya_redshift', 'maya_prman', 'maya_vray']);
    expect(pluginsOf('nuke')).toEqual([]);
    expect(pluginsOf('vray')).toEqual([]);
    expect(PRODUCTS.hou.plugins.htot).toBe('FFMPEG Transcode');
  });

  it('knows operations and job-file extensions', () => {
    expect(PRODUCTS.hou.operations).toEqual(['render', 'batch', 'sim']);
    expect(PRODUCTS.hou.defaultOperation).toBe('render');
    expect(isOperationOf('hou', 'sim')).toBe(true);
    expect(isOperationOf('maya', 'sim')).toBe(false);
    expect(productsForFile('/p/scene.HIPNC')).toEqual(['hou']);
    expect(productsForFile('/p/a.mb')).toEqual(['maya']);
    expect(productsForFile('/p/a.vrscene')).toEqual(['vray']);
    expect(productsForFile('/p/a.txt')).toEqual([]);
  });

  it('answers productOf and isPluginOf, versions included', () => {
    expect(productOf('c4d').name).toBe('Cinema 4D');
    expect(productOf('houdini')).toBeUndefined();
    expect(productOf('toString')).toBeUndefined();
    expect(isProductCode('nuke')).toBe(true);
    expect(isProductCode('constructor')).toBe(false);
    expect(isPluginOf('maya', 'mtoa')).toBe(true);
    expect(isPluginOf('maya', 'mtoa:4.0.1')).toBe(true);
    expect(isPluginOf('maya', 'mtoa:')).toBe(false);
    expect(isPluginOf('c4d', 'mtoa')).toBe(false);
    expect(isPluginOf('nuke', 'hton')).toBe(false);
    expect(parsePluginSpec('hou_redshift:2.6.38')).toEqual({ code: 'hou_redshift', version: '2.6.38' });
    expect(parsePluginSpec('vray')).toEqual({ code: 'vray', version: undefined });
  });
});
