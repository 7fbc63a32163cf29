import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import openapiGlue from 'fastify-openapi-glue';
import { machineSupports } from './catalogue.js';
import { type AjvLikeError, formatSchemaErrors, loadContract } from './contract.js';
import type { Downloader } from './downloads.js';
import type { Runtime } from './runtime.js';
import type { Scheduler } from './scheduler.js';
import { formatSize, projectStatus } from './status.js';
import type { ProjectRecord, UserBalance } from './store.js';
import type { EmulatorLoggerOptions, EmulatorUser } from './types.js';
import type { Uploader } from './uploads.js';
import {
  type Catalogue,
  type CheckedFile,
  checkJobs,
  checkUploadSet,
  type FieldError,
  machinesFor,
  type SubmitBody,
  type UploadSetBody,
} from './validation.js';

/** Everything the route handlers act on. */
export interface ServerDeps {
  runtime: Runtime;
  users: Required<EmulatorUser>[];
  catalogue: Catalogue;
  uploader: Uploader;
  scheduler: Scheduler;
  downloader: Downloader;
  logger: boolean | EmulatorLoggerOptions;
}

/** A URL for the request log, its query string replaced (a client could put a key or password there). */
function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?[redacted]`;
}

function invalid(reply: FastifyReply, errors: FieldError[]): FastifyReply {
  const message =
    errors.length === 1
      ? `The request has 1 problem: ${errors[0]?.field}: ${errors[0]?.message}`
      : `The request has ${errors.length} problems.`;
  return reply.code(400).type('application/json').send({ message, errors });
}

function unauthorized(reply: FastifyReply, text = 'Not logged in: authenticate first'): FastifyReply {
  return reply.code(401).type('text/plain; charset=utf-8').send(text);
}

function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).type('application/json').send({ message });
}

/** Builds the Fastify server whose routes come from the contract, handlers by operationId. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { runtime, users, catalogue, uploader, scheduler } = deps;
  const state = (): typeof runtime.store.state => runtime.store.state;
  // Fastify never logs bodies or headers; the URL is the one place a secret could reach the log.
  const serializers = {
    req: (req: FastifyRequest) => ({ method: req.method, url: redactQuery(req.url), reqId: req.id }),
  };
  const logger =
    deps.logger === true
      ? { level: 'info', serializers }
      : deps.logger
        ? { level: deps.logger.level ?? 'info', stream: deps.logger.stream, serializers }
        : false;
  const app = Fastify({ logger, bodyLimit: 16 * 1024 * 1024 });

  const bodyAjv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true });
  const otherAjv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: 'array', useDefaults: true });
  addFormats(bodyAjv);
  addFormats(otherAjv);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : otherAjv).compile(schema),
  );

  app.setErrorHandler((error: FastifyError, _req, reply) => {
    if (error.validation) {
      return invalid(
        reply,
        formatSchemaErrors(error.validation as AjvLikeError[], error.validationContext ?? 'body'),
      );
    }
    const status = error.statusCode ?? 500;
    if (status === 400) return invalid(reply, [{ field: 'body', message: error.message }]);
    if (status < 500) return reply.code(status).type('application/json').send({ message: error.message });
    app.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .type('application/json')
      .send({ message: `internal error: ${error.message}` });
  });
  app.addHook('onRoute', (route) => {
    if (route.url === '/project-submit') route.attachValidation = true;
  });
  app.setNotFoundHandler((req, reply) =>
    notFound(reply, `no such path: ${req.method} ${req.url.split('?')[0]}`),
  );

  /** The user Envoy acts for, or null (and a 401 sent). */
  const current = (reply: FastifyReply): { user: Required<EmulatorUser>; balance: UserBalance } | null => {
    const email = state().currentUser;
    const user = users.find((u) => u.email === email);
    const balance = email ? state().balances[email] : undefined;
    if (!user || !balance) {
      unauthorized(reply);
      return null;
    }
    return { user, balance };
  };
  const ownProject = (name: string, email: string): ProjectRecord | undefined => {
    const p = state().projects[name];
    return p && p.owner === email ? p : undefined;
  };
  const newProject = (name: string, owner: string): ProjectRecord => {
    const project: ProjectRecord = {
      name,
      owner,
      createdAt: new Date().toISOString(),
      files: {},
      watch: {},
      jobs: [],
      downloads: [],
    };
    state().projects[name] = project;
    return project;
  };

  const handlers = {
    async authenticate(req: FastifyRequest, reply: FastifyReply) {
      const body = req.body as { Username: string; AccessKey?: string; Password?: string };
      const user = users.find((u) => u.email.toLowerCase() === body.Username.trim().toLowerCase());
      const keyOk = body.AccessKey === undefined || body.AccessKey === user?.accessKey;
      const passwordOk =
        body.Password === undefined || (user?.password !== '' && body.Password === user?.password);
      if (!user || !keyOk || !passwordOk) return unauthorized(reply, 'Invalid credentials');
      state().currentUser = user.email;
      runtime.store.save();
      return reply.code(200).send({ Message: `Authenticated as ${user.email}`, Email: user.email });
    },
    async getCreditsInfo(_req: FastifyRequest, reply: FastifyReply) {
      const me = current(reply);
      if (!me) return reply;
      return {
        credits_available: me.balance.credits_available,
        credits_consumed: me.balance.credits_consumed,
      };
    },
    async getUserInfo(_req: FastifyRequest, reply: FastifyReply) {
      const me = current(reply);
      if (!me) return reply;
      const { user, balance } = me;
      return {
        data: {
          created: user.created,
          credits_available: balance.credits_available,
          credits_consumed: balance.credits_consumed,
          email_address: user.email,
          job_throughput_limit: user.jobThroughputLimit,
          max_throughput: user.maxThroughput,
          name: user.name,
          service_plan: user.servicePlan,
        },
      };
    },
    async getProducts(_req: FastifyRequest, reply: FastifyReply) {
      if (!current(reply)) return reply;
      return catalogue.products;
    },
    async getMachines(req: FastifyRequest, reply: FastifyReply) {
      if (!current(reply)) return reply;
      const q = req.query as {
        product: string;
        operation: string;
        category?: string;
        plugins?: string[] | string;
      };
      const found = machinesFor(catalogue, q.product, q.operation);
      if (!('machines' in found)) return invalid(reply, [{ field: found.field, message: found.message }]);
      const plugins = (Array.isArray(q.plugins) ? q.plugins : q.plugins ? [q.plugins] : []).map(
        (p) => p.split(':')[0] ?? p,
      );
      const category = q.category ?? 'all';
      return found.machines
        .filter((m) => category === 'all' || m.gpu === (category === 'gpu'))
        .filter((m) => machineSupports(m, plugins));
    },
    async uploadFiles(req: FastifyRequest, reply: FastifyReply) {
      const me = current(reply);
      if (!me) return reply;
      const body = req.body as { upload: UploadSetBody[] };
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
        const other = state().projects[checked.project];
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
      const project = ownProject(first.project, me.user.email) ?? newProject(first.project, me.user.email);
      for (const set of sets) for (const f of set.files) uploader.enqueue(project, f.rel, f.source, f.size);
      runtime.store.save();
      uploader.kick();
      return reply.code(200).send({ ID: project.name });
    },
    async submitProject(req: FastifyRequest, reply: FastifyReply) {
      const me = current(reply);
      if (!me) return reply;
      const body = req.body as SubmitBody;
      // The schema check does not stop a submit here (attachValidation): its problems are listed together
      // with every other problem the checks below can still find in the body.
      const schemaError = req.validationError as (Error & { validation?: AjvLikeError[] }) | undefined;
      const errors: FieldError[] = [];
      const skip = body.skip_upload === true;
      let checked: Awaited<ReturnType<typeof checkUploadSet>> = null;
      let existing: ProjectRecord | undefined;
      let plan: ReturnType<typeof checkJobs> = [];
      try {
        checked = await checkUploadSet(body.project_files, 'project_files', errors, { needLocal: !skip });
        const projectName = checked?.project ?? '';
        const other = state().projects[projectName];
        if (other && other.owner !== me.user.email) {
          errors.push({
            field: 'project_files.remoteRoot',
            message: `project ${projectName} belongs to another account`,
          });
        }
        existing = ownProject(projectName, me.user.email);
        const jobs = body.project_request.jobs;
        // A retried submit with the same job ids is answered again, not run twice.
        if (
          !schemaError &&
          existing &&
          jobs.length > 0 &&
          jobs.every((j) => existing?.jobs.some((e) => e.id === j.id))
        ) {
          return reply.code(201).send({ ID: existing.name, Jobs: jobs.map((j) => j.id) });
        }
        jobs.forEach((j, i) => {
          if (existing?.jobs.some((e) => e.id === j.id)) {
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
          const stored = existing?.files[f.rel];
          if (skip && !(stored?.state === 'Completed')) {
            errors.push({
              field: `project_files.files[${k}]`,
              message: `${f.rel} is not in the remote store; upload it first or drop skip_upload`,
            });
          }
          known.add(f.rel);
        });
        if (checked) plan = checkJobs(body, projectName, known, existing, catalogue, errors);
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
        return reply.code(402).type('application/json').send({
          message: 'Insufficient credits balance',
          credits_available: me.balance.credits_available,
          credits_required: cheapest,
        });
      }
      const project = existing ?? newProject(projectName, me.user.email);
      if (!skip) for (const f of checked.files) uploader.enqueue(project, f.rel, f.source, f.size);
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
      runtime.store.save();
      uploader.kick();
      scheduler.pump();
      return reply.code(201).send({ ID: project.name, Jobs: body.project_request.jobs.map((j) => j.id) });
    },
    async getProjectStatus(req: FastifyRequest, reply: FastifyReply) {
      const me = current(reply);
      if (!me) return reply;
      const { name } = req.params as { name: string };
      const project = ownProject(name, me.user.email);
      if (!project) return notFound(reply, `project not found: ${name}`);
      return projectStatus(project, uploader, scheduler);
    },
    async listProjects(_req: FastifyRequest, reply: FastifyReply) {
      const me = current(reply);
      if (!me) return reply;
      const projects = Object.values(state().projects)
        .filter((p) => p.owner === me.user.email)
        .map((p) => {
          const files = Object.values(p.files).filter((f) => f.state === 'Completed');
          return {
            name: p.name,
            deleting: false,
            num_files: files.length,
            total_size: files.reduce((n, f) => n + f.size, 0),
            auto_downloading: Object.keys(p.watch).length > 0,
            watched_list: Object.keys(p.watch),
          };
        });
      return { projects };
    },
    async getProjectFiles(req: FastifyRequest, reply: FastifyReply) {
      const me = current(reply);
      if (!me) return reply;
      const { name } = req.params as { name: string };
      const project = ownProject(name, me.user.email);
      if (!project) return notFound(reply, `project not found: ${name}`);
      const all_files = Object.values(project.files)
        .filter((f) => f.state === 'Completed')
        .map((f) => ({
          CheckSum: f.sha256 ?? '',
          LastModified: f.lastModified ?? project.createdAt,
          Name: f.rel,
          Key: `/${project.name}/${f.rel}`,
          Size: f.size,
          FmtName: formatSize(f.size),
        }));
      return { project_files: { all_files } };
    },
  };

  await app.register(openapiGlue, { specification: loadContract(), serviceHandlers: handlers });
  return app;
}
