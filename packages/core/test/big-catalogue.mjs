// The big product catalogue of @gm/core's resolver test and of bench/resolver.mjs (one generator for both; here,
// inside the package, so a change to it reruns the package's tests):
// 4,800 product versions of 6 products, 89,541 product-plugin links, and 400 distinct compatibility queries.
// Deterministic (seeded), with the version shapes real catalogues have: Houdini 17.5.173, Nuke 12.2v4, Cinema 4D
// R19 / S24 / 2023.1.0, Blender 2.80 beside 2.8, a product type that is also a plugin type (vray), and plugins
// shared by several products.

/** A small seeded pseudo-random generator (mulberry32): the same numbers on every machine. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRODUCTS = [
  { type: 'blender', name: 'Blender', plugins: ['blender_vray', 'denoiser'] },
  { type: 'c4d', name: 'Cinema 4D', plugins: ['arnold', 'redshift', 'vray'], vertical: 'design' },
  {
    type: 'hou',
    name: 'Houdini',
    plugins: ['htoa', 'hton', 'hou_redshift', 'prman', 'htot', 'hou_vray', 'denoiser'],
  },
  { type: 'maya', name: 'Maya', plugins: ['mtoa', 'maya_redshift', 'maya_prman', 'maya_vray', 'denoiser'] },
  { type: 'nuke', name: 'Nuke', plugins: [] },
  { type: 'vray', name: 'V-Ray Standalone', plugins: [] },
];

/** The `v`-th version (0-based) of a product, in the shape that product's versions have. */
function productVersion(type, v) {
  switch (type) {
    case 'hou':
      return `${16 + Math.floor(v / 100)}.${Math.floor(v / 50) % 2 ? 5 : 0}.${100 + (v % 50) * 7}`;
    case 'nuke':
      return `${10 + Math.floor(v / 80)}.${Math.floor(v / 10) % 8}v${(v % 10) + 1}`;
    case 'c4d':
      if (v < 300) return `R${13 + Math.floor(v / 30)}.${String(v % 30).padStart(3, '0')}`;
      if (v < 600) return `S${22 + Math.floor((v - 300) / 60)}.${(v - 300) % 60}`;
      return `${2023 + Math.floor((v - 600) / 50)}.${Math.floor((v - 600) / 10) % 5}.${v % 10}`;
    case 'blender':
      // 2.5 and 2.005 are both there (numerically equal parts, told apart by their text).
      return `${2 + Math.floor(v / 200)}.${v % 200 < 100 ? v % 200 : String((v % 200) - 100).padStart(3, '0')}${v % 5 === 0 ? '.1' : ''}`;
    case 'maya':
      return `${2016 + Math.floor(v / 100)}.${Math.floor(v / 10) % 10}${v % 10 ? `.${v % 10}` : ''}`;
    default:
      return `${3 + Math.floor(v / 200)}.${String(Math.floor(v / 10) % 20).padStart(2, '0')}.${String(v % 10).padStart(2, '0')}`;
  }
}

/** The `j`-th version of a plugin: 150 per plugin. */
function pluginVersion(j) {
  return `${1 + Math.floor(j / 30)}.${Math.floor(j / 5) % 6}.${j % 5}`;
}

/**
 * The catalogue (`GET /products` answer): 4,800 product versions and exactly 89,541 distinct product-plugin links.
 * @returns {{ id: string, name: string, app_type: string, version: string, compatible_modules: string[], business_vertical?: string }[]}
 */
export function bigCatalogue() {
  const next = random(11);
  const versionsPer = 800;
  const pool = 150;
  const catalogue = [];
  for (const product of PRODUCTS) {
    for (let v = 0; v < versionsPer; v++) {
      const version = productVersion(product.type, v);
      const compatible_modules = [];
      for (const plugin of product.plugins) {
        // Each product version works with a window of plugin versions around its own age.
        const width = 2 + Math.floor(next() * 13);
        const start = Math.max(
          0,
          Math.min(pool - width, Math.floor((v / versionsPer) * pool) - Math.floor(next() * 6)),
        );
        for (let j = start; j < start + width; j++) compatible_modules.push(`${plugin}:${pluginVersion(j)}`);
      }
      catalogue.push({
        id: `${product.type}-${version}`,
        name: product.name,
        app_type: product.type,
        version,
        compatible_modules,
        ...(product.vertical ? { business_vertical: product.vertical } : {}),
      });
    }
  }
  // Trim links from the end to exactly 89,541.
  let links = catalogue.reduce((sum, p) => sum + p.compatible_modules.length, 0);
  const target = 89_541;
  if (links < target) throw new Error(`the generator made ${links} links, fewer than ${target}`);
  for (let i = catalogue.length - 1; links > target; i--) {
    const modules = catalogue[i].compatible_modules;
    const cut = Math.min(modules.length, links - target);
    modules.length -= cut;
    links -= cut;
  }
  const distinct = new Set(catalogue.map((p) => `${p.app_type}:${p.version}`));
  if (distinct.size !== catalogue.length) throw new Error('the generator made duplicate product versions');
  return catalogue;
}

/**
 * 400 distinct compatibility queries on {@link bigCatalogue}, in a shuffled order (so the first query of each type
 * comes anywhere): every product and plugin type alone, partial and full product versions, plugin versions,
 * unknown types and versions, and pairs (what is compatible with both).
 * @returns {(string | string[])[]}
 */
export function bigQueries(catalogue) {
  const next = random(7);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const products = [...new Set(catalogue.map((p) => p.app_type))];
  const modules = [...new Set(catalogue.flatMap((p) => p.compatible_modules))];
  const plugins = [...new Set(modules.map((m) => m.slice(0, m.indexOf(':'))))];
  const out = new Map();
  const add = (q) => out.set(JSON.stringify(q), q);
  for (const type of [...products, ...plugins]) add(type);
  add('unknown_product');
  add('hou:99');
  add('nuke:12.2v99');
  while (out.size < 400) {
    const p = pick(catalogue);
    const roll = next();
    if (roll < 0.3) add(`${p.app_type}:${p.version}`);
    else if (roll < 0.5) add(`${p.app_type}:${p.version.split(/[.v]/).slice(0, 2).join('.')}`);
    else if (roll < 0.55) add(`${p.app_type}:${p.version.split(/[.v]/)[0]}`);
    else if (roll < 0.8) add(pick(modules));
    else if (roll < 0.9)
      add([`${p.app_type}:${p.version}`, pick(p.compatible_modules.length ? p.compatible_modules : modules)]);
    else add([`${p.app_type}:${p.version.split('.')[0]}`, pick(plugins)]);
  }
  const queries = [...out.values()];
  for (let i = queries.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [queries[i], queries[j]] = [queries[j], queries[i]];
  }
  return queries;
}
