import type { Command } from 'commander';
import { connect } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { safe } from '../../lib/safe.js';
import { formatCredits } from '../../lib/table.js';
import type { Registry } from '../../registry.js';

/** `gm whoami`: the account behind the credentials, with its credits. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .addHelpText('after', '\nExample:\n  gm whoami --json')
    .action(() => whoami(contextOf(command, io, signal)));
}

/**
 * What `gm whoami` runs, callable without the argument parser (see `createContext`): prints the account behind
 * the credentials (name, email, plan, credits), the Envoy URL and the profile.
 */
export async function whoami(ctx: Context): Promise<void> {
  const { client, connection } = await connect(ctx);
  const user = await client.getUserInfo();
  if (ctx.out.json) {
    ctx.out.printJson({ profile: connection.profileName, url: connection.url, user });
    return;
  }
  const { c } = ctx.out;
  const rows: [string, string][] = [
    ['Name', safe(user.name)],
    ['Email', safe(user.email_address ?? connection.email)],
    ['Plan', safe(user.service_plan)],
    ['Credits available', c.green(formatCredits(Number(user.credits_available ?? 0)))],
    ['Credits consumed', formatCredits(Number(user.credits_consumed ?? 0))],
    ['Envoy', safe(connection.url)],
    ['Profile', safe(connection.profileName)],
  ];
  for (const [k, v] of rows) ctx.out.print(`${c.dim(k.padEnd(18))} ${v}`);
}
