// Compatible-combination queries on a large catalogue: @gm/core's ProductResolver (index built once) against a
// baseline that, like the Python client, matches every query against every product-plugin edge.
// Usage: node bench/resolver.mjs [versionsPerProduct=80] [queries=300] [runs=5]
import { ProductResolver, sortVersions } from '@gm/core';
import { measure, report } from './lib.mjs';

const versionsPer = Number(process.argv[2] ?? 80);
const queryCount = Number(process.argv[3] ?? 300);
const runs = Number(process.argv[4] ?? 5);

const plugins = {
  blender: ['blender_vray'],
  c4d: ['arnold', 'redshift', 'vray'],
  hou: ['htoa', 'hton', 'hou_redshift', 'prman', 'htot', 'hou_vray'],
  maya: ['mtoa', 'maya_redshift', 'maya_prman', 'maya_vray'],
  nuke: [],
  vray: [],
};
const catalogue = [];
for (const [app, mods] of Object.entries(plugins)) {
  for (let v = 0; v < versionsPer; v++) {
    const version = `${10 + Math.floor(v / 10)}.${v % 10}.${100 + v}`;
    const compatible_modules = mods.flatMap((m) =>
      Array.from({ length: 20 }, (_, k) => `${m}:${1 + (k % 5)}.${k}.${v % 7}`),
    );
    catalogue.push({ id: `${app}-${version}`, name: app, app_type: app, version, compatible_modules });
  }
}
const edges = catalogue.flatMap((p) => p.compatible_modules.map((m) => [`${p.app_type}:${p.version}`, m]));
const apps = Object.keys(plugins);
const queries = Array.from({ length: queryCount }, (_, i) => {
  const p = catalogue[(i * 7919) % catalogue.length];
  return i % 3 === 0
    ? `${p.app_type}:${p.version.split('.').slice(0, 2).join('.')}`
    : `${p.app_type}:${p.version}`;
});

// The baseline: per query, a regular expression tested against both ends of every edge.
function baselineQuery(query) {
  const [type] = query.split(':');
  const re = new RegExp(`^${query.replace(/\./g, '\\.')}(\\.|$|(?<=[0-9])v)`);
  const result = {};
  for (const [product, plugin] of edges) {
    if (re.test(product)) {
      const [t, v] = plugin.split(':');
      if (t === type) continue;
      result[t] ??= new Set();
      result[t].add(v);
    }
  }
  // The same answer as the resolver's: versions sorted as versions.
  return Object.fromEntries(Object.entries(result).map(([t, vs]) => [t, sortVersions([...vs])]));
}

const resolver = new ProductResolver(catalogue);
for (const q of queries.slice(0, 20)) {
  const a = Object.keys(baselineQuery(q)).sort().join(',');
  const b = Object.keys(resolver.getCompatibleCombinations([q]))
    .sort()
    .join(',');
  if (a !== b) throw new Error(`results differ for ${q}: ${a} vs ${b}`);
}
console.log(
  `catalogue: ${catalogue.length} product versions, ${edges.length} product-plugin pairs, ${apps.length} products`,
);

const baseTimes = await measure(() => {
  for (const q of queries) baselineQuery(q);
}, runs);
const candTimes = await measure(() => {
  for (const q of queries) resolver.getCompatibleCombinations([q]);
}, runs);
report(
  `${queryCount} compatible-combination queries (${runs} runs each)`,
  'baseline: every query scans every pair',
  baseTimes,
  '@gm/core ProductResolver (indexed)',
  candTimes,
);
const buildTimes = await measure(() => new ProductResolver(catalogue), runs);
console.log(
  `  building the index once: median ${[...buildTimes].sort((x, y) => x - y)[Math.floor(runs / 2)].toFixed(1)} ms`,
);
