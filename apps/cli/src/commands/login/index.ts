import { DEFAULT_ENVOY_URL } from '@gm/core';
import type { Registry } from '../../index.js';
import { createClient, resolveConnection } from '../../lib/client.js';
import { saveProfile } from '../../lib/config.js';
import { contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import { ask } from '../../lib/prompt.js';

/** `gm login`: checks an email and access key with Envoy and stores them as a profile. */
export function registerLogin({ program, io, signal }: Registry): void {
  program
    .command('login')
    .description('check your email and access key with Envoy and store them as a profile (mode 0600)')
    .addHelpText(
      'after',
      `
Asks on a terminal; otherwise give --email and --access-key (or GM_EMAIL and GM_ACCESS_KEY).

Examples:
  gm login
  gm login --email me@example.com --access-key XXXX --profile work`,
    )
    .action(async (_opts, command) => {
      const ctx = contextOf(command, io, signal);
      const conn = await resolveConnection(ctx);
      const interactive = io.stdin.isTTY === true && !ctx.globals.json;
      let email = ctx.globals.email || io.env.GM_EMAIL;
      let accessKey = ctx.globals.accessKey || io.env.GM_ACCESS_KEY;
      if (!email && interactive) email = await ask(io, 'Email: ');
      if (!accessKey && interactive) accessKey = await ask(io, 'Access key: ', true);
      if (!email || !accessKey) {
        throw new UsageError('gm login needs an email and an access key.', {
          hint: 'Pass --email and --access-key (or set GM_EMAIL and GM_ACCESS_KEY), or run it on a terminal.',
        });
      }
      const client = createClient(conn.url, email, accessKey);
      await client.validateAuth();
      const url = ctx.globals.url || io.env.GM_ENVOY_URL || conn.profile?.url;
      const path = await saveProfile(
        conn.profileName,
        { email, accessKey, ...(url && url !== DEFAULT_ENVOY_URL ? { url } : {}) },
        io.env,
      );
      if (ctx.out.json) {
        ctx.out.printJson({ profile: conn.profileName, email, url: conn.url, path });
        return;
      }
      const { c } = ctx.out;
      ctx.out.print(`${c.green('✔')} Logged in as ${c.bold(email)} (profile ${c.cyan(conn.profileName)}).`);
      ctx.out.info(`Saved to ${path}. Next: \`gm whoami\` or \`gm products\`.`);
    });
}
