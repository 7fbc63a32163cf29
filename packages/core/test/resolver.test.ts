import { describe, expect, test } from 'vitest';
import { InvalidRequestError, ProductResolver } from '../src/index.js';
import type { ProductVersion } from '../src/types.js';
import { compareVersions, matchesVersionPrefix, sortVersions } from '../src/versions.js';

const products: ProductVersion[] = [
  {
    id: 'hou-17.5.229',
    name: 'Houdini',
    app_type: 'hou',
    version: '17.5.229',
    compatible_modules: ['hou_redshift:2.6.39', 'hou_redshift:2.6.37', 'hou_redshift:2.6.38'],
  },
  {
    id: 'hou-17.5.173',
    name: 'Houdini',
    app_type: 'hou',
    version: '17.5.173',
    compatible_modules: [
      'hou_redshift:2.6.37',
      'hou_redshift:2.6.38',
      'hou_redshift:2.6.39',
      'htoa:4.0.2',
      'htoa:4.0.1',
    ],
  },
  {
    id: 'hou-17.50.1',
    name: 'Houdini',
    app_type: 'hou',
    version: '17.50.1',
    compatible_modules: ['prman:22.0'],
  },
  { id: 'nuke-12.2v4', name: 'Nuke', app_type: 'nuke', version: '12.2v4', compatible_modules: [] },
  { id: 'nuke-12.2v3', name: 'Nuke', app_type: 'nuke', version: '12.2v3', compatible_modules: [] },
  {
    id: 'c4d-S24',
    name: 'Cinema 4D',
    app_type: 'c4d',
    version: 'S24',
    compatible_modules: ['arnold:3.1'],
    business_vertical: 'design',
  },
  { id: 'c4d-R20', name: 'Cinema 4D', app_type: 'c4d', version: 'R20', compatible_modules: ['arnold:3.0'] },
  { id: 'c4d-R19', name: 'Cinema 4D', app_type: 'c4d', version: 'R19', compatible_modules: ['arnold:3.0'] },
];

describe('versions', () => {
  test('ordering', () => {
    expect(sortVersions(['17.5.229', '17.5.99', '17.0.459'])).toEqual(['17.0.459', '17.5.99', '17.5.229']);
    expect(sortVersions(['12.2v4', '12.10v1', '12.2v3'])).toEqual(['12.2v3', '12.2v4', '12.10v1']);
    expect(sortVersions(['S24', 'R20', 'R19'])).toEqual(['R19', 'R20', 'S24']);
    expect(compareVersions('2.80', '2.80')).toBe(0);
    expect(compareVersions('1.0', '1.0.1')).toBeLessThan(0);
  });

  test('partial versions match whole parts only', () => {
    expect(matchesVersionPrefix('17.5.173', '17.5')).toBe(true);
    expect(matchesVersionPrefix('17.50.1', '17.5')).toBe(false);
    expect(matchesVersionPrefix('12.2v4', '12.2')).toBe(true);
    expect(matchesVersionPrefix('12.2v4', '12.2v4')).toBe(true);
  });
});

