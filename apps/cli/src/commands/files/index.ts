import type { Registry } from '../../index.js';
import { connect } from '../../lib/client.js';
import { contextOf } from '../../lib/context.js';
import { formatBytes, formatTable } from '../../lib/table.js';

/** `gm files`: the files of a project in the remote store. */
export function registerFiles({ program, io, signal }: Registry): void {
  program
    .command('files')
    .description('list the files of a project in the remote store (uploads and results)')
    .argument('<project>', 'project name')
    .addHelpText('after', '\nExample:\n  gm files sample_project')
    .action(async (project: string, _opts, command) => {
      const ctx = contextOf(command, io, signal);
      const { client } = await connect(ctx);
      const files = await client.getProjectFiles(project);
      const { out } = ctx;
      if (out.json) {
        out.printJson(files);
        return;
      }
      if (files.length === 0) {
        out.print(`No files in ${project}.`);
        return;
      }
      out.print(
        formatTable(
          files,
          [
            { header: 'FILE', value: (f) => f.Key ?? f.Name },
            { header: 'SIZE', value: (f) => formatBytes(f.Size), align: 'right' },
            { header: 'MODIFIED', value: (f) => f.LastModified ?? '' },
          ],
          out.c.bold,
        ),
      );
    });
}
