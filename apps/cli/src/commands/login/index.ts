import { DEFAULT_ENVOY_URL } from '@gm/core';
import type { Command } from 'commander';
import { createClient, resolveConnection } from '../../lib/client.js';
import { saveProfile } from '../../lib/config.js';
import { type Context, contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import { ask } from '../../lib/prompt.js';
import type { Registry } from '../../registry.js';

/** The options of {@link login}: `gm login`'s own flags (the email and key come from the global options). */
export interface LoginOptions {
  /** Read the access key from standard input, one line (`--access-key-stdin`). */
  accessKeyStdin?: boolean;
}

/** Reads standard input to its end and returns its first line, trimmed. */
async function readKey(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > 64 * 1024) break;
  }
  return (text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '').trim();
}

/** `gm login`: checks an email and access key with Envoy and stores them as a profile. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .addHelpText(
      'after',
      `
Asks on a terminal (the access key is not echoed); otherwise give --email and the key with --access-key-stdin
(kept out of shell history), GM_ACCESS_KEY or --access-key.

Examples:
  gm login
  gm login --email me@example.com --access-key-stdin < key.txt
  pass show gridmarkets | gm login --email me@example.com --access-key-stdin --profile work`,
    )
    .option('--access-key-stdin', 'read the access key from standard input (one line) instead of a flag')
    .action((opts: LoginOptions) => login(contextOf(command, io, signal), opts));
}

/**
 * What `gm login` runs, callable without the argument parser (see `createContext`): takes the email and access
 * key from the global options, the environment, standard input (`opts.accessKeyStdin`) or, on a terminal, a
 * prompt; checks them with Envoy and stores them as the profile.
 *
 * @throws UsageError (exit 2) when the email or the access key is missing, or given twice.
 */
export async function login(ctx: Context, opts: LoginOptions): Promise<void> {
  const { io } = ctx;
  const conn = await resolveConnection(ctx);
  let email = ctx.globals.email || io.env.GM_EMAIL;
  let accessKey = ctx.globals.accessKey || io.env.GM_ACCESS_KEY;
  if (opts.accessKeyStdin) {
    if (ctx.sourceOf('accessKey') === 'cli')
      throw new UsageError('Give the access key with --access-key or --access-key-stdin, not both.');
    if (!email) {
      throw new UsageError('gm login --access-key-stdin needs an email.', {
        hint: 'Pass --email (or set GM_EMAIL): standard input holds the access key.',
      });
    }
    // On a terminal, standard input is the keyboard: ask without echo rather than show the key as typed.
    accessKey = io.stdin.isTTY ? await ask(io, 'Access key: ', true) : await readKey(io.stdin);
    if (!accessKey) {
      throw new UsageError('Standard input held no access key.', {
        hint: 'Pipe the key in, for example: gm login --email me@example.com --access-key-stdin < key.txt',
      });
    }
  }
  const interactive = io.stdin.isTTY === true && !ctx.globals.json && !opts.accessKeyStdin;
  if (!email && interactive) email = await ask(io, 'Email: ');
  if (!accessKey && interactive) accessKey = await ask(io, 'Access key: ', true);
  if (!email || !accessKey) {
    throw new UsageError('gm login needs an email and an access key.', {
      hint: 'Pass --email with --access-key-stdin (or set GM_EMAIL and GM_ACCESS_KEY), or run it on a terminal.',
    });
  }
  const client = createClient(conn.url, email, accessKey);
  await client.validateAuth();
  const url = conn.urlSource === 'default' ? undefined : conn.url;
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
  ctx.out.info(`${c.green('✔')} Logged in as ${c.bold(email)} (profile ${c.cyan(conn.profileName)}).`);
  ctx.out.info(`Saved to ${path}. Next: \`gm whoami\` or \`gm products\`.`);
}
