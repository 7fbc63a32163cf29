import type { EnvoyClient, ProjectSummary } from '@gm/core';
import type { Command } from 'commander';
import { connect } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { formatBytes, formatTable } from '../../lib/table.js';
import type { Registry } from '../../registry.js';

/** A project with the state of its status (`Uploading`, `Running`, `Completed`...), or `deleting`. */
type ProjectRow = ProjectSummary & { state: string };

/** The state of each project, asking for a few statuses at a time; an unanswered one reads `unknown`. */
async function withStates(client: EnvoyClient, projects: readonly ProjectSummary[]): Promise<ProjectRow[]> {
  const rows: ProjectRow[] = projects.map((p) => ({ ...p, state: p.deleting ? 'deleting' : '' }));
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      if (row.state) continue;
      try {
        row.state = String((await client.getProjectStatus(row.name)).State ?? '') || 'unknown';
      } catch {
        row.state = 'unknown';
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(6, rows.length) }, worker));
  return rows;
}

/** `gm projects`: the projects Envoy knows, with the state of each. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .addHelpText(
      'after',
      '\nSTATE is the project status (as `gm status` shows it), or deleting.\n\nExample:\n  gm projects --json',
    )
    .action(() => projects(contextOf(command, io, signal)));
}

/**
 * What `gm projects` runs, callable without the argument parser (see `createContext`): prints the projects Envoy
 * knows, sorted by name, with the state of each.
 */
export async function projects(ctx: Context): Promise<void> {
  const { client } = await connect(ctx);
  const projects = await withStates(
    client,
    [...(await client.listProjects())].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  );
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
        { header: 'NAME', value: (p) => p.name, paint: out.c.cyan },
        { header: 'STATE', value: (p) => p.state },
        { header: 'FILES', value: (p) => String(p.num_files ?? ''), align: 'right' },
        {
          header: 'SIZE',
          value: (p) => (p.total_size === undefined ? '' : formatBytes(p.total_size)),
          align: 'right',
        },
        { header: 'AUTO-DOWNLOAD', value: (p) => (p.auto_downloading ? 'yes' : 'no') },
      ],
      out.c.bold,
    ),
  );
}
