import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BlenderPool, defaultBlenderProcesses, findBlender } from './blender.js';
import {
  DEFAULT_MACHINES,
  DEFAULT_PRODUCTS,
  DEMO_USER,
  machineProblems,
  productProblems,
} from './catalogue.js';
import { Downloader } from './downloads.js';
import { guardOptionProblems } from './guard.js';
import { Runtime } from './runtime.js';
import { Scheduler } from './scheduler.js';
import { buildServer } from './server.js';
import { removeDeadTempFiles, StateStore } from './store.js';
import type { EmulatorOptions, EmulatorUser, RunningEmulator } from './types.js';
import { Uploader } from './uploads.js';

function completeUser(u: EmulatorUser): Required<EmulatorUser> {
  return {
    email: u.email,
    accessKey: u.accessKey,
    password: u.password ?? '',
    credits: u.credits ?? 1000,
    name: u.name ?? u.email.split('@')[0] ?? u.email,
    servicePlan: u.servicePlan ?? 'Standard',
    jobThroughputLimit: u.jobThroughputLimit ?? 30,
    maxThroughput: u.maxThroughput ?? 30,
    created: u.created ?? '2019-07-01T15:27:48',
  };
}

/**
 * Starts a local Envoy emulator: a real HTTP server implementing the Envoy contract, with users, credits,
 * products, machines, uploads into a remote store, simulated rendering and auto-download of results.
 *
 * @example
 * const envoy = await startEmulator({ timeScale: 0.01 });
 * await fetch(`${envoy.url}/auth`, { method: 'POST', body: JSON.stringify({ Username: DEMO_USER.email, AccessKey: DEMO_USER.accessKey }), headers: { 'content-type': 'application/json' } });
 * await envoy.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const products = options.products ?? DEFAULT_PRODUCTS;
  const machines = options.machines ?? DEFAULT_MACHINES;
  const problems = [...productProblems(products), ...machineProblems(machines)];
  if (problems.length > 0) throw new Error(`invalid catalogue: ${problems.join('; ')}`);
  const guardProblems = guardOptionProblems(options);
  if (guardProblems.length > 0) throw new TypeError(`startEmulator: ${guardProblems.join('; ')}`);
  const blenderExe = findBlender(options.blender);
  for (const [name, value] of [
    ['blenderFrameSeconds', options.blenderFrameSeconds],
    ['blenderProcesses', options.blenderProcesses],
  ] as const) {
    if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new TypeError(`startEmulator: ${name} must be a positive number, got ${String(value)}`);
    }
  }
  const temporary = options.dataDir === undefined;
  const dataDir = temporary
    ? await mkdtemp(join(tmpdir(), 'gm-envoy-emulator-'))
    : resolve(options.dataDir as string);
  await mkdir(join(dataDir, 'store'), { recursive: true, mode: 0o700 });
  const store = await StateStore.open(dataDir);
  const runtime = new Runtime(store, dataDir);
  // Temp files of a process killed mid-write are never renamed into place: remove them, but not the uploads.
  const uploads = new Set<string>();
  for (const project of Object.values(store.state.projects)) {
    for (const file of Object.values(project.files)) uploads.add(runtime.storePath(project.name, file.rel));
  }
  await removeDeadTempFiles(dataDir, uploads);
  const users = (options.users && options.users.length > 0 ? options.users : [DEMO_USER]).map(completeUser);
  for (const u of users) {
    store.state.balances[u.email] ??= { credits_available: u.credits, credits_consumed: 0 };
  }
  const host = options.host ?? '127.0.0.1';
  const frameMs = (options.frameSeconds ?? 1) * (options.timeScale ?? 1) * 1000;
  const uploader = new Uploader(runtime, options.bandwidth);
  const downloader = new Downloader(runtime);
  const blender = blenderExe
    ? new BlenderPool(blenderExe, {
        frameSeconds: options.blenderFrameSeconds ?? 600,
        processes: Math.floor(options.blenderProcesses ?? defaultBlenderProcesses()) || 1,
      })
    : null;
  const scheduler = new Scheduler(runtime, frameMs, downloader, blender);
  uploader.onChange = () => scheduler.pump();
  downloader.onChange = () => scheduler.pump();
  const app = await buildServer({
    runtime,
    users,
    catalogue: { products, machines },
    uploader,
    scheduler,
    downloader,
    logger: options.logger ?? false,
    host,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  });
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  // Carry on where a previous run stopped: resume uploads, re-run unfinished frames, finish downloads.
  store.save();
  uploader.kick();
  uploader.resumeChecksums();
  downloader.kick();
  scheduler.pump();
  let closed: Promise<void> | null = null;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    inspectorUrl: `${url}/`,
    blender: blenderExe,
    port,
    dataDir,
    close() {
      closed ??= (async () => {
        scheduler.stop();
        await runtime.shutdown();
        await uploader.close();
        await app.close();
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
