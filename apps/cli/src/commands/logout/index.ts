import type { Command } from 'commander';
import { DEFAULT_PROFILE, removeProfile } from '../../lib/config.js';
import { type Context, contextOf } from '../../lib/context.js';
import type { Registry } from '../../registry.js';

/** `gm logout`: removes a stored profile. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .addHelpText('after', '\nExample:\n  gm logout --profile work')
    .action(() => logout(contextOf(command, io, signal)));
}

/**
 * What `gm logout` runs, callable without the argument parser (see `createContext`): removes the stored profile
 * named by `--profile`, `GM_PROFILE` or the default, and says whether there was one.
 */
export async function logout(ctx: Context): Promise<void> {
  const { io } = ctx;
  const name = ctx.globals.profile || io.env.GM_PROFILE || DEFAULT_PROFILE;
  const removed = await removeProfile(name, io.env);
  if (ctx.out.json) {
    ctx.out.printJson({ profile: name, removed });
    return;
  }
  ctx.out.print(
    removed
      ? `Logged out: profile ${ctx.out.c.cyan(name)} removed.`
      : `No profile named ${name}; nothing to do.`,
  );
}
