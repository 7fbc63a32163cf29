import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CreditsBudgetAction, MachineCategory, Project, sortVersions, WatchFile } from '@gm/core';
import { DEMO_USER, startEmulator } from '@gm/emulator';
import { scanScene } from '@gm/preflight';
import { blenderJob, countFrames } from '@gm/products';
import type { Command } from 'commander';
import { assetPath } from '../../lib/assets.js';
import { createClient, resolveConnection } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { CliError, ExitCode, UsageError } from '../../lib/exit-codes.js';
import { formatCredits } from '../../lib/table.js';
import { watchProject } from '../../lib/watch.js';
import type { Registry } from '../../registry.js';

/** The options of {@link demo}: `gm demo`'s flags (numbers as the flags give them, text). */
export interface DemoOptions {
  /** Where the results go (`--out`). */
  out: string;
  /** The frame range to render (`--frames`). */
  frames: string;
  /** How fast the emulator's render time passes (`--time-scale`). */
  timeScale: string;
  /** Render on a GPU machine (`--gpu`). */
  gpu?: boolean;
  /** Milliseconds between polls (`--interval`). */
  interval: string;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

/** `gm demo`: the whole flow in seconds against a built-in emulator (or another Envoy with --url). */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .option('--out <dir>', 'where the sample project and the downloaded results go', 'gm-demo')
    .option('--frames <range>', 'frames of the first job', '1 24')
    .option('--time-scale <factor>', 'speed of the built-in emulator (smaller is faster)', '0.05')
    .option('--gpu', 'render on the default GPU machine instead of the default CPU one')
    .option('--interval <ms>', 'milliseconds between status polls', '200')
    .addHelpText(
      'after',
      `
Without --url, starts the emulator on a free port with a temporary data folder and uses its demo account;
with --url (and --email/--access-key or a profile), runs the same flow against that Envoy.

Examples:
  gm demo
  gm demo --out /tmp/demo --frames "1 48"
  gm demo --url http://localhost:8090 --profile default`,
    )
    .action((opts: DemoOptions) => demo(contextOf(command, io, signal), opts));
}

/**
 * What `gm demo` runs, callable without the argument parser (see `createContext`): the whole flow against the
 * built-in emulator (or `--url`): upload the sample project, submit, follow it and download real results.
 */
