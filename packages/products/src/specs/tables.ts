import type { Job } from '@gm/core';
import { buildProductJob } from '../builders/common.js';
import { catalogueOf, productsForFileIn } from './index.js';
import type { CatalogueEntry, JobFileContext, ProductSpec } from './types.js';

/** What the client derives from a list of product specs (see {@link productTables}). */
export interface ProductTables {
  /** The product codes, in the specs' order. */
  readonly codes: readonly string[];
  /** The catalogue entries by product code. */
  readonly products: Readonly<Record<string, CatalogueEntry>>;
  /** A job builder per product code, checking the product's fields (untyped: the typed ones are `JOB_BUILDERS`). */
  readonly builders: Readonly<Record<string, (options: unknown) => Job>>;
  /** The scene extensions, each with the one product it belongs to, in the specs' order. */
  readonly sceneExtensions: ReadonlyMap<string, string>;
  /** The product options a new job file of product `code` starts with. */
  jobFileDefaults(code: string, context: JobFileContext): Readonly<Record<string, unknown>>;
  /** The product codes whose extensions end the given file name (case-insensitive). */
  productsForFile(fileName: string): string[];
}

/**
 * The tables the client derives from product specs: catalogue, builders, `gm init`'s defaults, the product per
 * scene extension. `PRODUCTS`, `JOB_BUILDERS`' checks and the CLI come from the package's own specs this way;
 * given another list (e.g. with one more product) it shows what that product would get.
 *
 * @throws Error when two specs share a code, or two products claim one scene extension.
 */
export function productTables(specs: readonly ProductSpec[]): ProductTables {
  const products = catalogueOf(specs);
  const builders: Record<string, (options: unknown) => Job> = {};
  const sceneExtensions = new Map<string, string>();
  for (const spec of specs) {
    builders[spec.code] = (options) => buildProductJob(spec.code, spec.catalogue, spec.fields, options);
    for (const ext of spec.catalogue.extensions) {
      const other = sceneExtensions.get(ext);
      if (other !== undefined) throw new Error(`Products "${other}" and "${spec.code}" both claim ${ext}`);
      sceneExtensions.set(ext, spec.code);
    }
  }
  return {
    codes: specs.map((spec) => spec.code),
    products,
    builders,
    sceneExtensions,
    jobFileDefaults: (code, context) => {
      const spec = specs.find((s) => s.code === code);
      if (!spec) throw new Error(`No product spec has the code "${code}"`);
      return spec.jobFileDefaults(context);
    },
    productsForFile: (fileName) => productsForFileIn(products, fileName),
  };
}
