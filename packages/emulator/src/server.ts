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
import { formatSchemaErrors, loadContract } from './contract.js';
import { requestGuard } from './guard.js';
import { logRequests, RequestLog, registerInspector } from './inspector/index.js';
import { accountRoutes } from './routes/account.js';
import { catalogueRoutes } from './routes/catalogue.js';
import { invalid, notFound, type RouteDeps, routeContext } from './routes/context.js';
import { type Handlers, seesSchemaProblems, serviceHandlers } from './routes/handlers.js';
import { projectRoutes } from './routes/projects.js';
import { submitRoutes } from './routes/submit.js';
import { uploadRoutes } from './routes/uploads.js';
import type { EmulatorLoggerOptions } from './types.js';

/** Everything the route handlers act on. */
export interface ServerDeps extends RouteDeps {
  logger: boolean | EmulatorLoggerOptions;
  /** The interface the server binds (for the `Host` check). */
  host: string;
  /** Extra `Host` names (or `name:port`) requests may use. */
  allowedHosts?: readonly string[];
  /** Web origins allowed to call; every other `Origin` is refused. */
  allowedOrigins?: readonly string[];
  /** Where the inspector's request log goes (default: a log of this server's own). */
  log?: RequestLog;
}

/** A URL for the request log, its query string replaced (a client could put a key or password there). */
function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?[redacted]`;
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
  const guard = requestGuard(deps);
  // Path parameters are project names: up to 200 UTF-8 bytes, 600 characters once URL-encoded.
  const app = Fastify({
    logger,
    bodyLimit: 16 * 1024 * 1024,
    routerOptions: { maxParamLength: 2000 },
    // URLs the router cannot read: answered in the contract's shapes.
    frameworkErrors: (error, req, res) => {
      const reply = res as unknown as FastifyReply;
      // These answers skip the onRequest hook: the Host and Origin checks come first here too.
      const verdict = guard(req.headers, req.socket.localPort ?? 0);
      if ('refuse' in verdict)
        return reply.code(403).type('application/json').send({ message: verdict.refuse });
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        return reply.code(414).type('application/json').send({ message: 'a path parameter is too long' });
      }
      return invalid(reply, [{ field: 'path', message: error.message }]);
    },
    clientErrorHandler: clientError,
  });
  const log = deps.log ?? new RequestLog();
  logRequests(app, log);
  // Bodies are JSON only: a web page can post text/plain or a form without asking the browser first. Other
  // types have no parser (415); text/plain has Fastify's by default, replaced by one that refuses it.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', (_req, _body, done) => {
    done(
      Object.assign(new Error('Unsupported Media Type: send application/json'), { statusCode: 415 }),
      undefined,
    );
  });

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

  // A change is answered only once it is on disk: a kill -9 right after the answer must not undo a submit or an
  // upload the client was told was taken (it would never send it again). Logins are not waited for: clients log in
  // before every operation, a snapshot of a big state takes a while, and a login lost to a kill costs one 401 and
  // a new login.
  app.addHook('onSend', async (req, _reply, payload) => {
    if (req.method === 'POST' && req.routeOptions.url !== '/auth') await deps.runtime.store.durable();
    return payload;
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
      return invalid(reply, formatSchemaErrors(error.validation, error.validationContext ?? 'body'));
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
    if (seesSchemaProblems(route.schema)) route.attachValidation = true;
  });
  app.setNotFoundHandler((req, reply) =>
    notFound(reply, `no such path: ${req.method} ${req.url.split('?')[0]}`),
  );

  const ctx = routeContext(deps);
  // One handler per operationId of the contract, each typed by it.
  const handlers: Handlers = {
    ...accountRoutes(ctx),
    ...catalogueRoutes(ctx),
    ...uploadRoutes(ctx),
    ...submitRoutes(ctx),
    ...projectRoutes(ctx),
  };

  registerInspector(app, { ...deps, log });
  await app.register(openapiGlue, {
    specification: loadContract(),
    serviceHandlers: serviceHandlers(handlers),
  });
  return app;
}
