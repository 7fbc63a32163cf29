import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Job, Project } from '../src/index.js';

/** A fake Envoy for unit tests: routes by "METHOD /path", records every request. */
export interface Recorded {
  method: string;
  path: string;
  search: string;
  body: unknown;
}

export type Route = (request: Recorded) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export function text(body: string, status: number): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain' } });
}

export function fakeEnvoy(routes: Record<string, Route>) {
  const requests: Recorded[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const raw = request.body ? await request.text() : undefined;
    let body: unknown = raw;
    try {
      body = raw === undefined ? undefined : JSON.parse(raw);
    } catch {}
    const recorded = {
      method: request.method,
      path: decodeURIComponent(url.pathname),
      search: url.search,
      body,
    };
    requests.push(recorded);
    // Envoy takes the login of every operation unless a test routes `POST /auth` itself.
    const route =
      routes[`${request.method} ${recorded.path}`] ??
      (`${request.method} ${recorded.path}` === 'POST /auth' ? () => json({ Message: 'ok' }) : undefined);
    if (!route) return json({ message: `no route ${request.method} ${recorded.path}` }, 404);
    return route(recorded);
  };
  const count = (key: string) => requests.filter((r) => `${r.method} ${r.path}` === key).length;
  /** "METHOD /path" of every request, in order. */
  const calls = () => requests.map((r) => `${r.method} ${r.path}`);
  return { fetch, requests, count, calls };
}

export const SECRET_KEY = 'sk-very-secret-access-key-123';
export const SECRET_PASSWORD = 'hunter2-password-xyz';

/**
 * A project folder `<base>/<name>` holding one Cinema 4D scene, added to a project with one render job of `frames`
 * (results into `out`): what the tests against a real emulator submit. `projectName` names the project otherwise
 * than its folder.
 */
export async function c4dProject(
  base: string,
  name: string,
  frames: string,
  projectName?: string,
): Promise<Project> {
  const root = path.join(base, name);
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'scene.c4d'), 'a scene');
  const project = new Project(root, {
    outputFolderName: 'out',
    ...(projectName ? { name: projectName } : {}),
  });
  await project.addFiles(root, project.remoteRoot, ['scene.c4d']);
  project.addJobs(
    new Job({
      name: 'render',
      app: 'c4d',
      appVersion: 'R19',
      path: `${project.remoteRoot}/scene.c4d`,
      machineType: 'gm4800',
      params: { frames, output_format: 'png' },
    }),
  );
  return project;
}
