import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DEMO_USER, machineProblems, productProblems } from './catalogue.js';
import { guardOptionProblems } from './guard.js';
import type { EmulatorOptions, EmulatorUser, MachineCatalogue, ProductVersion } from './types.js';

const USAGE = `Usage: gm-envoy-emulator [options]

  --port N                   port to listen on (default 8090; 0 picks a free one)
  --host HOST                interface to bind (default 127.0.0.1)
  --allow-host NAME[:PORT]   also accept requests addressed to this Host (repeatable); default only
                             localhost, 127.0.0.1, [::1] and the bound address, with the service's port
  --allow-origin ORIGIN      let web pages of this origin call (repeatable), e.g. http://localhost:3000;
                             default: every request from a web page is refused
  --data-dir DIR             state and remote store folder (default: a temp folder removed on exit)
  --user EMAIL:KEY[:CREDITS] an account (repeatable); default the demo user
  --products FILE            JSON array of product versions replacing the default catalogue
  --machines FILE            JSON object {product: {operation: [machine, ...]}} replacing the default machines
  --bandwidth BYTES_PER_SEC  upload bandwidth limit (default unlimited)
  --time-scale N             multiplies simulated durations (default 1)
  --frame-seconds N          seconds one frame takes before scaling (default 1)
  --blender PATH|auto        render Blender jobs for real with this Blender (auto: blender on PATH);
                             default: every frame simulated
  --blender-frame-seconds N  most seconds a real Blender frame may take (default 600)
  --blender-processes N      most Blender processes at once (default half the CPUs)
  --open                     open the inspector (the page at the printed URL) in a browser
  --help                     show this help`;

class UsageError extends Error {}

function number(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min)
    throw new UsageError(`--${flag} must be a number of at least ${min}, got "${value}"`);
  return n;
}

