import type { Registry } from '../../index.js';
import { connect } from '../../lib/client.js';
import { contextOf } from '../../lib/context.js';
import { formatBytes, formatTable } from '../../lib/table.js';

/** `gm projects`: the projects Envoy knows. */
export function registerProjects({ program, io, signal }: Registry): void {
  program
    .command('projects')
    .description('list the projects Envoy knows (files, size, auto-download)')
    .addHelpText('after', '\nExample:\n  gm projects --json')
    .action(async (_opts, command) => {
      const ctx = contextOf(command, io, signal);
      const { client } = await connect(ctx);
      const projects = await client.listProjects();
      const { out } = ctx;
      if (out.json) {
        out.printJson(projects);
        return;
      }
      if (projects.length === 0) {
        out.print('No projects yet. Upload one with `gm upload <folder>` or `gm submit <job file>`.');
        return;
      }
      out.print(
        formatTable(
          projects,
          [
            { header: 'NAME', value: (p) => out.c.cyan(p.name) },
            { header: 'FILES', value: (p) => String(p.num_files ?? ''), align: 'right' },
            {
              header: 'SIZE',
              value: (p) => (p.total_size === undefined ? '' : formatBytes(p.total_size)),
              align: 'right',
            },
            { header: 'AUTO-DOWNLOAD', value: (p) => (p.auto_downloading ? 'yes' : 'no') },
            { header: 'STATE', value: (p) => (p.deleting ? 'deleting' : '') },
          ],
          out.c.bold,
        ),
      );
    });
}
