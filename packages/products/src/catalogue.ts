/**
 * The product catalogue: the products GridMarkets Envoy renders, their plugins,
 * operations and job-file extensions, as data with derived types.
 *
 * Source: the "Product types and plugins" table of the Envoy client
 * documentation, as the product specs (`specs/`) hold it.
 *
 * @module
 */

import { parsePluginSpec } from '@gm/core';
import { PRODUCT_SPECS, type ProductSpecs, productsForFileIn } from './specs/index.js';

/**
 * The operation types the Envoy documentation defines.
 *
 * How products use them: every product runs `render`; Houdini also runs
 * `sim` (a simulation) and `batch` (a Houdini-only operation the Houdini job
 * table names: a batch of ROP nodes cooked without rendering, e.g. caches).
 * `composite` and `transcode` are listed by the documentation but no product's
 * job table offers them: Nuke composites run as `render`, and Houdini's FFMPEG
 * transcode plugin (`htot`) runs inside a Houdini job. They are kept here so
 * callers can name them, and no builder sends them.
 */
export const OPERATION_TYPES = {
  render: 'Defines a render operation',
  sim: 'Defines a simulation operation',
  composite: 'Defines a composite operation',
  transcode: 'Defines a transcode operation',
  batch: 'Houdini only: cooks ROP nodes in batch (e.g. caches) without rendering',
} as const;

/** An operation type code: `render`, `sim`, `composite`, `transcode` or `batch`. */
export type OperationType = keyof typeof OPERATION_TYPES;

/**
 * The products, by code: display name, compatible plugins (code → name), supported operations (the first is the
 * default) and job-file extensions: each product spec's `catalogue`, under its code, in the order of
 * `PRODUCT_SPECS` (a product missing here, or under another code, does not compile).
 */
export const PRODUCTS = Object.freeze({
  blender: PRODUCT_SPECS.blender.catalogue,
  c4d: PRODUCT_SPECS.c4d.catalogue,
  hou: PRODUCT_SPECS.hou.catalogue,
  maya: PRODUCT_SPECS.maya.catalogue,
  nuke: PRODUCT_SPECS.nuke.catalogue,
  vray: PRODUCT_SPECS.vray.catalogue,
}) satisfies { readonly [P in keyof ProductSpecs]: ProductSpecs[P]['catalogue'] };

/** A product code: `blender`, `c4d`, `hou`, `maya`, `nuke` or `vray`. */
export type ProductCode = keyof typeof PRODUCTS;

/** The catalogue entry of one product. */
export type ProductInfo<P extends ProductCode = ProductCode> = (typeof PRODUCTS)[P];

/** The display name of a product, e.g. `'Cinema 4D'`. */
export type ProductName = ProductInfo['name'];

/** The plugin codes compatible with product `P` (`never` for Nuke and V-Ray). */
export type PluginOf<P extends ProductCode> = keyof ProductInfo<P>['plugins'] & string;

/** Any plugin code of any product. */
export type PluginCode = { [P in ProductCode]: PluginOf<P> }[ProductCode];

/** A plugin of product `P` as a job names it: `'mtoa'` or with a version, `'mtoa:4.0.1'`. */
export type PluginSpec<P extends ProductCode> = PluginOf<P> | `${PluginOf<P>}:${string}`;

/** The operations product `P` supports. */
export type OperationOf<P extends ProductCode> = ProductInfo<P>['operations'][number];

/** The job-file extensions of product `P`, with the dot, lower case. */
export type ExtensionOf<P extends ProductCode> = ProductInfo<P>['extensions'][number];

/** All product codes, in catalogue order. */
export const PRODUCT_CODES: readonly ProductCode[] = Object.keys(PRODUCTS) as ProductCode[];

const hasOwn = (o: object, key: string): boolean => Object.hasOwn(o, key);

/** True when `code` is a product code of the catalogue. */
export function isProductCode(code: unknown): code is ProductCode {
  return typeof code === 'string' && hasOwn(PRODUCTS, code);
}

/**
 * The catalogue entry of a product code; `undefined` for a string that is no product code.
 *
 * @example productOf('c4d').name // 'Cinema 4D'
 */
export function productOf<P extends ProductCode>(code: P): ProductInfo<P>;
export function productOf(code: string): ProductInfo | undefined;
export function productOf(code: string): ProductInfo | undefined {
  return isProductCode(code) ? PRODUCTS[code] : undefined;
}

/** The plugin codes compatible with a product, in catalogue order. */
export function pluginsOf<P extends ProductCode>(product: P): readonly PluginOf<P>[] {
  return Object.keys(PRODUCTS[product].plugins) as PluginOf<P>[];
}

/**
 * True when `plugin` (a code, or `code:version`) is compatible with `product` per the catalogue.
 *
 * @example isPluginOf('maya', 'mtoa:4.0.1') // true
 * @example isPluginOf('c4d', 'mtoa') // false
 */
export function isPluginOf<P extends ProductCode>(product: P, plugin: string): plugin is PluginSpec<P> {
  if (!isProductCode(product)) return false;
  const { code, version } = parsePluginSpec(plugin);
  return hasOwn(PRODUCTS[product].plugins, code) && (version === undefined || version.length > 0);
}

/** True when `product` supports `operation`. */
export function isOperationOf<P extends ProductCode>(
  product: P,
  operation: string,
): operation is OperationOf<P> {
  return isProductCode(product) && (PRODUCTS[product].operations as readonly string[]).includes(operation);
}

/** The product codes whose job files end with the given file name's extension (case-insensitive). */
export function productsForFile(fileName: string): ProductCode[] {
  return productsForFileIn(PRODUCTS, fileName);
}
