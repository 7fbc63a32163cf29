/**
 * The emulator plays the service with its own catalogue (it never imports client code); this holds it in
 * agreement with the product specs: same products and names, every plugin offered somewhere, machines for every
 * operation a product runs, and nothing the emulator offers that the specs do not know.
 */
import { DEFAULT_MACHINES, DEFAULT_PRODUCTS } from '@gm/emulator';
import { describe, expect, it } from 'vitest';
import { PRODUCT_SPEC_LIST, type ProductSpec } from '../src/index.js';
import { GAFFER as gaffer } from './gaffer.js';

/** Every way the emulator's default catalogue and the specs disagree, in words naming the product. */
function disagreements(specs: readonly ProductSpec[]): string[] {
  const problems: string[] = [];
  const codes = new Set(specs.map((s) => s.code));
  for (const spec of specs) {
    const versions = DEFAULT_PRODUCTS.filter((p) => p.app_type === spec.code);
    if (versions.length === 0) {
      problems.push(`${spec.code}: the emulator offers no version`);
      continue;
    }
    for (const v of versions) {
      if (v.name !== spec.catalogue.name) problems.push(`${spec.code} ${v.version}: named "${v.name}"`);
    }
    const modules = new Set(versions.flatMap((v) => v.compatible_modules.map((m) => m.split(':')[0])));
    for (const plugin of Object.keys(spec.catalogue.plugins)) {
      if (!modules.has(plugin)) problems.push(`${spec.code}: the emulator offers no version with ${plugin}`);
    }
    for (const m of modules) {
      if (!Object.hasOwn(spec.catalogue.plugins, m as string))
        problems.push(`${spec.code}: unknown plugin ${m}`);
    }
    const machines = (DEFAULT_MACHINES as Record<string, Record<string, unknown[]>>)[spec.code] ?? {};
    for (const operation of spec.catalogue.operations) {
      if (!(machines[operation]?.length ?? 0)) problems.push(`${spec.code}: no machines for ${operation}`);
    }
  }
  for (const app of new Set(DEFAULT_PRODUCTS.map((p) => p.app_type))) {
    if (!codes.has(app)) problems.push(`${app}: offered by the emulator, in no product spec`);
  }
  return problems;
}

describe("the emulator's default catalogue", () => {
  it('agrees with the product specs', () => {
    expect(disagreements(PRODUCT_SPEC_LIST)).toEqual([]);
  });

  it('names a product added as a spec that the emulator does not play yet', () => {
    expect(disagreements([...PRODUCT_SPEC_LIST, gaffer])).toEqual(['gaffer: the emulator offers no version']);
    const withoutNuke = PRODUCT_SPEC_LIST.filter((s) => s.code !== 'nuke');
    expect(disagreements(withoutNuke)).toEqual(['nuke: offered by the emulator, in no product spec']);
  });
});
