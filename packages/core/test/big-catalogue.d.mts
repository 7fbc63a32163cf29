// Types of big-catalogue.mjs.
export type CatalogueEntry = {
  id: string;
  name: string;
  app_type: string;
  version: string;
  compatible_modules: string[];
  business_vertical?: string;
};
/** A seeded pseudo-random generator: numbers in [0, 1). */
export function random(seed: number): () => number;
/** 4,800 product versions and exactly 89,541 product-plugin links. */
export function bigCatalogue(): CatalogueEntry[];
/** 400 distinct compatibility queries on the catalogue, shuffled. */
export function bigQueries(catalogue: readonly CatalogueEntry[]): (string | string[])[];
