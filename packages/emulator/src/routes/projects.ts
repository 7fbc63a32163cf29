import { completedTotals, describeFiles } from '../results.js';
import { formatSize, projectStatus } from '../status.js';
import type { RouteContext } from './context.js';
import { answer, type Handlers } from './handlers.js';

/** Handlers of projects: `GET /project-status/{name}`, `GET /projects`, `GET /project/{name}/Files`. */
export function projectRoutes(
  ctx: RouteContext,
): Pick<Handlers, 'getProjectStatus' | 'listProjects' | 'getProjectFiles'> {
  return {
    async getProjectStatus(req) {
      const me = ctx.current();
      if (!me) return answer.unauthorized();
      const { name } = req.params;
      const project = ctx.ownProject(name, me.user.email);
      if (!project) return answer.notFound(`project not found: ${name}`);
      return { status: 200, json: projectStatus(project, ctx.uploader, ctx.scheduler) };
    },
    async listProjects() {
      const me = ctx.current();
      if (!me) return answer.unauthorized();
      const projects = Object.values(ctx.state().projects)
        .filter((p) => p.owner === me.user.email)
        .map((p) => {
          const totals = completedTotals(p);
          return {
            name: p.name,
            deleting: false,
            num_files: totals.count,
            total_size: totals.size,
            auto_downloading: Object.keys(p.watch).length > 0,
            watched_list: Object.keys(p.watch),
          };
        });
      return { status: 200, json: { projects } };
    },
    async getProjectFiles(req) {
      const me = ctx.current();
      if (!me) return answer.unauthorized();
      const { name } = req.params;
      const project = ctx.ownProject(name, me.user.email);
      if (!project) return answer.notFound(`project not found: ${name}`);
      const all_files = (await describeFiles(project, ctx.runtime, ctx.uploader)).map((f) => ({
        CheckSum: f.sha256,
        LastModified: f.lastModified ?? project.createdAt,
        Name: f.rel,
        Key: `/${project.name}/${f.rel}`,
        Size: f.size,
        FmtName: formatSize(f.size),
      }));
      return { status: 200, json: { project_files: { all_files } } };
    },
  };
}
