import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
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
import { requestGuard } from './guard.js';
import { dict, MAX_PROJECT_JOBS, own } from './names.js';
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
  /** The interface the server binds (for the `Host` check). */
  host: string;
  /** Extra `Host` names (or `name:port`) requests may use. */
  allowedHosts?: readonly string[];
  /** Web origins allowed to call; every other `Origin` is refused. */
  allowedOrigins?: readonly string[];
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

/**
 * Answers a request Node's HTTP parser refused (headers too large, malformed, too slow) in the contract's
 * shapes, then closes the connection.
 */
function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, { message: 'the request line and headers are too large' }]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, { message: 'the request took too long to arrive' }]
        : [
            400,
            {
              message: 'The request has 1 problem: request: malformed HTTP',
              errors: [{ field: 'request', message: `malformed HTTP (${err.code ?? 'parse error'})` }],
            },
          ];
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
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
  // Path parameters are project names: up to 200 UTF-8 bytes, 600 characters once URL-encoded.
  const app = Fastify({
    logger,
    bodyLimit: 16 * 1024 * 1024,
    routerOptions: { maxParamLength: 2000 },
    // URLs the router cannot read: answered in the contract's shapes.
    frameworkErrors: (error, _req, res) => {
      const reply = res as unknown as FastifyReply;
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        return reply.code(414).type('application/json').send({ message: 'a path parameter is too long' });
      }
      return invalid(reply, [{ field: 'path', message: error.message }]);
    },
    clientErrorHandler: clientError,
  });
  // Bodies are JSON only: a web page can post text/plain or a form without asking the browser first. Other
  // types have no parser (415); text/plain has Fastify's by default, replaced by one that refuses it.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', (_req, _body, done) => {
    done(
      Object.assign(new Error('Unsupported Media Type: send application/json'), { statusCode: 415 }),
      undefined,
    );
  });

  const guard = requestGuard(deps);
  app.addHook('onRequest', async (req, reply) => {
    const verdict = guard(req.headers, req.socket.localPort ?? 0);
    if ('refuse' in verdict) {
      return reply.code(403).type('application/json').send({ message: verdict.refuse });
    }
    if (verdict.origin) {
      // Only an origin named in allowedOrigins gets here; it may read the answers.
      reply.header('access-control-allow-origin', verdict.origin).header('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        return reply
          .code(204)
          .header('access-control-allow-methods', 'GET, POST')
          .header('access-control-allow-headers', 'content-type')
          .header('access-control-max-age', '600')
          .send();
      }
    }
    return undefined;
  });

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
    if (status === 415) {
      const type = _req.headers['content-type'] ?? 'none';
      return reply
        .code(415)
        .type('application/json')
        .send({ message: `request bodies must be application/json, got content type ${type}` });
    }
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
    const balance = email ? own(state().balances, email) : undefined;
    if (!user || !balance) {
      unauthorized(reply);
      return null;
    }
    return { user, balance };
  };
  const ownProject = (name: string, email: string): ProjectRecord | undefined => {
    const p = own(state().projects, name);
    return p && p.owner === email ? p : undefined;
  };
  const newProject = (name: string, owner: string): ProjectRecord => {
    const project: ProjectRecord = {
      name,
      owner,
      createdAt: new Date().toISOString(),
      files: dict(),
      watch: dict(),
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
        const other = own(state().projects, checked.project);
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
        const other = own(state().projects, projectName);
        if (other && other.owner !== me.user.email) {
          errors.push({
            field: 'project_files.remoteRoot',
            message: `project ${projectName} belongs to another account`,
          });
        }
        existing = ownProject(projectName, me.user.email);
        const jobs = body.project_request.jobs;
        const submitted = new Set(existing?.jobs.map((e) => e.id));
        // A retried submit with the same job ids is answered again, not run twice.
        if (!schemaError && existing && jobs.length > 0 && jobs.every((j) => submitted.has(j.id))) {
          return reply.code(201).send({ ID: existing.name, Jobs: jobs.map((j) => j.id) });
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
