/**
 * The web inspector: a page at `/` that shows, live, the accounts, projects, jobs and their frames, uploads,
 * watch rules and downloads, budgets, and every request a client sent with what the contract says of it. It is
 * read-only (GET routes only), behind the same guard as the API, and never shows a secret.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { own } from '../names.js';
import { frameRel } from '../result-names.js';
import type { RouteDeps } from '../routes/context.js';
import type { LoggedRequest, RequestLog } from './log.js';
import { accountsView, projectView } from './view.js';

export { RequestLog } from './log.js';

/** Milliseconds between two looks for changes while a page is open. */
const TICK_MS = 250;

/** Headers of every inspector answer: nothing from elsewhere runs, nothing frames it, nothing is cached. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

/** The page's built files (`dist/inspector`): from the built package, or from the sources beside a build. */
function assets(): Map<string, { type: string; body: Buffer }> | null {
  for (const rel of ['inspector/', '../inspector/', '../../dist/inspector/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(`${dir}index.html`) || !existsSync(`${dir}app.js`)) continue;
    return new Map([
      ['index.html', { type: 'text/html; charset=utf-8', body: readFileSync(`${dir}index.html`) }],
      ['app.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(`${dir}app.js`) }],
      ['style.css', { type: 'text/css; charset=utf-8', body: readFileSync(`${dir}style.css`) }],
    ]);
  }
  return null;
}

/** A request log entry without its bodies, as the page's list shows it. */
function summary(e: LoggedRequest): Omit<LoggedRequest, 'request' | 'answer'> {
  const { request: _r, answer: _a, ...rest } = e;
  return rest;
}

/** What the inspector needs besides the route dependencies. */
export interface InspectorDeps extends RouteDeps {
  /** The request log the hooks fill. */
  log: RequestLog;
}

/** Whether a URL is the inspector's own (its page, files and stream are not logged). */
function isInspector(url: string): boolean {
  return url === '/' || url.startsWith('/?') || url.startsWith('/inspector/') || url === '/favicon.ico';
}

const started = Symbol('inspector start');
const sent = Symbol('inspector answer');
type Marked = { [started]?: number; [sent]?: string };

/**
 * Records every API request in `log`: its arrival, body, answer and time. Call before the routes are
 * registered (the hooks see every request, the guard's refusals included).
 */
export function logRequests(app: FastifyInstance, log: RequestLog): void {
  app.addHook('onRequest', async (req) => {
    (req as unknown as Marked)[started] = performance.now();
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (typeof payload === 'string' && !isInspector(req.url)) (reply as unknown as Marked)[sent] = payload;
    return payload;
  });
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    if (isInspector(req.url)) return;
    const at = (req as unknown as Marked)[started] ?? performance.now();
    const q = req.url.indexOf('?');
    log.add({
      at: new Date(Date.now() - (performance.now() - at)).toISOString(),
      method: req.method,
      path: q < 0 ? req.url : `${req.url.slice(0, q)}?[redacted]`,
      status: reply.statusCode,
      ms: performance.now() - at,
      request: req.body === undefined || req.body === null ? undefined : JSON.stringify(req.body),
      answer: (reply as unknown as Marked)[sent],
      contentType: String(reply.getHeader('content-type') ?? ''),
    });
  });
}

/** One open page: its stream. */
type Client = { write(text: string): void; end(): void };