export async function demo(ctx: Context, opts: DemoOptions): Promise<void> {
  const { io } = ctx;
  const { out } = ctx;
  const { c } = out;
  const step = (text: string) => out.print(`${c.bold(c.cyan('›'))} ${text}`);
  const frames = countFrames(opts.frames);
  if (!(frames > 0)) throw new UsageError(`--frames "${opts.frames}" has no frames.`);
  const external = Boolean(ctx.globals.url || io.env.GM_ENVOY_URL);
  let url: string;
  let email: string | undefined;
  let accessKey: string | undefined;
  let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined;
  let dataDir: string | undefined;
  const summary: Record<string, unknown> = {};
  try {
    if (external) {
      const conn = await resolveConnection(ctx);
      ({ url, email, accessKey } = conn);
      if (!email || !accessKey) {
        throw new CliError('gm demo --url needs credentials.', ExitCode.AUTH, {
          hint: 'Pass --email and --access-key, set GM_EMAIL and GM_ACCESS_KEY, or `gm login` first.',
        });
      }
      step(`Using the Envoy at ${c.bold(url)}`);
    } else {
      dataDir = await mkdtemp(join(tmpdir(), 'gm-demo-envoy-'));
      emulator = await startEmulator({ port: 0, dataDir, timeScale: Number(opts.timeScale) || 0.05 });
      url = emulator.url;
      email = DEMO_USER.email;
      accessKey = DEMO_USER.accessKey;
      step(`Started the Envoy emulator at ${c.bold(url)} ${c.dim(`(data in ${dataDir})`)}`);
    }
    const client = createClient(url, email, accessKey);
    await client.validateAuth();
    const before = await client.getUserInfo();
    const creditsBefore = Number(before.credits_available ?? 0);
    step(
      `Logged in as ${c.bold(String(before.name ?? email))} <${email}>: ${c.green(formatCredits(creditsBefore))} credits, plan ${before.service_plan ?? '-'}`,
    );

    const resolver = await client.getProductResolver();
    const versions = sortVersions(resolver.getVersionsByType('blender'));
    const version = versions.at(-1);
    if (!version) throw new CliError('This Envoy offers no Blender version.', ExitCode.SERVICE);
    step(`Blender versions: ${versions.join(', ')}; using the newest, ${c.bold(version)}`);

    const category = opts.gpu ? MachineCategory.GPU : MachineCategory.CPU;
    const machines = await client.getMachines('blender', 'render', { category });
    const machine = machines.find((m) => m.is_default) ?? machines[0];
    if (!machine) throw new CliError(`No ${category.toUpperCase()} machine for Blender.`, ExitCode.SERVICE);
    const rate = (machine as { credit_rate?: number }).credit_rate;
    step(
      `Machine: ${c.bold(machine.id)} (${machine.name})${rate === undefined ? '' : `, ${rate} credit(s) per frame`}`,
    );

    const outDir = resolve(io.cwd, opts.out);
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const projectDir = join(outDir, `sample_project_${stamp}`);
    const resultsDir = join(outDir, `results_${stamp}`);
    await mkdir(outDir, { recursive: true });
    await cp(assetPath('sample_project'), projectDir, { recursive: true });
    step(`Wrote the sample project to ${projectDir}`);
    const scan = await scanScene(join(projectDir, 'scene.blend'));
    const absent = scan.references.filter((r) => !r.exists);
    step(
      `Preflight: scene.blend (Blender ${scan.details.version}) has ${scan.references.length} references, ${absent.length === 0 ? 'all present' : c.red(`${absent.length} missing: ${absent.map((r) => r.path).join(', ')}`)}`,
    );

    const project = new Project(projectDir, {
      name: `gm_demo_${stamp}`,
      submissionName: `gm demo ${stamp}`,
      // A results folder name without spaces, so the printed paths paste into any shell.
      outputFolderName: 'renders',
    });
    await project.addFiles(projectDir, project.remoteRoot);
    project.addWatchFiles(new WatchFile(`${project.remoteOutputFolder}/.+`, resultsDir));
    const budget = Math.max(1, Math.ceil(frames * (rate ?? 1) * 2));
    const beauty = blenderJob({
      name: 'beauty',
      appVersion: version,
      path: `${project.remoteRoot}/scene.blend`,
      frames: opts.frames,
      instances: 4,
      machineType: machine.id,
      outputPrefix: 'beauty',
      outputFormat: 'PNG',
      engine: 'CYCLES',
      ...(opts.gpu ? { gpu: true } : {}),
    }).withCreditsBudget(budget, CreditsBudgetAction.STOP);
    const preview = blenderJob({
      name: 'preview',
      appVersion: version,
      path: `${project.remoteRoot}/scene.blend`,
      frames: '1 4',
      instances: 2,
      machineType: machine.id,
      outputPrefix: 'preview',
      outputFormat: 'PNG',
      ...(opts.gpu ? { gpu: true } : {}),
    }).withDependencies(beauty);
    project.addJobs(beauty, preview);

    step(`Uploading ${project.files.length} files as ${c.bold(project.name)}`);
    const name = await client.uploadProjectFiles(project);
    await watchProject(ctx, client, name, {
      intervalMs: Number(opts.interval) || 200,
      uploadOnly: true,
      events: false,
    });

    step(
      `Submitting job ${c.bold('beauty')} (frames ${opts.frames}, budget ${budget} credits, stop) and ${c.bold('preview')} (after beauty)`,
    );
    await client.submitProject(project, { skipUpload: true });
    const last = await watchProject(ctx, client, name, {
      intervalMs: Number(opts.interval) || 200,
      events: false,
    });

    const after = await client.getUserInfo();
    const creditsAfter = Number(after.credits_available ?? 0);
    const results = (await listFiles(resultsDir)).filter((f) => f.toLowerCase().endsWith('.png'));
    Object.assign(summary, {
      url,
      project: name,
      state: last.State,
      projectFolder: projectDir,
      resultsFolder: resultsDir,
      results,
      creditsBefore,
      creditsAfter,
      creditsSpent: Math.round((creditsBefore - creditsAfter) * 100) / 100,
      jobs: (last.Jobs ?? []).map((j) => ({
        name: j.Name,
        state: j.State,
        frames: j.FramesDone,
        credits: j.CreditsConsumed,
      })),
    });
    step(`${c.green('Done.')} Project ${name} ${String(last.State)}.`);
    out.print(`  Results: ${c.bold(resultsDir)} (${results.length} PNG files)`);
    for (const file of results.slice(0, 5)) {
      // Relative to where the user is when below it, absolute otherwise.
      const near = relative(io.cwd, file);
      out.print(`    ${near && !near.startsWith('..') && !isAbsolute(near) ? near : file}`);
    }
    if (results.length > 5) out.print(`    ... and ${results.length - 5} more`);
    out.print(
      `  Credits: ${formatCredits(creditsBefore)} before, ${formatCredits(creditsAfter)} after: ${c.bold(formatCredits(creditsBefore - creditsAfter))} spent`,
    );
    if (out.json) out.printJson(summary);
    if (!external)
      out.info(
        c.dim('Next: `gm emulator` runs the emulator for your own tries; `gm --help` lists every command.'),
      );
  } finally {
    await emulator?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