function json<T>(flag: string, file: string | undefined, problems: (v: unknown) => string[]): T | undefined {
  if (file === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--${flag} ${file}: ${(err as Error).message}`);
  }
  const found = problems(value);
  if (found.length > 0) throw new UsageError(`--${flag} ${file}: ${found.join('; ')}`);
  return value as T;
}

function parseUser(spec: string): EmulatorUser {
  const parts = spec.split(':');
  const [email, accessKey, credits] = parts;
  if (!email?.includes('@') || !accessKey || parts.length > 3) {
    throw new UsageError(`--user must be EMAIL:ACCESS_KEY[:CREDITS], got "${spec}"`);
  }
  const user: EmulatorUser = { email, accessKey };
  const c = number('user credits', credits, 0);
  if (c !== undefined) user.credits = c;
  return user;
}

/** Parses the command line into emulator options (throws UsageError on bad flags). */
function options(argv: string[]): Settings | 'help' {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-host': { type: 'string', multiple: true },
        'allow-origin': { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        user: { type: 'string', multiple: true },
        products: { type: 'string' },
        machines: { type: 'string' },
        bandwidth: { type: 'string' },
        'time-scale': { type: 'string' },
        'frame-seconds': { type: 'string' },
        blender: { type: 'string' },
        'blender-frame-seconds': { type: 'string' },
        'blender-processes': { type: 'string' },
        open: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const port = number('port', v.port, 0) ?? 8090;
  if (!Number.isInteger(port) || port > 65535)
    throw new UsageError(`--port must be an integer 0-65535, got "${v.port}"`);
  const opts: EmulatorOptions = { port };
  if (v.host) opts.host = v.host;
  if (v['allow-host']) opts.allowedHosts = v['allow-host'];
  if (v['allow-origin']) opts.allowedOrigins = v['allow-origin'];
  const [guardProblem] = guardOptionProblems(opts);
  if (guardProblem) throw new UsageError(`--${guardProblem}`);
  if (v['data-dir']) opts.dataDir = v['data-dir'];
  if (v.user) opts.users = v.user.map(parseUser);
  const products = json<ProductVersion[]>('products', v.products, productProblems);
  if (products) opts.products = products;
  const machines = json<MachineCatalogue>('machines', v.machines, machineProblems);
  if (machines) opts.machines = machines;
  const bandwidth = number('bandwidth', v.bandwidth, 1);
  if (bandwidth !== undefined) opts.bandwidth = bandwidth;
  const timeScale = number('time-scale', v['time-scale'], 0);
  if (timeScale !== undefined) opts.timeScale = timeScale;
  const frameSeconds = number('frame-seconds', v['frame-seconds'], 0);
  if (frameSeconds !== undefined) opts.frameSeconds = frameSeconds;
  if (v.blender !== undefined) opts.blender = v.blender === 'auto' ? true : v.blender;
  const limit = number('blender-frame-seconds', v['blender-frame-seconds'], 1);
  if (limit !== undefined) opts.blenderFrameSeconds = limit;
  const processes = number('blender-processes', v['blender-processes'], 1);
  if (processes !== undefined) opts.blenderProcesses = processes;
  return { emulator: opts, open: v.open === true };
}

/** What the command runs: the emulator's options, and whether to open the inspector. */
interface Settings {
  emulator: EmulatorOptions;
  open: boolean;
}

/**
 * Most MiB the emulator's young generation may take. V8 doubles a busy process's young generation (16 MiB of
 * semi-spaces to 32, and more) once enough objects have survived its collections, whatever they are; the
 * command runs the emulator in a worker thread with this limit, so its memory stays flat under big jobs.
 */
const YOUNG_GENERATION_MB = 8;

/**
 * Runs the `gm-envoy-emulator` command: parses the options (usage errors and `--help` answered here), then runs
 * the emulator in a worker thread, forwarding SIGINT and SIGTERM to it.
 */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  let opts: Settings | 'help';
  try {
    opts = options(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`gm-envoy-emulator: ${err.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const worker = new Worker(new URL(import.meta.url), {
    workerData: opts satisfies Settings,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  const forward = (signal: NodeJS.Signals) => () => worker.postMessage(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  // Once each, as before the worker thread: a second Ctrl-C ends the process at once (the default action) when
  // the clean shutdown of the first is waiting, e.g. for a large copy or a request that never ends.
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  worker.on('error', (err) => {
    process.stderr.write(`gm-envoy-emulator: ${err.message}\n`);
    process.exitCode = 1;
  });
  worker.on('exit', (code) => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (!process.exitCode) process.exitCode = code;
  });
}

/** The worker thread: starts the emulator, prints where it listens, closes it on a forwarded signal. */
async function serve(settings: Settings): Promise<void> {
  const opts = settings.emulator;
  // Loaded here only: the main thread, which only forwards signals, stays small.
  const { startEmulator } = await import('./emulator.js');
  const emulator = await startEmulator(opts);
  const lines = [
    `GridMarkets Envoy emulator listening on ${emulator.url}`,
    `inspector: ${emulator.inspectorUrl}`,
    emulator.blender
      ? `rendering: Blender jobs with ${emulator.blender}; other products simulated`
      : `rendering: simulated${opts.blender === true ? ' (no blender on PATH)' : ''}; --blender PATH|auto renders Blender jobs for real`,
    `data directory: ${emulator.dataDir}`,
  ];
  if (!opts.users) {
    lines.push(
      `demo user: ${DEMO_USER.email}  access key: ${DEMO_USER.accessKey}  password: ${DEMO_USER.password}`,
    );
  } else {
    lines.push(`users: ${opts.users.map((u) => u.email).join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  if (settings.open) {
    const { openBrowser } = await import('./open.js');
    if (!(await openBrowser(emulator.inspectorUrl))) {
      process.stdout.write(`could not start a browser: open ${emulator.inspectorUrl} yourself\n`);
    }
  }
  let stopping = false;
  parentPort?.on('message', (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`gm-envoy-emulator: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  });
}

(isMainThread ? main() : serve(workerData as Settings)).catch((err: unknown) => {
  process.stderr.write(`gm-envoy-emulator: ${(err as Error).message}\n`);
  process.exit(1);
});
