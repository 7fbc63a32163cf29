import { compareVersions, matchesVersionPrefix, type ProductResolver, parsePluginSpec } from '@gm/core';
import { didYouMean } from '@gm/products';
import { type Command, Option } from 'commander';
import { connect } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import { safe } from '../../lib/safe.js';
import { formatTable } from '../../lib/table.js';
import type { Registry } from '../../registry.js';

/** The options of {@link products}: `gm products`'s flags. */
export interface ProductsOptions {
  /** List plugins too (`false` with `--no-plugins`). */
  plugins: boolean;
  /** Only the versions of one product type or plugin (`--type`). */
  type?: string;
  /** `type:version` queries of compatible combinations (`--compatible`). */
  compatible?: string[];
}

interface TypeInfo {
  versions: string[];
  is_plugin?: boolean;
  name?: string;
}

/** `gm products`: product types and plugins, versions of one type, or compatible combinations. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .option('--no-plugins', 'product types only, without plugins')
    .option('--type <type>', 'only the versions of one product type or plugin (e.g. blender, hou_redshift)')
    .addOption(
      new Option(
        '--compatible <query...>',
        'compatible combinations for type:version queries (e.g. hou:17.5.173)',
      ),
    )
    .addHelpText(
      'after',
      `
Examples:
  gm products
  gm products --no-plugins
  gm products --type blender
  gm products --compatible hou:17.5.173 hou:17.5.229`,
    )
    .action((opts: ProductsOptions) => products(contextOf(command, io, signal), opts));
}

/**
 * What `gm products` runs, callable without the argument parser (see `createContext`): product types and
 * plugins, versions of one type, or compatible combinations.
 */
export async function products(ctx: Context, opts: ProductsOptions): Promise<void> {
  const { client } = await connect(ctx);
  const resolver = await client.getProductResolver();
  const { out } = ctx;
  if (opts.type) {
    const versions = offeredVersions(resolver, opts.type);
    if (out.json) out.printJson({ type: opts.type, versions });
    else out.print(versions.map((v) => safe(v)).join('\n'));
    return;
  }
  // An unknown type or version is a typo to fix, not an empty answer.
  for (const query of opts.compatible ?? []) {
    const { code, version } = parsePluginSpec(query);
    const versions = offeredVersions(resolver, code);
    if (version !== undefined && !versions.some((v) => matchesVersionPrefix(v, version))) {
      const near = nearestVersions(version, versions);
      throw new UsageError(`Envoy offers no ${code} version ${version} (in --compatible ${query}).`, {
        hint: `${near.length > 0 ? `Nearest: ${near.map((v) => `${code}:${v}`).join(', ')}. ` : ''}\`gm products --type ${code}\` lists them.`,
      });
    }
  }
  const types: Record<string, TypeInfo> = opts.compatible
    ? resolver.getCompatibleCombinations(opts.compatible)
    : resolver.getAllTypes(opts.plugins);
  if (out.json) {
    out.printJson(types);
    return;
  }
  // Products first, then plugins, each in code order.
  const rows = Object.entries(types)
    .map(([code, info]) => ({ code, ...info }))
    .sort(
      (a, b) =>
        Number(a.is_plugin === true) - Number(b.is_plugin === true) ||
        (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
    );
  if (rows.length === 0) {
    out.print(opts.compatible ? 'Nothing is compatible with all of those.' : 'No products.');
    return;
  }
  out.print(
    formatTable(
      rows,
      [
        { header: 'CODE', value: (r) => r.code, paint: out.c.cyan },
        { header: 'NAME', value: (r) => r.name ?? '' },
        { header: 'KIND', value: (r) => (r.is_plugin ? 'plugin' : 'product') },
        { header: 'VERSIONS', value: (r) => r.versions.join(', ') },
      ],
      out.c.bold,
    ),
  );
}

/** The versions Envoy offers of a product or plugin, oldest first; a usage error with a guess for an unknown code. */
function offeredVersions(resolver: ProductResolver, code: string): string[] {
  const known = Object.keys(resolver.getAllTypes(true));
  if (!known.includes(code)) {
    const guess = didYouMean(code, known);
    throw new UsageError(`Envoy offers no product or plugin "${code}".`, {
      hint: `${guess ? `Did you mean ${guess}? ` : ''}\`gm products\` lists the codes.`,
    });
  }
  return resolver.getVersionsByType(code);
}

/** The offered versions just below and just above `version` (one or two of them), in version order. */
export function nearestVersions(version: string, offered: readonly string[]): string[] {
  const sorted = [...offered].sort(compareVersions);
  const above = sorted.findIndex((v) => compareVersions(v, version) > 0);
  if (above < 0) return sorted.slice(-1);
  return sorted.slice(Math.max(0, above - 1), above + 1);
}
