import { didYouMean } from '@gm/products';
import { type Command, Option } from 'commander';
import { connect } from '../../lib/client.js';
import { contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import { safe } from '../../lib/safe.js';
import { formatTable } from '../../lib/table.js';
import type { Registry } from '../../registry.js';

interface ProductsOptions {
  plugins: boolean;
  type?: string;
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
    .action(async (opts: ProductsOptions) => {
      const ctx = contextOf(command, io, signal);
      const { client } = await connect(ctx);
      const resolver = await client.getProductResolver();
      const { out } = ctx;
      if (opts.type) {
        const versions = resolver.getVersionsByType(opts.type);
        const known = Object.keys(resolver.getAllTypes(true));
        if (!known.includes(opts.type)) {
          const guess = didYouMean(opts.type, known);
          throw new UsageError(`Envoy offers no product or plugin "${opts.type}".`, {
            hint: `${guess ? `Did you mean ${guess}? ` : ''}\`gm products\` lists the codes.`,
          });
        }
        if (out.json) out.printJson({ type: opts.type, versions });
        else out.print(versions.map((v) => safe(v)).join('\n'));
        return;
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
    });
}
