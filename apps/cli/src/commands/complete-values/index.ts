import { MachineCategory } from '@gm/core';
import { PRODUCT_CODES, PRODUCTS } from '@gm/products';
import type { Command } from 'commander';
import { connect, resolveConnection } from '../../lib/client.js';
import { cachedValues } from '../../lib/completion-cache.js';
import { contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import type { Registry } from '../../registry.js';

/** What the completion scripts ask Envoy for. */
export const VALUE_KINDS = ['projects', 'machines', 'types', 'plugins'] as const;

/** One of {@link VALUE_KINDS}. */
export type ValueKind = (typeof VALUE_KINDS)[number];

/** How long one completion may wait for Envoy: a tab press must not hang. */
export const COMPLETION_TIMEOUT_MS = 1500;

/** How long an answer is reused, in milliseconds: a minute, and ten seconds for project names (new ones appear). */
export const COMPLETION_CACHE_MS = { projects: 10_000, other: 60_000 } as const;

/** Values a terminal can show as they are and a shell can take as one word: no control characters, no line breaks. */
const PRINTABLE = /^[^\p{Cc}\u2028\u2029]+$/u;

/**
 * `gm __complete <kind> [prefix]`: the values the completion scripts offer, one per line, those starting with
 * `prefix` only. Envoy's (projects, machines, types, plugins) are asked for with a short time limit and kept for a
 * minute in the user's cache folder, per Envoy URL and account; when Envoy cannot answer, nothing is printed and the
 * exit code is 0, so that a tab press never shows an error. `--product <code>` narrows machines to one product.
 */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .argument('<kind>', VALUE_KINDS.join(', '))
    .argument('[prefix]', 'only values starting with this', '')
    .option('--product <code>', 'machines of this product only (default: every product)')
    .action(async (kind: string, prefix: string, opts: { product?: string }) => {
      if (!(VALUE_KINDS as readonly string[]).includes(kind)) {
        throw new UsageError(`No completion values of the kind "${kind}".`, {
          hint: `Kinds: ${VALUE_KINDS.join(', ')}.`,
        });
      }
      const ctx = contextOf(command, io, signal);
      let values: readonly string[] = [];
      try {
        values = await valuesOf(kind as ValueKind, opts.product, async (what, ask) => {
          const connection = await resolveConnection(ctx);
          const key = `${connection.url}\u0000${connection.email ?? ''}\u0000${what}`;
          const maxAge = what === 'projects' ? COMPLETION_CACHE_MS.projects : COMPLETION_CACHE_MS.other;
          return cachedValues(io.env, key, maxAge, async () => {
            const { client } = await connect(ctx, { timeoutMs: COMPLETION_TIMEOUT_MS, retries: 0 });
            return ask(client);
          });
        });
      } catch {
        // No Envoy, no credentials, a broken answer: no values (product codes for types), and no noise at the prompt.
        values = kind === 'types' ? PRODUCT_CODES : [];
      }
      const shown = [...new Set(values)].filter((v) => PRINTABLE.test(v) && v.startsWith(prefix)).sort();
      if (shown.length > 0) io.stdout.write(`${shown.join('\n')}\n`);
    });
}

type Ask = (client: Awaited<ReturnType<typeof connect>>['client']) => Promise<string[]>;

async function valuesOf(
  kind: ValueKind,
  product: string | undefined,
  fromEnvoy: (what: string, ask: Ask) => Promise<string[]>,
): Promise<readonly string[]> {
  switch (kind) {
    case 'projects':
      return fromEnvoy('projects', async (client) => (await client.listProjects()).map((p) => p.name));
    case 'types':
    case 'plugins':
      return fromEnvoy(kind, async (client) => {
        const types = (await client.getProductResolver()).getAllTypes(true);
        return Object.entries(types)
          .filter(([, info]) => kind === 'types' || info.is_plugin === true)
          .map(([code]) => code);
      });
    case 'machines': {
      const products =
        product && (PRODUCT_CODES as readonly string[]).includes(product) ? [product] : PRODUCT_CODES;
      return fromEnvoy(`machines:${products.join(',')}`, async (client) => {
        const ids: string[] = [];
        for (const code of products) {
          const operation = PRODUCTS[code as (typeof PRODUCT_CODES)[number]].operations[0];
          const machines = await client.getMachines(code, operation, { category: MachineCategory.ALL });
          ids.push(...machines.map((m) => m.id));
        }
        return ids;
      });
    }
  }
}
