// The indexed resolver gives exactly the answers of the resolver it replaced (test/reference-resolver.ts): same
// types, same versions in the same order, same keys in the same order, on the benchmark's big catalogue and on
// random small ones.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ProductResolver } from '../src/resolver.js';
import type { ProductVersion } from '../src/types.js';
import { compareVersions, versionTokens } from '../src/versions.js';
import { bigCatalogue, bigQueries } from './big-catalogue.mjs';
import { ReferenceResolver } from './reference-resolver.js';

/** The answer as JSON, so key order and version order count, or the error's message. */
function answer(ask: () => unknown): string {
  try {
    return JSON.stringify(ask());
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('the indexed resolver answers as the reference resolver', () => {
  const generated = bigCatalogue();
  const queries = bigQueries(generated);
  const catalogue: ProductVersion[] = generated;
  const resolver = new ProductResolver(catalogue);
  const reference = new ReferenceResolver(catalogue);

  test('the big catalogue: 4,800 versions, 89,541 links, 400 distinct queries', () => {
    expect(catalogue).toHaveLength(4800);
    expect(
      new Set(catalogue.flatMap((p) => p.compatible_modules.map((m) => `${p.app_type}:${p.version} ${m}`)))
        .size,
    ).toBe(89_541);
    expect(new Set(queries.map((q) => JSON.stringify(q))).size).toBe(400);
  });

  test('every one of the 400 queries, asked in turn', () => {
    let nonEmpty = 0;
    for (const query of queries) {
      const got = answer(() => resolver.getCompatibleCombinations(query));
      expect(got, JSON.stringify(query)).toBe(answer(() => reference.getCompatibleCombinations(query)));
      if (got !== '{}') nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(200); // most queries have answers, so most comparisons compare something
  });

  test('the queries in pairs and triples, and malformed ones', () => {
    for (let i = 0; i + 2 < queries.length; i += 3) {
      const pair = [queries[i], queries[i + 1]].flat() as string[];
      const triple = [queries[i], queries[i + 1], queries[i + 2]].flat() as string[];
      for (const query of [pair, triple]) {
        expect(
          answer(() => resolver.getCompatibleCombinations(query)),
          JSON.stringify(query),
        ).toBe(answer(() => reference.getCompatibleCombinations(query)));
      }
    }
    for (const bad of [[], [''], ['hou', 'a:b:c'], ['h ou'], [':1']]) {
      expect(answer(() => resolver.getCompatibleCombinations(bad))).toBe(
        answer(() => reference.getCompatibleCombinations(bad)),
      );
    }
  });

  test('getAllTypes and getVersionsByType', () => {
    expect(JSON.stringify(resolver.getAllTypes())).toBe(JSON.stringify(reference.getAllTypes()));
    expect(JSON.stringify(resolver.getAllTypes(false))).toBe(JSON.stringify(reference.getAllTypes(false)));
    for (const type of [...Object.keys(reference.getAllTypes()), 'unknown']) {
      expect(resolver.getVersionsByType(type), type).toEqual(reference.getVersionsByType(type));
    }
  });

  test('answers are fresh arrays: changing one changes no later answer', () => {
    const first = resolver.getCompatibleCombinations('hou:17.5');
    const expected = JSON.stringify(first);
    for (const info of Object.values(first)) info.versions.reverse().push('x');
    resolver.getVersionsByType('hou').push('y');
    resolver.getAllTypes().hou?.versions.push('z');
    expect(JSON.stringify(resolver.getCompatibleCombinations('hou:17.5'))).toBe(expected);
    expect(resolver.getVersionsByType('hou')).toEqual(reference.getVersionsByType('hou'));
  });
});

// Random small catalogues: few types and versions so that queries hit, shared plugin names, a product type that
// is also a plugin type, duplicate and malformed modules, versions numerically equal but written differently.
const typeName = fc.constantFrom('hou', 'maya', 'vray', 'c4d', 'nuke', 'redshift', 'htoa', 'Vray');
const version = fc
  .array(
    fc.oneof(fc.nat({ max: 12 }).map(String), fc.constantFrom('R', 'S', 'v', 'beta', '0', '00', '010')),
    {
      minLength: 1,
      maxLength: 4,
    },
  )
  .chain((parts) => fc.constantFrom(parts.join('.'), parts.join(''), parts.join('v')));
const moduleText = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(typeName, version).map(([t, v]) => `${t}:${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('', ':1.0', 'nocolon', 'hou:') },
);
const entry = fc.record({
  app_type: typeName,
  version,
  name: fc.constantFrom('', 'Houdini', 'Maya'),
  compatible_modules: fc.array(moduleText, { maxLength: 6 }),
  business_vertical: fc.option(fc.constantFrom('media', 'design'), { nil: undefined }),
});
const catalogues = fc.array(entry, { maxLength: 25 }).map((entries) =>
  entries.map((e, i) => {
    const { business_vertical, ...rest } = e;
    return { id: String(i), ...rest, ...(business_vertical ? { business_vertical } : {}) } as ProductVersion;
  }),
);
const queryText = fc.oneof(
  typeName,
  fc.tuple(typeName, version).map(([t, v]) => `${t}:${v}`),
  fc.tuple(typeName, version).map(([t, v]) => `${t}:${v.split('.')[0]}`),
);

describe('random catalogues', () => {
  test.prop([
    catalogues,
    fc.array(fc.array(queryText, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
  ])('same answers as the reference, in the same order', (catalogue, queryLists) => {
    const resolver = new ProductResolver(catalogue);
    const reference = new ReferenceResolver(catalogue);
    expect(JSON.stringify(resolver.getAllTypes())).toBe(JSON.stringify(reference.getAllTypes()));
    for (const queries of queryLists) {
      expect(
        answer(() => resolver.getCompatibleCombinations(queries)),
        JSON.stringify(queries),
      ).toBe(answer(() => reference.getCompatibleCombinations(queries)));
    }
  });

  // Anything JSON can hold, among the entries and among each entry's modules: what names no version is left out.
  const junk = fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string');
  test.prop([
    fc.array(fc.oneof({ weight: 3, arbitrary: entry }, junk), { maxLength: 25 }),
    fc.array(junk, { minLength: 1, maxLength: 4 }),
    fc.array(fc.array(queryText, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }),
  ])('junk entries and modules change no answer', (mixed, junkModules, queryLists) => {
    const dirty = mixed.map((e, i) =>
      e !== null && typeof e === 'object' && 'compatible_modules' in e && i % 2 === 0
        ? { ...e, compatible_modules: [...(e.compatible_modules as string[]), ...junkModules] }
        : e,
    );
    const clean = mixed.filter((e) => e !== null && typeof e === 'object' && 'compatible_modules' in e);
    const resolver = new ProductResolver(dirty as ProductVersion[]);
    const reference = new ReferenceResolver(clean as ProductVersion[]);
    expect(JSON.stringify(resolver.getAllTypes())).toBe(JSON.stringify(reference.getAllTypes()));
    for (const queries of queryLists) {
      expect(
        answer(() => resolver.getCompatibleCombinations(queries)),
        JSON.stringify(queries),
      ).toBe(answer(() => reference.getCompatibleCombinations(queries)));
    }
  });
});

describe('version parts', () => {
  const versionText = fc.oneof(
    fc.string({
      unit: fc.constantFrom('1', '2', '0', '9', 'v', 'V', 'a', 'Z', '.', '_', '-', ' ', 'é', 'vv'),
    }),
    fc.string({ unit: 'grapheme' }),
    fc.string(),
  );
  /** The rule as it reads, with regular expressions: the oracle of the one-pass `versionTokens`. */
  const ruleTokens = (text: string): (number | string)[] =>
    [...text.replace(/(\d)v(?=\d)/gi, '$1.').matchAll(/\d+|[^\d\W_]+/g)].map(([part]) =>
      /^\d/.test(part) ? Number(part) : part.toLowerCase(),
    );
  /** Long runs of digits: up to 15 digits a number is read exactly, a longer one as Number rounds it. */
  const longNumbers = fc.stringMatching(/^\d{13,24}([.v]\d{1,20})?$/);
  test.prop([fc.oneof(versionText, longNumbers)])(
    'versionTokens splits a version as the rule reads',
    (text) => {
      expect(versionTokens(text)).toEqual(ruleTokens(text));
    },
  );
  /** The order as it reads: part by part, numbers numerically, words alphabetically, numbers first; then fewer parts first; then the text. */
  const ruleOrder = (a: string, b: string): number => {
    const left = ruleTokens(a);
    const right = ruleTokens(b);
    for (let i = 0; i < Math.min(left.length, right.length); i++) {
      const [x, y] = [left[i], right[i]];
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return Math.sign(x - y);
      if (typeof x === 'number') return -1;
      if (typeof y === 'number') return 1;
      return String(x) < String(y) ? -1 : 1;
    }
    if (left.length !== right.length) return Math.sign(left.length - right.length);
    return a < b ? -1 : a > b ? 1 : 0;
  };
  test.prop([fc.oneof(versionText, longNumbers), fc.oneof(versionText, longNumbers)])(
    'compareVersions orders two versions as the rule reads',
    (a, b) => {
      expect(Math.sign(compareVersions(a, b)), `${a} ${b}`).toBe(ruleOrder(a, b));
      expect(Math.sign(compareVersions(b, a)), `${b} ${a}`).toBe(ruleOrder(b, a));
    },
  );
  test('examples', () => {
    for (const text of [
      '12.2v4',
      '1v2v3',
      '1vv2',
      'v2',
      '2v',
      'R19',
      'S24.1',
      '2.80',
      '007',
      '1V2',
      '1av2',
      '',
      '999999999999999',
      '9007199254740993',
      '123456789012345678901234567890v2',
    ]) {
      expect(versionTokens(text), text).toEqual(ruleTokens(text));
    }
  });
});
