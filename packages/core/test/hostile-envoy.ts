/**
 * A broken or hostile Envoy: a node:http server on 127.0.0.1 (port 0) that answers every request but the login
 * (`POST /auth`, answered 200 unless `auth` is set) in one bad way. Used by the core tests and the CLI's e2e tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The ways the server answers. */
export type Hostility =
  | 'endless'
  | 'drip'
  | 'redirect'
  | 'invalid-json'
  | 'html'
  | 'cut-off'
  | 'deep'
  | 'wrong-types'
  | 'huge'
  | 'escapes';

/** Every hostility. */
export const HOSTILITIES: readonly Hostility[] = [
  'endless',
  'drip',
  'redirect',
  'invalid-json',
  'html',
  'cut-off',
  'deep',
  'wrong-types',
  'huge',
  'escapes',
];

/** A text with terminal escape sequences: retitles the window, clears the screen, rings the bell. */
export const ESCAPES = 'evil\u001b]0;owned\u0007\u001b[2J\u009b31m\u202e\u200f\u2066\ufeff';

/** A body every operation's contract refuses: each field any answer names has the wrong type. */
const WRONG_TYPES = JSON.stringify({
  State: 123,
  Message: 5,
  ID: 5,
  projects: 5,
  data: 5,
  project_files: 5,
  credits_available: 'lots',
});

/** Valid answers whose names and messages hold escape sequences. */
function escapeLaden(path: string): unknown {
  if (path === '/credits-info') return { credits_available: 10, credits_consumed: 0 };
  if (path === '/user-info') {
    return {
      data: {
        created: '2019-07-01T15:27:48',
        credits_available: 10,
        credits_consumed: 0,
        email_address: 'artist@studio.example',
        name: ESCAPES,
        service_plan: ESCAPES,
      },
    };
  }
  if (path === '/products') {
    return [{ id: 1, name: ESCAPES, app_type: 'blender', version: `4.2${ESCAPES}`, compatible_modules: [] }];
  }
  if (path.startsWith('/machines'))
    return [{ id: `gm${ESCAPES}`, name: ESCAPES, gpu: false, is_default: true }];
  if (path === '/projects') return { projects: [{ name: `shot${ESCAPES}`, num_files: 1 }] };
  if (path.startsWith('/project/')) {
    return {
      project_files: { all_files: [{ Name: `a${ESCAPES}.png`, Key: `/p/a${ESCAPES}.png`, Size: 1 }] },
    };
  }
  if (path.startsWith('/project-status/')) {
    return {
      Code: 200,
      State: `Uploading${ESCAPES}`,
      Message: ESCAPES,
      BytesDone: 1,
      BytesTotal: 2,
      Details: {},
    };
  }
  return { ID: ESCAPES, Message: ESCAPES };
}

/** A running hostile server. */
export interface HostileEnvoy {
  /** Its URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Bytes of answer bodies it managed to write so far. */
  written(): number;
  /** Requests that reached the redirect's target (must stay 0). */
  stolen(): number;
  /** Stops it (and the redirect target). */
  close(): Promise<void>;
}

/** Starts a server answering every request but the login (unless `auth`) with `hostility`. */
export async function startHostileEnvoy(
  hostility: Hostility,
  options: { auth?: boolean } = {},
): Promise<HostileEnvoy> {
  let written = 0;
  let stolen = 0;
  const target = createServer((req, res) => {
    stolen++;
    req.resume();
    res.end('{}');
  });
  await listen(target);
  const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/steal`;
  const write = (res: ServerResponse, chunk: string | Buffer) => {
    written += Buffer.byteLength(chunk);
    return res.write(chunk);
  };
  const timers = new Set<NodeJS.Timeout>();
  const hostile = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const json = { 'content-type': 'application/json' };
    switch (hostility) {
      case 'endless': {
        res.writeHead(200, json);
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        write(res, '{"projects":[');
        const pump = () => {
          while (!res.destroyed && write(res, chunk)) {}
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      case 'drip': {
        res.writeHead(200, json);
        write(res, '{');
        const timer = setInterval(() => {
          if (res.destroyed) clearInterval(timer);
          else write(res, ' ');
        }, 50);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'redirect':
        res.writeHead(307, { location: targetUrl });
        res.end();
        return;
      case 'invalid-json':
        res.writeHead(200, json);
        res.end('{"projects": [oops');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Router login</title><p>Please log in</p>');
        return;
      case 'cut-off':
        res.writeHead(200, { ...json, 'content-length': '1000' });
        write(res, '{"projects": [');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      case 'deep': {
        const depth = 100_000;
        res.writeHead(200, json);
        res.end(`${'['.repeat(depth)}${']'.repeat(depth)}`);
        return;
      }
      case 'wrong-types':
        res.writeHead(200, json);
        res.end(WRONG_TYPES);
        return;
      case 'huge': {
        // A well-formed list of two million entries (about 16 MB): larger than the tests' cap.
        res.writeHead(200, json);
        write(res, '{"projects":[');
        const entry = '{"name":"p"},';
        const block = entry.repeat(10_000);
        let left = 200;
        const pump = () => {
          while (!res.destroyed && left > 0) {
            left--;
            if (!write(res, block)) return res.once('drain', pump);
          }
          if (!res.destroyed) res.end('{"name":"p"}]}');
        };
        pump();
        return;
      }
      case 'escapes': {
        const body = JSON.stringify(escapeLaden(path));
        res.writeHead(req.method === 'POST' && path === '/project-submit' ? 201 : 200, json);
        res.end(body);
        return;
      }
    }
  };
  const server = createServer((req, res) => {
    req.resume();
    if (req.method === 'POST' && req.url === '/auth' && !options.auth) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"Message":"ok"}');
      return;
    }
    hostile(req, res);
  });
  await listen(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    written: () => written,
    stolen: () => stolen,
    async close() {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      target.closeAllConnections();
      await Promise.all([close(server), close(target)]);
    },
  };
}

function listen(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function close(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