describe('ProductResolver', () => {
  const resolver = new ProductResolver(products);

  test('getAllTypes with and without plugins', () => {
    const all = resolver.getAllTypes();
    expect(all.hou).toEqual({
      versions: ['17.5.173', '17.5.229', '17.50.1'],
      is_plugin: false,
      name: 'Houdini',
      business_vertical: 'media',
    });
    expect(all.hou_redshift).toEqual({
      versions: ['2.6.37', '2.6.38', '2.6.39'],
      is_plugin: true,
      name: 'hou_redshift',
      business_vertical: 'media',
    });
    expect(all.c4d?.business_vertical).toBe('design');
    expect(Object.keys(resolver.getAllTypes(false)).sort()).toEqual(['c4d', 'hou', 'nuke']);
  });

  test('getVersionsByType sorts as versions', () => {
    expect(resolver.getVersionsByType('hou_redshift')).toEqual(['2.6.37', '2.6.38', '2.6.39']);
    expect(resolver.getVersionsByType('nuke')).toEqual(['12.2v3', '12.2v4']);
    expect(resolver.getVersionsByType('c4d')).toEqual(['R19', 'R20', 'S24']);
    expect(resolver.getVersionsByType('unknown')).toEqual([]);
  });

  test("the documentation's examples", () => {
    expect(resolver.getCompatibleCombinations(['hou:17.5.173'])).toEqual({
      hou_redshift: {
        versions: ['2.6.37', '2.6.38', '2.6.39'],
        is_plugin: true,
        name: 'hou_redshift',
        business_vertical: 'media',
      },
      htoa: { versions: ['4.0.1', '4.0.2'], is_plugin: true, name: 'htoa', business_vertical: 'media' },
    });
    expect(resolver.getCompatibleCombinations(['hou:17.5.173', 'hou:17.5.229'])).toEqual({
      hou_redshift: {
        versions: ['2.6.37', '2.6.38', '2.6.39'],
        is_plugin: true,
        name: 'hou_redshift',
        business_vertical: 'media',
      },
    });
  });

  test('type, partial version and plugin queries', () => {
    expect(Object.keys(resolver.getCompatibleCombinations('hou')).sort()).toEqual([
      'hou_redshift',
      'htoa',
      'prman',
    ]);
    expect(Object.keys(resolver.getCompatibleCombinations('hou:17.5')).sort()).toEqual([
      'hou_redshift',
      'htoa',
    ]);
    expect(resolver.getCompatibleCombinations('htoa:4.0.1')).toEqual({
      hou: { versions: ['17.5.173'], is_plugin: false, name: 'Houdini', business_vertical: 'media' },
    });
    expect(resolver.getCompatibleCombinations('arnold:3.0').c4d?.versions).toEqual(['R19', 'R20']);
    expect(resolver.getCompatibleCombinations('nuke:12.2v4')).toEqual({});
    expect(resolver.getCompatibleCombinations(['hou:17.5.173', 'unknown'])).toEqual({});
    expect(resolver.getCompatibleCombinations('hou:99')).toEqual({});
  });

  test('the catalogue is indexed once: queries never read it again', () => {
    const catalogue = structuredClone(products);
    let reads = 0;
    const counted = new Proxy(catalogue, {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const indexed = new ProductResolver(counted);
    const afterBuild = reads;
    catalogue.length = 0; // were a query to scan the catalogue, it would now find nothing
    expect(indexed.getVersionsByType('hou')).toEqual(['17.5.173', '17.5.229', '17.50.1']);
    expect(Object.keys(indexed.getCompatibleCombinations(['hou:17.5.173', 'hou:17.5.229']))).toEqual([
      'hou_redshift',
    ]);
    expect(Object.keys(indexed.getAllTypes())).toHaveLength(7);
    expect(reads).toBe(afterBuild);
  });

  test('malformed queries are an InvalidRequestError', () => {
    for (const bad of ['', 'hou:', ':17', 'a:b:c', 'h ou']) {
      expect(() => resolver.getCompatibleCombinations(bad), bad).toThrow(InvalidRequestError);
    }
    expect(() => resolver.getCompatibleCombinations([])).toThrow(InvalidRequestError);
  });
});

describe('a careless or hostile catalogue', () => {
  const good: ProductVersion[] = [
    {
      id: '1',
      name: 'Houdini',
      app_type: 'hou',
      version: '20.0',
      compatible_modules: ['htoa:6.1', 'htoa:6.2'],
    },
    { id: '2', name: 'Maya', app_type: 'maya', version: '2024', compatible_modules: ['htoa:6.2'] },
  ];
  const junk = [
    null,
    7,
    'hou:19.5',
    [],
    { version: '19.5', compatible_modules: ['htoa:6.0'] },
    { app_type: '', version: '1', compatible_modules: ['htoa:6.0'] },
    { app_type: 'hou', version: 19.5, compatible_modules: ['htoa:6.0'] },
    { app_type: { hou: 1 }, version: '1' },
    // Module lists that are no lists, one that claims a billion modules included: no links, nothing allocated.
    { app_type: 'nuke', version: '15.0v1', compatible_modules: 'htoa:6.0' },
    { app_type: 'nuke', version: '15.0v2', compatible_modules: { length: 1e9 } },
    {
      app_type: 'nuke',
      version: '15.0v3',
      compatible_modules: [null, 5, {}, ['htoa:6.0'], 'nocolon', ':6.0'],
    },
  ];
  const answers = (resolver: ProductResolver) =>
    JSON.stringify([
      resolver.getAllTypes(),
      resolver.getCompatibleCombinations('htoa'),
      resolver.getCompatibleCombinations(['hou', 'htoa:6.2']),
      resolver.getCompatibleCombinations('nuke'),
    ]);

  test('entries and modules that name no version are left out; the rest answers as without them', () => {
    const mixed = [junk[0], good[0], ...junk.slice(1), good[1]] as unknown as ProductVersion[];
    const resolver = new ProductResolver(mixed);
    const nukeOnly = [junk.at(-3), junk.at(-2), junk.at(-1)] as ProductVersion[];
    expect(answers(resolver)).toBe(answers(new ProductResolver([...good, ...nukeOnly])));
    expect(resolver.getVersionsByType('hou')).toEqual(['20.0']);
    expect(resolver.getVersionsByType('nuke')).toEqual(['15.0v1', '15.0v2', '15.0v3']);
    expect(resolver.getCompatibleCombinations('nuke')).toEqual({});
    expect(Object.keys(resolver.getAllTypes())).toEqual(['htoa', 'hou', 'maya', 'nuke']);
  });

  test('a catalogue that is no list is an InvalidRequestError naming it', () => {
    for (const bad of [undefined, null, { length: 3 }, 'hou:20.0']) {
      let caught: unknown;
      try {
        new ProductResolver(bad as unknown as ProductVersion[]);
      } catch (error) {
        caught = error;
      }
      expect(caught, String(bad)).toBeInstanceOf(InvalidRequestError);
      expect((caught as InvalidRequestError).fieldErrors[0]?.field).toBe('catalogue');
    }
  });

  test('types named like Object properties are answered as their own keys', () => {
    const resolver = new ProductResolver([
      { id: '1', app_type: '__proto__', version: '1', compatible_modules: ['constructor:2', 'toString:3'] },
    ]);
    const all = resolver.getAllTypes();
    expect(Object.keys(all)).toEqual(['constructor', 'toString', '__proto__']);
    expect(Object.getPrototypeOf(all)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(all, '__proto__')?.value.versions).toEqual(['1']);
    const answer = resolver.getCompatibleCombinations('constructor:2');
    expect(Object.keys(answer)).toEqual(['__proto__']);
    expect(JSON.stringify(answer)).toBe(
      '{"__proto__":{"versions":["1"],"is_plugin":false,"name":"__proto__","business_vertical":"media"}}',
    );
  });
});
