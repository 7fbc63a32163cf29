/**
 * `gm`: the command line for GridMarkets Envoy. The `bin/gm.js` shim calls {@link main}.
 *
 * @packageDocumentation
 */
import { Command, CommanderError, Option } from 'commander';
import { version } from '../package.json';
import { registerDemo } from './commands/demo/index.js';
import { registerEmulator } from './commands/emulator/index.js';
import { registerFiles } from './commands/files/index.js';
import { registerLogin } from './commands/login/index.js';
import { registerLogout } from './commands/logout/index.js';
import { registerMachines } from './commands/machines/index.js';
import { registerProducts } from './commands/products/index.js';
import { registerProjects } from './commands/projects/index.js';
import { registerScan } from './commands/scan/index.js';
import { registerStatus } from './commands/status/index.js';
import { registerSubmit } from './commands/submit/index.js';
import { registerUpload } from './commands/upload/index.js';
import { registerValidate } from './commands/validate/index.js';
import { registerWhoami } from './commands/whoami/index.js';
import { createColours, shouldColour } from './lib/colour.js';
import { reportError } from './lib/errors.js';
import { EXIT_CODES_HELP, ExitCode } from './lib/exit-codes.js';
import type { Io } from './lib/output.js';

export { CliError, EXIT_CODES_HELP, ExitCode, type ExitCodeValue, UsageError } from './lib/exit-codes.js';
export {
  JOB_FILE_SCHEMA,
  type JobFile,
  type JobSpec,
  type LoadedJobFile,
  loadJobFile,
} from './lib/job-file.js';
export type { Io } from './lib/output.js';

/** The version of `gm`. */
export const VERSION: string = version;

/** What each command registers itself with. */
export interface Registry {
  /** The root program. */
  program: Command;
  /** The streams and environment. */
  io: Io;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** Builds the commander program with every command (exported for help text and tests). */
export function createProgram(io: Io, signal: AbortSignal): Command {
  const program = new Command('gm');
  program
    .description(
      'The command line for GridMarkets Envoy: log in, find products and machines, upload, submit and watch.',
    )
    .addOption(
      new Option('--url <url>', 'Envoy URL (default: the profile URL or http://localhost:8090)').env(
        'GM_ENVOY_URL',
      ),
    )
    .addOption(new Option('--profile <name>', 'profile to use (default: "default")').env('GM_PROFILE'))
    .addOption(new Option('--email <email>', 'account email (overrides the profile)').env('GM_EMAIL'))
    .addOption(
      new Option('--access-key <key>', 'account access key (overrides the profile)').env('GM_ACCESS_KEY'),
    )
    .option('--json', 'machine readable output: one JSON document, or JSON lines with --watch')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('-q, --quiet', 'fewer messages on stderr')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
    })
    .addHelpText(
      'after',
      `
  -V, --version                    print the version of gm

Credentials come from --email/--access-key, then GM_EMAIL/GM_ACCESS_KEY, then the profile \`gm login\` stored.

Examples:
  gm demo                          run the whole flow against a built-in emulator, in seconds
  gm login                         store your email and access key
  gm products --type blender       Blender versions
  gm submit job.yaml --watch       submit a job file and follow it to the end
  gm status my_project --json      project status as JSON

${EXIT_CODES_HELP}`,
    );
  const registry: Registry = { program, io, signal };
  for (const register of [
    registerLogin,
    registerLogout,
    registerWhoami,
    registerProducts,
    registerMachines,
    registerUpload,
    registerSubmit,
    registerValidate,
    registerScan,
    registerStatus,
    registerProjects,
    registerFiles,
    registerEmulator,
    registerDemo,
  ]) {
    register(registry);
  }
  return program;
}

function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * Runs `gm` with the given arguments (`process.argv` form: node, script, then the arguments), reports any error
 * with a hint, and resolves to the exit code (also set as `process.exitCode` when running on the real process).
 */
export async function main(argv: readonly string[] = process.argv, io?: Io): Promise<number> {
  const realProcess = io === undefined;
  const streams = io ?? processIo();
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  if (realProcess) process.on('SIGINT', onSigint);
  const program = createProgram(streams, controller.signal);
  let code: number = ExitCode.OK;
  const args = argv.slice(2);
  try {
    if (args.length === 1 && (args[0] === '-V' || args[0] === '--version')) {
      streams.stdout.write(`${version}\n`);
    } else {
      await program.parseAsync([...argv]);
    }
  } catch (error) {
    if (
      error instanceof CommanderError &&
      (error.exitCode === 0 || error.code === 'commander.helpDisplayed')
    ) {
      code = ExitCode.OK;
    } else if (error instanceof CommanderError && error.code === 'commander.help') {
      code = ExitCode.USAGE;
    } else {
      code = report(error, program, streams);
    }
  } finally {
    if (realProcess) process.off('SIGINT', onSigint);
  }
  if (realProcess) process.exitCode = code;
  return code;
}

function report(error: unknown, program: Command, io: Io): number {
  const opts = program.opts<{ json?: boolean; color?: boolean; url?: string }>();
  const r = reportError(error, opts.url ?? io.env.GM_ENVOY_URL);
  if (opts.json) {
    io.stdout.write(
      `${JSON.stringify({ error: { kind: r.kind, message: r.message, exitCode: r.exitCode, details: r.details, hint: r.hint } })}\n`,
    );
  }
  const c = createColours(shouldColour(io.stderr, io.env, opts.color));
  const lines = [`${c.red('error:')} ${r.message}`, ...r.details.map((d) => `  - ${d}`)];
  if (r.hint) lines.push(c.dim(r.hint));
  if (io.env.GM_DEBUG && error instanceof Error && error.stack) lines.push(c.dim(error.stack));
  io.stderr.write(`${lines.join('\n')}\n`);
  return r.exitCode;
}
