import type { InsufficientCreditsBody, SubmitResult } from '@gm/transport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AjvLikeError, formatSchemaErrors } from '../contract.js';
import { MAX_PROJECT_JOBS, own } from '../names.js';
import type { ProjectRecord } from '../store.js';
import { checkJobs, checkUploadSet, type FieldError, type SubmitBody } from '../validation.js';
import { type Handler, invalid, type RouteContext } from './context.js';

/** Handler of `POST /project-submit`: every check first, then the project, its uploads and its jobs. */
export function submitRoutes(ctx: RouteContext): Record<string, Handler> {
  return {
    async submitProject(req: FastifyRequest, reply: FastifyReply) {
      const me = ctx.current(reply);
      if (!me) return reply;
      const body = req.body as SubmitBody;
      // The schema check does not stop a submit here (attachValidation): its problems are listed together
      // with every other problem the checks below can still find in the body.
      const schemaError = req.validationError as (Error & { validation?: AjvLikeError[] }) | undefined;
      if (schemaError && (body === null || typeof body !== 'object' || Array.isArray(body))) {
        return invalid(reply, formatSchemaErrors(schemaError.validation ?? [], 'body'));
      }
      const errors: FieldError[] = [];
      const skip = body.skip_upload === true;
      let checked: Awaited<ReturnType<typeof checkUploadSet>> = null;
      let existing: ProjectRecord | undefined;
      let plan: ReturnType<typeof checkJobs> = [];
      try {
        checked = await checkUploadSet(body.project_files, 'project_files', errors, { needLocal: !skip });
        const projectName = checked?.project ?? '';
        const other = own(ctx.state().projects, projectName);
        if (other && other.owner !== me.user.email) {
          errors.push({
            field: 'project_files.remoteRoot',
            message: `project ${projectName} belongs to another account`,
          });
        }
        existing = ctx.ownProject(projectName, me.user.email);
        const jobs = body.project_request.jobs;
        const submitted = new Set(existing?.jobs.map((e) => e.id));
        // A retried submit with the same job ids is answered again, not run twice.
        if (!schemaError && existing && jobs.length > 0 && jobs.every((j) => submitted.has(j.id))) {
          const again: SubmitResult = { ID: existing.name, Jobs: jobs.map((j) => j.id) };
          return reply.code(201).send(again);
        }
        if ((existing?.jobs.length ?? 0) + jobs.length > MAX_PROJECT_JOBS) {
          errors.push({
            field: 'project_request.jobs',
            message: `a project holds at most ${MAX_PROJECT_JOBS} jobs; this submit would make ${(existing?.jobs.length ?? 0) + jobs.length}`,
          });
        }
        jobs.forEach((j, i) => {
          if (submitted.has(j.id)) {
            errors.push({
              field: `project_request.jobs[${i}].id`,
              message: `job ${j.id} was already submitted`,
            });
          }
        });
        const known = new Set<string>();
        for (const f of Object.values(existing?.files ?? {}))
          if (f.origin === 'upload' && f.state !== 'Failed') known.add(f.rel);
        checked?.files.forEach((f, k) => {
          const stored = existing ? own(existing.files, f.rel) : undefined;
          if (skip && !(stored?.state === 'Completed')) {
            errors.push({
              field: `project_files.files[${k}]`,
              message: `${f.rel} is not in the remote store; upload it first or drop skip_upload`,
            });
          }
          known.add(f.rel);
        });
        if (checked) plan = checkJobs(body, projectName, known, existing, ctx.catalogue, errors);
      } catch (err) {
        // Only a body the schema refused can be too malformed to read; its schema problems say why.
        if (!schemaError) throw err;
      }
      if (schemaError) {
        const all = formatSchemaErrors(schemaError.validation ?? [], 'body');
        for (const e of errors) if (!all.some((s) => s.field === e.field)) all.push(e);
        return invalid(reply, all);
      }
      if (errors.length > 0 || !checked) return invalid(reply, errors);
      const projectName = checked.project;
      const cheapest = Math.min(...plan.map((p) => p.machine.credit_rate));
      if (plan.length > 0 && (me.balance.credits_available <= 0 || me.balance.credits_available < cheapest)) {
        const short: InsufficientCreditsBody = {
          message: 'Insufficient credits balance',
          credits_available: me.balance.credits_available,
          credits_required: cheapest,
        };
        return reply.code(402).type('application/json').send(short);
      }
      const project = existing ?? ctx.newProject(projectName, me.user.email);
      if (!skip) for (const f of checked.files) ctx.uploader.enqueue(project, f.rel, f.source, f.size);
      project.submissionName = body.project_request.name;
      if (body.project_request.params) project.params = body.project_request.params;
      Object.assign(project.watch, body.watch_files ?? {});
      for (const p of plan) {
        const params = p.body.params ?? {};
        project.jobs.push({
          id: p.body.id,
          name: p.body.name,
          app: p.body.app,
          appVersion: p.body.app_version,
          operation: p.body.operation,
          path: p.path,
          machine: p.machine.id,
          creditRate: p.machine.credit_rate,
          instances: params.instances ?? 1,
          frames: p.frames,
          done: [],
          cancelled: [],
          outputDir: p.outputDir,
          outputPrefix: params.output_prefix || 'frame',
          ext: p.ext,
          ...(params.credits_budget ? { budget: params.credits_budget } : {}),
          budgetHit: false,
          dependencies: p.body.dependencies ?? [],
          state: 'Waiting',
          creditsConsumed: 0,
          alerts: [],
        });
      }
      ctx.runtime.store.save();
      ctx.uploader.kick();
      ctx.scheduler.pump();
      const result: SubmitResult = { ID: project.name, Jobs: body.project_request.jobs.map((j) => j.id) };
      return reply.code(201).send(result);
    },
  };
}
