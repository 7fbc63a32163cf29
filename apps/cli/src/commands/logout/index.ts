import type { Command } from 'commander';
import { DEFAULT_PROFILE, removeProfile } from '../../lib/config.js';
import { contextOf } from '../../lib/context.js';
import type { Registry } from '../../registry.js';

/** `gm logout`: removes a stored profile. */
export function define(command: Command, { io, signal }: Registry): void {
  command.addHelpText('after', '\nExample:\n  gm logout --profile work').action(async () => {
    const ctx = contextOf(command, io, signal);
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
  });
}
