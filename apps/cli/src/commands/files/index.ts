import type { RemoteFile } from '@gm/core';
import type { Command } from 'commander';
import { connect } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { onProject } from '../../lib/projects.js';
import { safe } from '../../lib/safe.js';
import { formatBytes, formatTable } from '../../lib/table.js';
import type { Registry } from '../../registry.js';

const fileKey = (f: RemoteFile): string => f.Key ?? f.Name ?? '';

/** `gm files`: the files of a project in the remote store. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .argument('<project>', 'project name')
    .addHelpText(
      'after',
      '\nFiles are sorted by path; CHECKSUM is the SHA-256 Envoy holds for each.\n\nExample:\n  gm files sample_project',
    )
    .action((project: string) => files(contextOf(command, io, signal), project));
}

/**
 * What `gm files` runs, callable without the argument parser (see `createContext`): prints the files of a
 * project in the remote store, sorted by path, with their sizes and checksums.
 *
 * @throws UsageError (exit 2) for a project Envoy does not know.
 */
export async function files(ctx: Context, project: string): Promise<void> {
  const { client } = await connect(ctx);
  const files = (await onProject(client, project, () => client.getProjectFiles(project))).sort((a, b) =>
    fileKey(a) < fileKey(b) ? -1 : fileKey(a) > fileKey(b) ? 1 : 0,
  );
  const { out } = ctx;
  if (out.json) {
    out.printJson(files);
    return;
  }
  if (files.length === 0) {
    out.print(`No files in ${safe(project)}.`);
    return;
  }
  out.print(
    formatTable(
      files,
      [
        { header: 'FILE', value: fileKey },
        { header: 'SIZE', value: (f) => formatBytes(f.Size), align: 'right' },
        { header: 'MODIFIED', value: (f) => f.LastModified ?? '' },
        { header: 'CHECKSUM', value: (f) => f.CheckSum || '-' },
      ],
      out.c.bold,
    ),
  );
}