/** Registers the page, its files, its event stream, request details and frame thumbnails (all GET). */
export function registerInspector(app: FastifyInstance, deps: InspectorDeps): void {
  const files = assets();
  const clients = new Set<Client>();
  const last = new Map<string, string>();
  let pendingRequests: number[] = [];
  let timer: NodeJS.Timeout | null = null;
  const state = () => deps.runtime.store.state;

  const info = async () => ({
    renderer: deps.scheduler.blenderPool
      ? {
          blender: deps.scheduler.blenderPool.exe,
          version: await deps.scheduler.blenderPool.version(),
        }
      : null,
  });

  /** Every part of the page's data, by key, as JSON text. */
  const parts = (): Map<string, string> => {
    const out = new Map<string, string>();
    out.set('accounts', JSON.stringify(accountsView(deps.users, state())));
    const names: string[] = [];
    for (const p of Object.values(state().projects)) {
      names.push(p.name);
      out.set(`project:${p.name}`, JSON.stringify(projectView(p, deps.scheduler)));
    }
    out.set('projects', JSON.stringify(names));
    return out;
  };

  const send = (text: string): void => {
    for (const c of clients) c.write(text);
  };

  /** Sends what changed since the last look: accounts, the project list, each project changed, new requests. */
  const tick = (): void => {
    if (clients.size === 0) return;
    const now = parts();
    let text = '';
    for (const [key, json] of now) {
      if (last.get(key) === json) continue;
      last.set(key, json);
      if (key === 'accounts') text += `event: accounts\ndata: ${json}\n\n`;
      else if (key === 'projects') text += `event: projects\ndata: ${json}\n\n`;
      else text += `event: project\ndata: ${json}\n\n`;
    }
    for (const key of last.keys()) if (!now.has(key)) last.delete(key);
    if (pendingRequests.length > 0) {
      const entries = pendingRequests.map((id) => deps.log.get(id)).filter((e) => e !== undefined);
      text += `event: requests\ndata: ${JSON.stringify(entries.map(summary))}\n\n`;
      pendingRequests = [];
    }
    if (text) send(text);
  };

  deps.log.listen((id) => {
    if (clients.size > 0) pendingRequests.push(id);
  });

  const page = (reply: FastifyReply, name: string) => {
    const file = files?.get(name);
    reply.headers(SECURITY_HEADERS);
    if (!file) {
      return reply
        .code(name === 'index.html' ? 503 : 404)
        .type('text/plain; charset=utf-8')
        .send('The inspector page is not built: run `pnpm --filter @gm/emulator build`.');
    }
    return reply.type(file.type).send(file.body);
  };

  app.get('/', async (_req, reply) => page(reply, 'index.html'));
  app.get('/inspector/app.js', async (_req, reply) => page(reply, 'app.js'));
  app.get('/inspector/style.css', async (_req, reply) => page(reply, 'style.css'));

  app.get('/favicon.ico', async (_req, reply) => reply.headers(SECURITY_HEADERS).code(204).send());

  app.get('/inspector/request/:id', async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    const entry = deps.log.get(id);
    reply.headers(SECURITY_HEADERS);
    if (!entry)
      return reply.code(404).send({ message: `no request ${id} in the log (it keeps the last 500)` });
    return entry;
  });

  app.get('/inspector/frame/:project/:job/:frame', async (req, reply) => {
    const p = req.params as { project: string; job: string; frame: string };
    reply.headers(SECURITY_HEADERS);
    const project = own(state().projects, p.project);
    const job = project?.jobs.find((j) => j.id === p.job);
    const frame = Number(p.frame);
    const index = job && Number.isSafeInteger(frame) ? job.frames.indexOf(frame) : -1;
    if (!project || !job || index < 0 || !job.done.has(index)) {
      return reply.code(404).send({ message: 'no such rendered frame' });
    }
    const type = job.ext === 'png' ? 'image/png' : job.ext === 'jpg' ? 'image/jpeg' : null;
    if (!type) return reply.code(404).send({ message: `.${job.ext} frames have no thumbnail` });
    // The path comes from the job's record, never from the request.
    const file = deps.runtime.storePath(project.name, frameRel(job, frame));
    if (!existsSync(file)) return reply.code(404).send({ message: 'the frame is no longer in the store' });
    return reply.type(type).send(createReadStream(file));
  });

  app.get('/inspector/events', async (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    const client: Client = {
      write: (text) => {
        res.write(text);
      },
      end: () => res.end(),
    };
    const first = parts();
    const projects: unknown[] = [];
    for (const [key, json] of first) if (key.startsWith('project:')) projects.push(JSON.parse(json));
    const hello = {
      ...(await info()),
      accounts: JSON.parse(first.get('accounts') ?? '[]'),
      projects,
      requests: deps.log.all().map(summary),
    };
    res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    // Later changes are measured against what this page was just sent.
    if (clients.size === 0) {
      last.clear();
      for (const [k, v] of first) last.set(k, v);
    }
    clients.add(client);
    timer ??= setInterval(tick, TICK_MS);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.raw.on('close', () => {
      clients.delete(client);
      clearInterval(keepAlive);
      if (clients.size === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    });
  });

  // Open pages keep their streams open: end them so that closing the server does not wait for them.
  app.addHook('preClose', async () => {
    if (timer) clearInterval(timer);
    timer = null;
    for (const c of clients) c.end();
    clients.clear();
  });
}
