import { type AjvLikeError, formatSchemaErrors } from '../contract.js';
import type { SubmitResult } from '../generated/envoy.js';
import { MAX_PROJECT_JOBS, own } from '../names.js';
import { RangeSet } from '../ranges.js';
import { hasCompletedFile } from '../results.js';
import type { JobRecord, ProjectRecord } from '../store.js';
import {
  type CheckedFile,
  checkJobs,
  checkUploadSet,
  type FieldError,
  type PlannedJob,
  type SubmitBody,
} from '../validation.js';
import type { CurrentUser, RouteContext } from './context.js';
import { answer, type Handlers } from './handlers.js';

/** The schema problems of a submit, which its handler sees (the body may then be any JSON value). */
type SchemaError = Error & { validation?: AjvLikeError[] };

/** What the checks of a submit conclude. */
type Verdict =
  | { kind: 'again'; result: SubmitResult }
  | { kind: 'invalid'; errors: FieldError[] }
  | {
      kind: 'ok';
      project: string;
      files: CheckedFile[];
      existing: ProjectRecord | undefined;
      plan: PlannedJob[];
    };

/** Handler of `POST /project-submit`: every check first, then the project, its uploads and its jobs. */
export function submitRoutes(ctx: RouteContext): Pick<Handlers, 'submitProject'> {
  return {
    async submitProject(req) {
      const me = ctx.current();
      if (!me) return answer.unauthorized();
      const body: SubmitBody = req.body;
      // The schema check does not stop a submit here (it sees its schema problems): they are listed together
      // with every other problem the checks below can still find in the body.
      const schemaError: SchemaError | undefined = req.validationError;
      if (schemaError && (body === null || typeof body !== 'object' || Array.isArray(body))) {
        return answer.invalid(formatSchemaErrors(schemaError.validation ?? [], 'body'));
      }
      const verdict = await checkSubmit(ctx, me, body, schemaError);
      if (verdict.kind === 'again') return { status: 201, json: verdict.result };
      if (verdict.kind === 'invalid') return answer.invalid(verdict.errors);
      const { plan, existing } = verdict;
      const cheapest = Math.min(...plan.map((p) => p.machine.credit_rate));
      if (plan.length > 0 && (me.balance.credits_available <= 0 || me.balance.credits_available < cheapest)) {
        return {
          status: 402,
          json: {
            message: 'Insufficient credits balance',
            credits_available: me.balance.credits_available,
            credits_required: cheapest,
          },
        };
      }
      const project = existing ?? ctx.newProject(verdict.project, me.user.email);
      if (body.skip_upload !== true) {
        for (const f of verdict.files) ctx.uploader.enqueue(project, f.rel, f.source, f.size);
      }
      project.submissionName = body.project_request.name;
      if (body.project_request.params) project.params = body.project_request.params;
      Object.assign(project.watch, body.watch_files ?? {});
      for (const p of plan) project.jobs.push(jobRecord(p));
      ctx.runtime.store.save();
      ctx.uploader.kick();
      ctx.scheduler.pump();
      return { status: 201, json: { ID: project.name, Jobs: body.project_request.jobs.map((j) => j.id) } };
    },
  };
}

/**
 * Every check of a submit: its files, the project's owner, a retry of a submit already taken, the job limit,
 * job ids, files to skip uploading, then the jobs themselves. Schema problems come first in the answer.
 */
async function checkSubmit(
  ctx: RouteContext,
  me: CurrentUser,
  body: SubmitBody,
  schemaError: SchemaError | undefined,
): Promise<Verdict> {
  const errors: FieldError[] = [];
  const skip = body.skip_upload === true;
  let checked: Awaited<ReturnType<typeof checkUploadSet>> = null;
  let existing: ProjectRecord | undefined;
  let plan: PlannedJob[] = [];
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
      return { kind: 'again', result: { ID: existing.name, Jobs: jobs.map((j) => j.id) } };
    }
    const total = (existing?.jobs.length ?? 0) + jobs.length;
    if (total > MAX_PROJECT_JOBS) {
      errors.push({
        field: 'project_request.jobs',
        message: `a project holds at most ${MAX_PROJECT_JOBS} jobs; this submit would make ${total}`,
      });
    }
    jobs.forEach((j, i) => {
      if (submitted.has(j.id)) {
        errors.push({ field: `project_request.jobs[${i}].id`, message: `job ${j.id} was already submitted` });
      }
    });
    const known = new Set<string>();
    for (const f of Object.values(existing?.files ?? {}))
      if (f.origin === 'upload' && f.state !== 'Failed') known.add(f.rel);
    checked?.files.forEach((f, k) => {
      if (skip && !(existing && hasCompletedFile(existing, f.rel))) {
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
    return { kind: 'invalid', errors: all };
  }
  if (errors.length > 0 || !checked) return { kind: 'invalid', errors };
  return { kind: 'ok', project: checked.project, files: checked.files, existing, plan };
}

/** The record of a planned job, waiting for its uploads and dependencies. */
function jobRecord(p: PlannedJob): JobRecord {
  const params = p.body.params ?? {};
  return {
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
    done: new RangeSet(),
    cancelled: new RangeSet(),
    outputDir: p.outputDir,
    outputPrefix: params.output_prefix || 'frame',
    ext: p.ext,
    ...(params.credits_budget ? { budget: params.credits_budget } : {}),
    budgetHit: false,
    dependencies: p.body.dependencies ?? [],
    state: 'Waiting',
    creditsConsumed: 0,
    alerts: [],
  };
}
