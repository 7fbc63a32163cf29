import { InvalidRequestError } from './errors.js';
import { describeValue } from './paths.js';
import { parsePluginSpec } from './plugins.js';
import { compareCodeUnits } from './text.js';
import type { ProductVersion } from './types.js';
import { compareVersionParts, matchesVersionPrefix, scanVersion, type VersionToken } from './versions.js';

/** One product or plugin type in a resolver answer. */
export interface ProductTypeInfo {
  /** Versions, oldest first. */
  versions: string[];
  /** Whether this is a plugin rather than a product. */
  is_plugin: boolean;
  /** Display name: the product's name, or a plugin's code. */
  name: string;
  /** Business vertical, such as `media`. */
  business_vertical: string;
}

/** Types with their versions, by type code. */
export type ProductTypes = Record<string, ProductTypeInfo>;

/** One product type or plugin type of the index: its versions sorted, and where its nodes start. */
interface TypeEntry {
  type: string;
  name: string;
  businessVertical: string;
  isPlugin: boolean;
  /** Distinct versions, oldest first. */
  versions: string[];
  /** Node number of `versions[0]`; version `i` is node `first + i`. */
  first: number;
}

/** A type while the catalogue is read: its versions in the order first met, each with a provisional number. */
interface Draft {
  type: string;
  name: string;
  businessVertical: string;
  isPlugin: boolean;
  ids: Map<string, number>;
}

const QUERY = /^([^:\s]+)(?::([^:\s]+))?$/;

/**
 * Answers questions about the product catalogue (`GET /products`): every type, the versions of one type, and the
 * types compatible with given product or plugin versions.
 *
 * Built once into an index: every product version and plugin version is a numbered node (plugin types first, then
 * product types, each alphabetical; versions oldest first), and the product–plugin links are adjacency arrays.
 * A query marks the neighbours of the versions it names; the answer is the marked nodes in number order, which is
 * already grouped by type with versions sorted, so no query sorts versions or builds string keys.
 */
export class ProductResolver {
  readonly #products = new Map<string, TypeEntry>();
  readonly #plugins = new Map<string, TypeEntry>();
  /** Node number → its type entry. */
  readonly #entryOf: TypeEntry[] = [];
  /** Node `n`'s neighbours are `#neighbours[#offsets[n] .. #offsets[n + 1])`. */
  readonly #offsets: Int32Array;
  readonly #neighbours: Int32Array;
  /** Per node, the round of the query in progress that reached it (values below #epoch: none). */
  #marks: Uint32Array;
  #epoch = 0;

