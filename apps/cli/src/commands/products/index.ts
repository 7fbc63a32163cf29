import { Option } from 'commander';
import type { Registry } from '../../index.js';
import { connect } from '../../lib/client.js';
import { contextOf } from '../../lib/context.js';
import { formatTable } from '../../lib/table.js';

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
export function registerProducts({ program, io, signal }: Registry): void {
  program
    .command('products')
    .description('list product types and plugins with their versions')
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
    .action(async (opts: ProductsOptions, command) => {
      const ctx = contextOf(command, io, signal);
      const { client } = await connect(ctx);
      const resolver = await client.getProductResolver();
      const { out } = ctx;
      if (opts.type) {
        const versions = resolver.getVersionsByType(opts.type);
        if (out.json) out.printJson({ type: opts.type, versions });
        else if (versions.length === 0)
          out.print(`No versions of ${opts.type}. See \`gm products\` for the codes.`);
        else out.print(versions.join('\n'));
        return;
      }
      const types: Record<string, TypeInfo> = opts.compatible
        ? resolver.getCompatibleCombinations(opts.compatible)
        : resolver.getAllTypes(opts.plugins);
      if (out.json) {
        out.printJson(types);
        return;
      }
      const rows = Object.entries(types).map(([code, info]) => ({ code, ...info }));
      if (rows.length === 0) {
        out.print(opts.compatible ? 'Nothing is compatible with all of those.' : 'No products.');
        return;
      }
      out.print(
        formatTable(
          rows,
          [
            { header: 'CODE', value: (r) => out.c.cyan(r.code) },
            { header: 'NAME', value: (r) => r.name ?? '' },
            { header: 'KIND', value: (r) => (r.is_plugin ? 'plugin' : 'product') },
            { header: 'VERSIONS', value: (r) => r.versions.join(', ') },
          ],
          out.c.bold,
        ),
      );
    });
}
