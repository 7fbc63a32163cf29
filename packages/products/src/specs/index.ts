/**
 * The product specs: the one list of the products this client knows. Adding a product is a spec file here and
 * its entry in {@link PRODUCT_SPECS}; the compiler and the tests name anything else that must follow (its
 * typed builder in `JOB_BUILDERS`, preflight's scene reader, the emulator's catalogue).
 *
 * @module
 */
import { blenderSpec } from './blender.js';
import { cinema4dSpec } from './cinema4d.js';
import { houdiniSpec } from './houdini.js';
import { mayaSpec } from './maya.js';
import { nukeSpec } from './nuke.js';
import type { CatalogueEntry, ProductSpec } from './types.js';
import { vraySpec } from './vray.js';

/** Specs by code, each under its own code (or this fails to compile, naming the spec). */
const byCode = <const T extends { readonly [C in keyof T]: ProductSpec<C & string> }>(specs: T): T =>
  Object.freeze(specs);

/** The product specs by product code, in catalogue order (the order of `PRODUCT_CODES`, hints and completion). */
export const PRODUCT_SPECS = byCode({
  blender: blenderSpec,
  c4d: cinema4dSpec,
  hou: houdiniSpec,
  maya: mayaSpec,
  nuke: nukeSpec,
  vray: vraySpec,
});

/** The product specs by product code. */
export type ProductSpecs = typeof PRODUCT_SPECS;

/** Every product spec, in catalogue order (see {@link PRODUCT_SPECS}). */
export const PRODUCT_SPEC_LIST: readonly ProductSpecs[keyof ProductSpecs][] = Object.values(PRODUCT_SPECS);

/** The catalogue entries by product code, from specs. */
export function catalogueOf(specs: readonly ProductSpec[]): Readonly<Record<string, CatalogueEntry>> {
  const catalogue: Record<string, CatalogueEntry> = {};
  for (const spec of specs) {
    if (Object.hasOwn(catalogue, spec.code))
      throw new Error(`Two product specs have the code "${spec.code}"`);
    catalogue[spec.code] = spec.catalogue;
  }
  return catalogue;
}

/** The product codes of a catalogue whose extensions end the given file name (case-insensitive). */
export function productsForFileIn<C extends string>(
  catalogue: Readonly<Record<C, CatalogueEntry>>,
  fileName: string,
): C[] {
  const lower = fileName.toLowerCase();
  return (Object.keys(catalogue) as C[]).filter((code) =>
    catalogue[code].extensions.some((ext) => lower.endsWith(ext)),
  );
}
