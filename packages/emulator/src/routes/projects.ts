import type { operations, ProjectFiles, ProjectList } from '@gm/transport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { completedTotals, describeFiles } from '../results.js';
import { formatSize, projectStatus } from '../status.js';
import { type Handler, notFound, type RouteContext } from './context.js';

/** Handlers of projects: `GET /project-status/{name}`, `GET /projects`, `GET /project/{name}/Files`. */
export function projectRoutes(ctx: RouteContext): Record<string, Handler> {
  return {
    async getProjectStatus(req: FastifyRequest, reply: FastifyReply) {
      const me = ctx.current(reply);
      if (!me) return reply;
      const { name } = req.params as operations['getProjectStatus']['parameters']['path'];
      const project = ctx.ownProject(name, me.user.email);
      if (!project) return notFound(reply, `project not found: ${name}`);
      return projectStatus(project, ctx.uploader, ctx.scheduler);
    },
    async listProjects(_req: FastifyRequest, reply: FastifyReply) {
      const me = ctx.current(reply);
      if (!me) return reply;
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
      const list: ProjectList = { projects };
      return list;
    },
    async getProjectFiles(req: FastifyRequest, reply: FastifyReply) {
      const me = ctx.current(reply);
      if (!me) return reply;
      const { name } = req.params as operations['getProjectFiles']['parameters']['path'];
      const project = ctx.ownProject(name, me.user.email);
      if (!project) return notFound(reply, `project not found: ${name}`);
      const all_files = (await describeFiles(project, ctx.runtime, ctx.uploader)).map((f) => ({
        CheckSum: f.sha256,
        LastModified: f.lastModified ?? project.createdAt,
        Name: f.rel,
        Key: `/${project.name}/${f.rel}`,
        Size: f.size,
        FmtName: formatSize(f.size),
      }));
      const answer: ProjectFiles = { project_files: { all_files } };
      return answer;
    },
  };
}