  /**
   * @param catalogue - the answer of `GET /products`. An entry that names no product version (not an object, or
   * without a text `app_type` and `version`) is left out, as is a module that is not `type:version` text.
   * @throws {@link InvalidRequestError} when `catalogue` is not a list.
   */
  constructor(catalogue: readonly ProductVersion[]) {
    if (!Array.isArray(catalogue)) {
      throw InvalidRequestError.fromProblems(
        [
          {
            field: 'catalogue',
            message: `must be the list GET /products answers (got ${describeValue(catalogue)})`,
          },
        ],
        'The product catalogue',
      );
    }
    const productDrafts = new Map<string, Draft>();
    const pluginDrafts = new Map<string, Draft>();
    /** Provisional node numbers given so far. */
    let drafted = 0;
    let linkCount = 0;
    for (const product of catalogue) linkCount += modulesOf(product).length;
    /** The links of product `p` are `linkTo[linkEnd[p - 1] .. linkEnd[p])`, from its node `productOf[p]`. */
    const productOf = new Int32Array(catalogue.length);
    const linkEnd = new Int32Array(catalogue.length);
    const linkTo = new Int32Array(linkCount);
    /** Links of each provisional node, counted as they are read (there are at most `catalogue.length + linkCount`). */
    const degree = new Int32Array(catalogue.length + linkCount);
    let links = 0;
    /** Module text (`type:version`) → provisional plugin node, or -1 when it names no version. */
    const modules = new Map<string, number>();
    const idOf = (draft: Draft, version: string): number => {
      let id = draft.ids.get(version);
      if (id === undefined) {
        id = drafted++;
        draft.ids.set(version, id);
      }
      return id;
    };

    for (let p = 0; p < catalogue.length; p++) {
      const product = catalogue[p] as unknown;
      if (!isEntry(product)) {
        linkEnd[p] = links;
        continue;
      }
      const type = product.app_type;
      const vertical = typeof product.business_vertical === 'string' ? product.business_vertical : 'media';
      let draft = productDrafts.get(type);
      if (!draft) {
        draft = {
          type,
          name: typeof product.name === 'string' && product.name !== '' ? product.name : type,
          businessVertical: vertical,
          isPlugin: false,
          ids: new Map(),
        };
        productDrafts.set(type, draft);
      }
      const productId = idOf(draft, product.version);
      productOf[p] = productId;
      const list = modulesOf(product);
      const start = links;
      // The known modules are read by `readKnown`, small and soon optimized; each new or unusable one stops it here.
      for (let k = 0; k < list.length; k++) {
        const stop = readKnown(list, k, links, modules, linkTo, degree);
        links += stop - k;
        if (stop === list.length) break;
        k = stop;
        const module = list[k];
        if (typeof module !== 'string') continue;
        let pluginId = modules.get(module);
        if (pluginId === undefined) {
          const { code: pluginType, version: pluginVersion } = parsePluginSpec(module);
          if (pluginType === '' || pluginVersion === undefined) {
            pluginId = -1;
          } else {
            let plugin = pluginDrafts.get(pluginType);
            if (!plugin) {
              plugin = {
                type: pluginType,
                name: pluginType,
                businessVertical: vertical,
                isPlugin: true,
                ids: new Map(),
              };
              pluginDrafts.set(pluginType, plugin);
            }
            pluginId = idOf(plugin, pluginVersion);
          }
          modules.set(module, pluginId);
        }
        if (pluginId < 0) continue;
        linkTo[links] = pluginId;
        links++;
        (degree[pluginId] as number)++;
      }
      (degree[productId] as number) += links - start;
      linkEnd[p] = links;
    }

    // Number the nodes: plugin types, then product types, each alphabetical; versions oldest first.
    const node = new Int32Array(drafted);
    let count = 0;
    for (const [drafts, index] of [
      [pluginDrafts, this.#plugins],
      [productDrafts, this.#products],
    ] as const) {
      for (const type of [...drafts.keys()].sort(compareCodeUnits)) {
        const draft = drafts.get(type) as Draft;
        const versions = [...draft.ids.keys()];
        const ids = [...draft.ids.values()];
        const order = sortedByVersion(versions);
        const entry: TypeEntry = {
          type,
          name: draft.name,
          businessVertical: draft.businessVertical,
          isPlugin: draft.isPlugin,
          versions: [],
          first: count,
        };
        for (let rank = 0; rank < order.length; rank++) {
          const i = order[rank] as number;
          entry.versions.push(versions[i] as string);
          node[ids[i] as number] = count + rank;
          this.#entryOf.push(entry);
        }
        count += ids.length;
        index.set(type, entry);
      }
    }

    // Links both ways, as adjacency arrays (compressed rows).
    const offsets = new Int32Array(count + 1);
    for (let id = 0; id < count; id++) offsets[(node[id] as number) + 1] = degree[id] as number;
    for (let n = 0; n < count; n++) offsets[n + 1] = (offsets[n + 1] as number) + (offsets[n] as number);
    const fill = offsets.slice(0, count);
    const neighbours = new Int32Array(offsets[count] as number);
    scatter(productOf, linkEnd, linkTo, node, fill, neighbours);
    this.#offsets = offsets;
    this.#neighbours = neighbours;
    this.#marks = new Uint32Array(count);
  }

  /** Every product type (and, unless `includePlugins` is false, every plugin type) with its versions. */
  getAllTypes(includePlugins = true): ProductTypes {
    const out: ProductTypes = {};
    if (includePlugins)
      for (const [type, entry] of this.#plugins) put(out, type, info(entry, entry.versions));
    for (const [type, entry] of this.#products) put(out, type, info(entry, entry.versions));
    return out;
  }

  /** The versions of a product or plugin type, oldest first; `[]` for an unknown type. */
  getVersionsByType(type: string): string[] {
    const entry = this.#products.get(type) ?? this.#plugins.get(type);
    return entry ? [...entry.versions] : [];
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

    // Round r marks a node `base + r` when it was reached by every query before r and by query r.
    if (this.#epoch + queries.length + 1 >= 0xffffffff) {
      this.#marks.fill(0);
      this.#epoch = 0;
    }
    const base = this.#epoch + 1;
    this.#epoch += queries.length + 1;
    const marks = this.#marks;
    const offsets = this.#offsets;
    const neighbours = this.#neighbours;
    const last = queries.length - 1;
    const queried = new Set<string>();
    let found: number[] = [];
    for (let round = 0; round <= last; round++) {
      const [, type = '', version] = QUERY.exec((queries[round] as string).trim()) ?? [];
      queried.add(type);
      const before = base + round - 1;
      const mark = base + round;
      let reached = 0;
      for (const entry of [this.#products.get(type), this.#plugins.get(type)]) {
        if (!entry) continue;
        const versions = entry.versions;
        for (let i = 0; i < versions.length; i++) {
          if (version !== undefined && !matchesVersionPrefix(versions[i] as string, version)) continue;
          const n = entry.first + i;
          const end = offsets[n + 1] as number;
          for (let e = offsets[n] as number; e < end; e++) {
            const other = neighbours[e] as number;
            const seen = marks[other] as number;
            if (round === 0 ? seen >= base : seen !== before) continue;
            marks[other] = mark;
            reached++;
            if (round === last) found.push(other);
          }
        }
      }
      if (reached === 0) return {};
    }

    found = Array.from(Int32Array.from(found).sort());
    const out: ProductTypes = {};
    let i = 0;
    while (i < found.length) {
      const entry = this.#entryOf[found[i] as number] as TypeEntry;
      const versions: string[] = [];
      for (; i < found.length && this.#entryOf[found[i] as number] === entry; i++) {
        versions.push(entry.versions[(found[i] as number) - entry.first] as string);
      }
      if (!queried.has(entry.type)) put(out, entry.type, info(entry, versions));
    }
    return out;
  }
}

/**
 * Reads `list` from position `k` while its modules are known plugin versions, writing their provisional nodes to
 * `linkTo` from `links` and counting them in `degree`; returns where it stopped: `list.length`, or a module that is
 * new or names no version. Kept apart and small, so that V8 optimizes it within the first products.
 */
function readKnown(
  list: readonly unknown[],
  k: number,
  links: number,
  modules: Map<string, number>,
  linkTo: Int32Array,
  degree: Int32Array,
): number {
  for (; k < list.length; k++) {
    const id = modules.get(list[k] as string); // undefined for anything but a known module's text
    if (id === undefined || id < 0) return k;
    linkTo[links++] = id;
    (degree[id] as number)++;
  }
  return k;
}

/** Adds every link both ways, at the `fill` positions of their nodes. */
function scatter(
  productOf: Int32Array,
  linkEnd: Int32Array,
  linkTo: Int32Array,
  node: Int32Array,
  fill: Int32Array,
  neighbours: Int32Array,
): void {
  for (let p = 0, i = 0; p < productOf.length; p++) {
    const end = linkEnd[p] as number;
    if (i === end) continue; // no links, or no product version
    const a = node[productOf[p] as number] as number;
    let at = fill[a] as number;
    for (; i < end; i++) {
      const b = node[linkTo[i] as number] as number;
      neighbours[at++] = b;
      neighbours[(fill[b] as number)++] = a;
    }
    fill[a] = at;
  }
}

/** Whether a catalogue entry names a product version: an object with a type and a version as text. */
function isEntry(value: unknown): value is ProductVersion {
  if (typeof value !== 'object' || value === null) return false;
  const { app_type: type, version } = value as Partial<ProductVersion>;
  return typeof type === 'string' && type !== '' && typeof version === 'string';
}

/** A catalogue entry's modules: its `compatible_modules` when it is an entry and they are a list, else none. */
function modulesOf(product: unknown): readonly unknown[] {
  const modules = isEntry(product) ? product.compatible_modules : undefined;
  return Array.isArray(modules) ? modules : [];
}

/** Sets `out[type]` as an own property, whatever the type's name (`__proto__` included). */
function put(out: ProductTypes, type: string, value: ProductTypeInfo): void {
  Object.defineProperty(out, type, { value, enumerable: true, writable: true, configurable: true });
}

function info(entry: TypeEntry, versions: readonly string[]): ProductTypeInfo {
  return {
    versions: [...versions],
    is_plugin: entry.isPlugin,
    name: entry.name,
    business_vertical: entry.businessVertical,
  };
}

/**
 * The positions of `versions` in the order of `sortVersions` (`compareVersions`), each version split into parts
 * once, all into one array, instead of at every comparison. Same parts, same comparison: the same order.
 */
function sortedByVersion(versions: readonly string[]): number[] {
  const parts: VersionToken[] = [];
  const starts = new Int32Array(versions.length + 1);
  const order: number[] = [];
  for (let i = 0; i < versions.length; i++) {
    scanVersion(versions[i] as string, parts);
    starts[i + 1] = parts.length;
    order.push(i);
  }
  return order.sort((i, j) =>
    compareVersionParts(
      parts,
      starts[i] as number,
      starts[i + 1] as number,
      starts[j] as number,
      starts[j + 1] as number,
      versions[i] as string,
      versions[j] as string,
    ),
  );
}
