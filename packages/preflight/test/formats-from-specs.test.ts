/** Preflight's extension table against the product specs of `@gm/products`: one source of which product has which extension. */
import { PRODUCT_SPEC_LIST, type ProductSpec, productTables } from '@gm/products';
import { describe, expect, it } from 'vitest';
import { GAFFER as gaffer } from '../../products/test/gaffer.js';
import { SCENE_EXTENSIONS } from '../src/index.js';
import { formatTable } from '../src/scan.js';

describe('the scene extension table', () => {
  it('gives each extension the product the specs give it, and has a format for every product extension', () => {
    const { formats, missing } = formatTable(productTables(PRODUCT_SPEC_LIST).sceneExtensions);
    expect(missing).toEqual([]);
    expect(Object.entries(formats).map(([ext, f]) => [ext, f.format, f.product ?? null])).toEqual([
      ['.blend', 'blend', 'blender'],
      ['.nk', 'nuke', 'nuke'],
      ['.ma', 'maya-ascii', 'maya'],
      ['.mb', 'maya-binary', 'maya'],
      ['.vrscene', 'vrscene', 'vray'],
      ['.usda', 'usda', null],
      ['.usd', 'usda', null],
      ['.usdc', 'usdc', null],
      ['.usdz', 'usdz', null],
      ['.hip', 'houdini', 'hou'],
      ['.hipnc', 'houdini', 'hou'],
      ['.hiplc', 'houdini', 'hou'],
      ['.c4d', 'cinema4d', 'c4d'],
    ]);
    expect(SCENE_EXTENSIONS).toEqual(Object.keys(formats));
  });

  it('names the extension of a product added as a spec that preflight cannot read yet', () => {
    const { missing } = formatTable(productTables([...PRODUCT_SPEC_LIST, gaffer]).sceneExtensions);
    expect(missing).toEqual(['.gfr']);
  });

  it('follows a spec that claims a read format: the product comes from the spec', () => {
    const usd: ProductSpec = {
      ...gaffer,
      code: 'usdview',
      catalogue: { ...gaffer.catalogue, extensions: ['.usd'] },
    };
    const { formats, missing } = formatTable(productTables([...PRODUCT_SPEC_LIST, usd]).sceneExtensions);
    expect(missing).toEqual([]);
    expect(formats['.usd']).toMatchObject({ format: 'usda', product: 'usdview' });
    expect(formats['.usda']?.product).toBeUndefined();
  });
});
