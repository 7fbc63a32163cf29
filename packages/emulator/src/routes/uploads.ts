import { own } from '../names.js';
import { type CheckedFile, checkUploadSet, type FieldError } from '../validation.js';
import type { RouteContext } from './context.js';
import { answer, type Handlers } from './handlers.js';

/** Handler of `POST /upload`. */
export function uploadRoutes(ctx: RouteContext): Pick<Handlers, 'uploadFiles'> {
  return {
    async uploadFiles(req) {
      const me = ctx.current();
      if (!me) return answer.unauthorized();
      const errors: FieldError[] = [];
      const sets: { project: string; files: CheckedFile[] }[] = [];
      for (const [i, set] of req.body.upload.entries()) {
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
      if (errors.length > 0 || !first) return answer.invalid(errors);
      const project =
        ctx.ownProject(first.project, me.user.email) ?? ctx.newProject(first.project, me.user.email);
      for (const set of sets)
        for (const f of set.files) ctx.uploader.enqueue(project, f.rel, f.source, f.size);
      ctx.runtime.store.save();
      ctx.uploader.kick();
      return { status: 200, json: { ID: project.name } };
    },
  };
}
