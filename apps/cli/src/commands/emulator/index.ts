import { DEMO_USER, guardOptionProblems, openBrowser, startEmulator } from '@gm/emulator';
import type { Command } from 'commander';
import { type Context, contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import type { Registry } from '../../registry.js';

/** The options of {@link emulator}: `gm emulator`'s flags, as text the way they were typed. */
export interface EmulatorOptions {
  /** Port to listen on, `'0'` for any free port (`--port`, default `'8090'`). */
  port: string;
  /** Interface to bind (`--host`, default `'127.0.0.1'`). */
  host: string;
  /** Keep state and uploaded files here; default a temp folder removed on exit (`--data-dir`). */
  dataDir?: string;
  /** Multiplies simulated durations (`--time-scale`, default `'1'`). */
  timeScale: string;
  /** Upload bandwidth limit in bytes per second (`--bandwidth`). */
  bandwidth?: string;
  /** Web page origins allowed to call it (`--allow-origin`). */
  allowOrigin?: string[];
  /** More Host names to answer (`--allow-host`). */
  allowHost?: string[];
  /** Render Blender jobs for real: a Blender path, or `true` for blender on PATH (`--blender`). */
  blender?: string | boolean;
  /** Open the inspector in a browser (`--open`). */
  open?: boolean;
}

function number(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min)
    throw new UsageError(`${flag} must be a number of at least ${min}, not "${text}".`);
  return n;
}

/** `gm emulator`: runs the local Envoy emulator in the foreground until Ctrl-C. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .option('--port <port>', 'port to listen on (0: any free port)', '8090')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--data-dir <dir>', 'keep state and uploaded files here (default: a temp folder removed on exit)')
    .option('--time-scale <factor>', 'multiplies simulated durations (0.01 renders a frame in 10 ms)', '1')
    .option('--bandwidth <bytes/s>', 'upload bandwidth limit')
    .option(
      '--allow-origin <origin...>',
      'let web pages of these origins call it, e.g. http://localhost:3000 (every other origin is refused)',
    )
    .option(
      '--allow-host <host...>',
      'also answer requests addressed to these Host names (name or name:port)',
    )
    .option(
      '--blender [path]',
      'render Blender jobs for real with this Blender (no path: blender on PATH); default: every frame simulated',
    )
    .option('--open', 'open the inspector (the page at the printed URL) in a browser')
    .addHelpText(
      'after',
      `
The emulator's demo account: ${DEMO_USER.email}, access key ${DEMO_USER.accessKey}.

Examples:
  gm emulator
  gm emulator --port 0 --time-scale 0.05 --data-dir ./envoy-data
  gm emulator --blender --open                       real Blender frames; the inspector in a browser
  gm emulator --allow-origin http://localhost:5173    a plugin's web page served by a dev server may call it
  gm login --url http://127.0.0.1:8090 --email ${DEMO_USER.email} --access-key ${DEMO_USER.accessKey}`,
    )
    .action((opts: EmulatorOptions) => emulator(contextOf(command, io, signal), opts));
}

/**
 * What `gm emulator` runs, callable without the argument parser (see `createContext`): starts the local Envoy
 * emulator, prints its URLs and demo account, and runs until `ctx.signal` aborts (or SIGTERM), then closes it.
 *
 * @throws UsageError (exit 2) for a bad option value, a taken or forbidden port, or a host not of this machine.
 */
export async function emulator(ctx: Context, opts: EmulatorOptions): Promise<void> {
  const { signal } = ctx;
  const port = number(opts.port, '--port', 0);
  const guard = {
    ...(opts.allowOrigin ? { allowedOrigins: opts.allowOrigin } : {}),
    ...(opts.allowHost ? { allowedHosts: opts.allowHost } : {}),
  };
  const [guardProblem] = guardOptionProblems(guard);
  if (guardProblem) throw new UsageError(`--${guardProblem}.`);
  const running = await startEmulator({
    ...guard,
    port,
    host: opts.host,
    timeScale: number(opts.timeScale, '--time-scale', 0),
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.bandwidth ? { bandwidth: number(opts.bandwidth, '--bandwidth', 1) } : {}),
    ...(opts.blender === undefined ? {} : { blender: opts.blender }),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error instanceof TypeError && error.message.startsWith('blender:')) {
      throw new UsageError(`--${error.message}.`);
    }
    if (error?.code === 'EADDRINUSE') {
      throw new UsageError(
        `Port ${port} on ${opts.host} is taken (Envoy or another emulator may run there).`,
        {
          hint: 'Pass --port 0 to listen on any free port (the URL is printed), or choose another --port.',
          cause: error,
        },
      );
    }
    if (error?.code === 'EACCES') {
      throw new UsageError(`Listening on port ${port} of ${opts.host} is not allowed for this user.`, {
        hint: 'Pass --port 0 to listen on any free port, or a port above 1023.',
        cause: error,
      });
    }
    if (error?.code === 'EADDRNOTAVAIL' || error?.code === 'ENOTFOUND') {
      throw new UsageError(`--host ${opts.host} is not an address of this machine.`, {
        hint: 'Use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).',
        cause: error,
      });
    }
    throw error;
  });
  if (ctx.out.json) {
    ctx.out.event({
      event: 'listening',
      url: running.url,
      inspectorUrl: running.inspectorUrl,
      blender: running.blender,
      dataDir: running.dataDir,
      email: DEMO_USER.email,
      accessKey: DEMO_USER.accessKey,
    });
  } else {
    const { c } = ctx.out;
    ctx.out.print(`Envoy emulator listening on ${c.bold(running.url)}`);
    ctx.out.print(`Inspector: ${c.bold(running.inspectorUrl)}`);
    ctx.out.print(
      running.blender
        ? `Rendering: Blender jobs with ${running.blender}; other products simulated`
        : 'Rendering: simulated (--blender renders Blender jobs for real)',
    );
    ctx.out.print(`Data: ${running.dataDir}`);
    ctx.out.print(`Demo account: ${DEMO_USER.email} / access key ${DEMO_USER.accessKey}`);
    ctx.out.info(
      c.dim(
        `Try: GM_ENVOY_URL=${running.url} gm login --email ${DEMO_USER.email} --access-key ${DEMO_USER.accessKey}\nCtrl-C to stop.`,
      ),
    );
  }
  if (opts.open && !(await openBrowser(running.inspectorUrl))) {
    ctx.out.info(`Could not start a browser: open ${running.inspectorUrl} yourself.`);
  }
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
    process.once('SIGTERM', () => resolve());
  });
  await running.close();
  ctx.out.info('Emulator stopped.');
}
