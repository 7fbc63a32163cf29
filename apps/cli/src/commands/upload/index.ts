import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Project } from '@gm/core';
import { productsForFile } from '@gm/products';
import type { Command } from 'commander';
import { connect } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import { safe } from '../../lib/safe.js';
import { formatBytes } from '../../lib/table.js';
import { watchProject } from '../../lib/watch.js';
import type { Registry } from '../../registry.js';

/** The options of {@link upload}: `gm upload`'s flags. */
export interface UploadOptions {
  /** The project name (`--name`); the folder name when absent. */
  name?: string;
  /** Follow the upload to the end (`false` with `--no-wait`). */
  wait: boolean;
  /** Milliseconds between progress polls (`--interval`). */
  interval: string;
}

/** An argument as a shell reads it back: quoted when it holds anything but safe characters. */
const quoteArg = (text: string) => (/^[\w./:@=+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** `gm upload`: uploads a folder as a project, with a progress bar. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .argument('<folder>', 'the project folder')
    .option('--name <name>', 'project name (default: the folder name)')
    .option('--no-wait', 'return once Envoy has the upload queued, without following it')
    .option('--interval <ms>', 'milliseconds between progress polls', '500')
    .addHelpText(
      'after',
      '\nExamples:\n  gm upload ./sample_project\n  gm upload ./shots --name shots_v2 --json',
    )
    .action((folder: string, opts: UploadOptions) => upload(contextOf(command, io, signal), folder, opts));
}

/**
 * What `gm upload` runs, callable without the argument parser (see `createContext`): uploads a folder as a
 * project, with a progress bar.
 */
export async function upload(ctx: Context, folder: string, opts: UploadOptions): Promise<void> {
  const { io } = ctx;
  const full = resolve(io.cwd, folder);
  const info = await stat(full).catch(() => undefined);
  if (!info?.isDirectory())
    throw new UsageError(`${full} is not a folder.`, { hint: 'Give the project folder to upload.' });
  const project = new Project(full, opts.name ? { name: opts.name } : {});
  await project.addFiles(full, project.remoteRoot);
  if (project.files.length === 0) throw new UsageError(`${full} has no files to upload.`);
  const { client } = await connect(ctx);
  ctx.out.info(
    `Uploading ${project.files.length} files from ${safe(full)} as ${ctx.out.ce.cyan(project.name)}`,
  );
  const name = await client.uploadProjectFiles(project);
  const last = opts.wait
    ? await watchProject(ctx, client, name, {
        intervalMs: Number(opts.interval) || 500,
        uploadOnly: true,
        events: false,
      })
    : undefined;
  const result = {
    project: name,
    files: project.files.length,
    bytes: last?.BytesTotal ?? undefined,
    state: last?.State ?? 'Uploading',
  };
  // The scene files of the upload, for a `gm init` to paste (on stderr, with --json too).
  const scenes = project.files.filter((f) => productsForFile(f).length === 1);
  const scene =
    scenes.length === 1 ? quoteArg(join(full, ...scenes[0]!.split('/'))) : `${quoteArg(full)}/<scene file>`;
  const next = `Next: \`gm init ${scene} --name ${quoteArg(name)}\` writes a job file for it, then \`gm submit job.yaml --skip-upload\`.`;
  if (ctx.out.json) {
    ctx.out.printJson(result);
    ctx.out.info(next);
    return;
  }
  ctx.out.print(
    `${ctx.out.c.green('✔')} ${name}: ${result.files} files${result.bytes ? ` (${formatBytes(result.bytes)})` : ''} ${result.state.toLowerCase()}.`,
  );
  ctx.out.info(next);
}
