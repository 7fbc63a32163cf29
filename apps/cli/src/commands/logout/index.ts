import type { Registry } from '../../index.js';
import { DEFAULT_PROFILE, removeProfile } from '../../lib/config.js';
import { contextOf } from '../../lib/context.js';

/** `gm logout`: removes a stored profile. */
export function registerLogout({ program, io, signal }: Registry): void {
  program
    .command('logout')
    .description('remove the stored profile (--profile, default "default")')
    .addHelpText('after', '\nExample:\n  gm logout --profile work')
    .action(async (_opts, command) => {
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
