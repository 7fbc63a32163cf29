/**
 * The product resolver as it was before its answers came from integer-indexed adjacency arrays (commit d55bb23):
 * string node keys, one Set per query, versions sorted on first use. Kept here, not in src, as the reference the
 * faster resolver's answers are compared with.
 */
import { InvalidRequestError } from '../src/errors.js';
import type { ProductTypes } from '../src/resolver.js';
import type { ProductVersion } from '../src/types.js';
import { matchesVersionPrefix, sortVersions } from '../src/versions.js';

interface TypeEntry {
  name: string;
  businessVertical: string;
  versions: Set<string>;
  sorted?: string[];
  /** Position of each version in `sorted`, so answers sort by a lookup instead of comparing versions again. */
  rank?: Map<string, number>;
}

const QUERY = /^([^:\s]+)(?::([^:\s]+))?$/;

function nodeKey(isPlugin: boolean, type: string, version: string): string {
  return `${isPlugin ? 'plugin' : 'product'}\u0000${type}\u0000${version}`;
}

export class ReferenceResolver {
  readonly #products = new Map<string, TypeEntry>();
  readonly #plugins = new Map<string, TypeEntry>();
  /** node key → keys of compatible nodes (product version ↔ plugin version). */
  readonly #edges = new Map<string, Set<string>>();

  /** @param catalogue - the answer of `GET /products`. */
  constructor(catalogue: readonly ProductVersion[]) {
    for (const product of catalogue) {
      const type = product.app_type;
      const vertical = typeof product.business_vertical === 'string' ? product.business_vertical : 'media';
      let entry = this.#products.get(type);
      if (!entry) {
        entry = { name: product.name || type, businessVertical: vertical, versions: new Set() };
        this.#products.set(type, entry);
      }
      entry.versions.add(product.version);
      const productNode = nodeKey(false, type, product.version);
      for (const module of product.compatible_modules ?? []) {
        const at = module.indexOf(':');
        if (at <= 0) continue;
        const pluginType = module.slice(0, at);
        const pluginVersion = module.slice(at + 1);
        let plugin = this.#plugins.get(pluginType);
        if (!plugin) {
          plugin = { name: pluginType, businessVertical: vertical, versions: new Set() };
          this.#plugins.set(pluginType, plugin);
        }
        plugin.versions.add(pluginVersion);
        const pluginNode = nodeKey(true, pluginType, pluginVersion);
        this.#link(productNode, pluginNode);
        this.#link(pluginNode, productNode);
      }
    }
  }

  #link(from: string, to: string): void {
    let set = this.#edges.get(from);
    if (!set) {
      set = new Set();
      this.#edges.set(from, set);
    }
    set.add(to);
  }

  /** Every product type (and, unless `includePlugins` is false, every plugin type) with its versions. */
  getAllTypes(includePlugins = true): ProductTypes {
    const out: ProductTypes = {};
    if (includePlugins) {
      for (const [type, entry] of [...this.#plugins].sort(byKey)) out[type] = info(entry, true);
    }
    for (const [type, entry] of [...this.#products].sort(byKey)) out[type] = info(entry, false);
    return out;
  }

  /** The versions of a product or plugin type, oldest first; `[]` for an unknown type. */
  getVersionsByType(type: string): string[] {
    const entry = this.#products.get(type) ?? this.#plugins.get(type);
    return entry ? info(entry, false).versions : [];
  }

  /**
   * The types compatible with EVERY query, grouped by type with sorted versions, the queried types left out.
   * A query is `type`, `type:partialVersion` (`hou:17.5`) or `type:version`; an unknown type gives `{}`.
   *
   * @throws {@link InvalidRequestError} for a malformed query.
   */
  getCompatibleCombinations(query: string | readonly string[]): ProductTypes {
    const queries = typeof query === 'string' ? [query] : [...query];
    const problems = queries.flatMap((q, index) =>
      typeof q === 'string' && QUERY.test(q.trim())
        ? []
        : [
            {
              field: `query[${index}]`,
              message: `"${String(q)}" is not "type", "type:version" or "type:partialVersion"`,
            },
          ],
    );
    if (queries.length === 0) problems.push({ field: 'query', message: 'give at least one query' });
    if (problems.length > 0) throw InvalidRequestError.fromProblems(problems, 'The compatibility query');

    const queried = new Set<string>();
    let common: Set<string> | undefined;
    for (const q of queries) {
      const [, type = '', version] = QUERY.exec(q.trim()) ?? [];
      queried.add(type);
      const compatible = new Set<string>();
      for (const [isPlugin, entry] of [
        [false, this.#products.get(type)],
        [true, this.#plugins.get(type)],
      ] as const) {
        if (!entry) continue;
        for (const v of entry.versions) {
          if (version !== undefined && !matchesVersionPrefix(v, version)) continue;
          for (const neighbour of this.#edges.get(nodeKey(isPlugin, type, v)) ?? [])
            compatible.add(neighbour);
        }
      }
      common = common ? new Set([...common].filter((node) => compatible.has(node))) : compatible;
      if (common.size === 0) return {};
    }

    const grouped = new Map<string, { isPlugin: boolean; versions: string[] }>();
    for (const node of common ?? []) {
      const [kind, type = '', version = ''] = node.split('\u0000');
      if (queried.has(type)) continue;
      const key = `${kind}\u0000${type}`;
      const group = grouped.get(key) ?? { isPlugin: kind === 'plugin', versions: [] };
      group.versions.push(version);
      grouped.set(key, group);
    }
    const out: ProductTypes = {};
    for (const [key, group] of [...grouped].sort(byKey)) {
      const type = key.split('\u0000')[1] ?? '';
      const entry = (group.isPlugin ? this.#plugins : this.#products).get(type);
      if (!entry) continue;
      const rank = ranks(entry);
      const versions = group.versions.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
      out[type] = { ...info(entry, group.isPlugin), versions };
    }
    return out;
  }
}

function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** The versions of a type sorted once, with each one's position. */
function ranks(entry: TypeEntry): Map<string, number> {
  entry.sorted ??= sortVersions(entry.versions);
  entry.rank ??= new Map(entry.sorted.map((version, index) => [version, index]));
  return entry.rank;
}

function info(entry: TypeEntry, isPlugin: boolean): ProductTypes[string] {
  entry.sorted ??= sortVersions(entry.versions);
  return {
    versions: [...entry.sorted],
    is_plugin: isPlugin,
    name: entry.name,
    business_vertical: entry.businessVertical,
  };
}
