import { InvalidRequestError, MachineCategory } from '@gm/core';
import { didYouMean } from '@gm/products';
import type { Command } from 'commander';
import { connect } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import { formatTable } from '../../lib/table.js';
import type { Registry } from '../../registry.js';

/** The options of {@link machines}: `gm machines`'s flags. */
export interface MachinesOptions {
  /** GPU machines only (`--gpu`). */
  gpu?: boolean;
  /** CPU machines only (`--cpu`). */
  cpu?: boolean;
  /** CPU and GPU machines, the default (`--all`). */
  all?: boolean;
  /** Plugins the job uses (`--plugin`). */
  plugin?: string[];
}

/** `gm machines`: machine types for a product and operation. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .argument('<product>', 'product code, e.g. blender, c4d, hou')
    .argument('[operation]', 'operation: render, sim, composite, transcode', 'render')
    .option('--cpu', 'CPU machines only')
    .option('--gpu', 'GPU machines only')
    .option('--all', 'CPU and GPU machines (the default)')
    .option('--plugin <code...>', 'plugins the job uses')
    .addHelpText(
      'after',
      '\nExamples:\n  gm machines c4d render --gpu --plugin redshift\n  gm machines blender --json',
    )
    .action((product: string, operation: string, opts: MachinesOptions) =>
      machines(contextOf(command, io, signal), product, operation, opts),
    );
}

/**
 * What `gm machines` runs, callable without the argument parser (see `createContext`): the machine types for a
 * product and operation.
 */
export async function machines(
  ctx: Context,
  product: string,
  operation: string,
  opts: MachinesOptions,
): Promise<void> {
  const chosen = [opts.cpu && 'cpu', opts.gpu && 'gpu', opts.all && 'all'].filter(Boolean);
  if (chosen.length > 1) throw new UsageError('Choose one of --cpu, --gpu and --all.');
  const category = opts.cpu ? MachineCategory.CPU : opts.gpu ? MachineCategory.GPU : MachineCategory.ALL;
  const { client } = await connect(ctx);
  const machines = await client
    .getMachines(product, operation, {
      category,
      ...(opts.plugin ? { plugins: opts.plugin } : {}),
    })
    .catch(async (error: unknown) => {
      if (!(error instanceof InvalidRequestError)) throw error;
      // Envoy refused the query: say which part once, with the nearest product code it offers.
      const fields = new Set(error.fieldErrors.map((e) => e.field));
      if (fields.has('product')) {
        const codes = Object.keys((await client.getProductResolver()).getAllTypes(false));
        const guess = didYouMean(product, codes);
        throw new UsageError(`Envoy offers no product "${product}".`, {
          hint: `${guess ? `Did you mean ${guess}? ` : ''}\`gm products --no-plugins\` lists the product codes.`,
          cause: error,
        });
      }
      const said = error.fieldErrors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
      throw new UsageError(`Envoy refused the machines query for ${product} ${operation}.`, {
        details: said,
        hint: '`gm machines --help` shows the operations and options.',
        cause: error,
      });
    });
  const { out } = ctx;
  if (out.json) {
    out.printJson(machines);
    return;
  }
  if (machines.length === 0) {
    out.print(
      `No ${category === 'all' ? '' : `${category.toUpperCase()} `}machines for ${product} ${operation}.`,
    );
    return;
  }
  out.print(
    formatTable(
      machines as Array<(typeof machines)[number] & { credit_rate?: number }>,
      [
        { header: 'ID', value: (m) => m.id, paint: out.c.cyan },
        { header: 'NAME', value: (m) => m.name },
        { header: 'KIND', value: (m) => (m.gpu ? 'GPU' : 'CPU') },
        { header: 'DEFAULT', value: (m) => (m.is_default ? 'yes' : '') },
        {
          header: 'CREDITS/FRAME',
          value: (m) => (typeof m.credit_rate === 'number' ? String(m.credit_rate) : '-'),
          align: 'right',
        },
      ],
      out.c.bold,
    ),
  );
}
