import type { UploadRequest, UploadResult } from '@gm/transport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { own } from '../names.js';
import { type CheckedFile, checkUploadSet, type FieldError } from '../validation.js';
import { type Handler, invalid, type RouteContext } from './context.js';

/** Handler of `POST /upload`. */
export function uploadRoutes(ctx: RouteContext): Record<string, Handler> {
  return {
    async uploadFiles(req: FastifyRequest, reply: FastifyReply) {
      const me = ctx.current(reply);
      if (!me) return reply;
      const body = req.body as UploadRequest;
      const errors: FieldError[] = [];
      const sets: { project: string; files: CheckedFile[] }[] = [];
      for (const [i, set] of body.upload.entries()) {
        const checked = await checkUploadSet(set, `upload[${i}]`, errors);
        if (!checked) continue;
        if (sets[0] && checked.project !== sets[0].project) {
          errors.push({
            field: `upload[${i}].remoteRoot`,
            message: `all sets must be in project ${sets[0].project}`,
          });
        }
        const other = own(ctx.state().projects, checked.project);
        if (other && other.owner !== me.user.email) {
          errors.push({
            field: `upload[${i}].remoteRoot`,
            message: `project ${checked.project} belongs to another account`,
          });
        }
        sets.push(checked);
      }
      const first = sets[0];
      if (errors.length > 0 || !first) return invalid(reply, errors);
      const project =
        ctx.ownProject(first.project, me.user.email) ?? ctx.newProject(first.project, me.user.email);
      for (const set of sets)
        for (const f of set.files) ctx.uploader.enqueue(project, f.rel, f.source, f.size);
      ctx.runtime.store.save();
      ctx.uploader.kick();
      const result: UploadResult = { ID: project.name };
      return reply.code(200).send(result);
    },
  };
}
