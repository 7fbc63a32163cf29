import type { Command } from 'commander';
import { connect } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import { onProject } from '../../lib/projects.js';
import { printStatus, watchProject } from '../../lib/watch.js';
import type { Registry } from '../../registry.js';

/** The options of {@link status}: `gm status`'s flags. */
export interface StatusOptions {
  /** Follow until the project completes, stops or fails (`--watch`). */
  watch?: boolean;
  /** Milliseconds between polls with `watch`, at least 10 (`--interval`, default `'1000'`). */
  interval: string;
}

/** `gm status`: a project's state, bytes, frames and credits; `--watch` follows it to the end. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .argument('<project>', 'project name (as `gm submit` printed it)')
    .option(
      '-w, --watch',
      'follow until the project completes, stops or fails (exit 7 when Stopped or Failed)',
    )
    .option('--interval <ms>', 'milliseconds between polls with --watch', '1000')
    .addHelpText(
      'after',
      '\nExamples:\n  gm status sample_project\n  gm status sample_project --watch --json',
    )
    .action((project: string, opts: StatusOptions) => status(contextOf(command, io, signal), project, opts));
}

/**
 * What `gm status` runs, callable without the argument parser (see `createContext`): prints a project's state,
 * bytes, frames and credits, or with `opts.watch` follows it until it completes, stops or fails.
 *
 * @throws UsageError (exit 2) for a bad `opts.interval` or a project Envoy does not know.
 */
export async function status(ctx: Context, project: string, opts: StatusOptions): Promise<void> {
  const intervalMs = Number(opts.interval);
  if (!Number.isFinite(intervalMs) || intervalMs < 10)
    throw new UsageError('--interval must be a number of milliseconds (at least 10).');
  const { client } = await connect(ctx);
  // The first answer tells an unknown project (exit 2) before anything is drawn.
  const status = await onProject(client, project, () => client.getProjectStatus(project));
  if (opts.watch) {
    const last = await watchProject(ctx, client, project, { intervalMs, uploadOnly: true });
    if (!ctx.out.json) printStatus(ctx, project, last);
    return;
  }
  if (ctx.out.json) ctx.out.printJson(status);
  else printStatus(ctx, project, status);
}
