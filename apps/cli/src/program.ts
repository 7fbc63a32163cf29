/**
 * The `gm` program: global options, the lazily loaded commands, and {@link main}, which runs it and turns errors
 * into exit codes. Nothing heavy is imported here, so `gm --version` and `gm --help` start fast.
 *
 * @module
 */
import { Command, CommanderError, Option } from 'commander';
import { version } from '../package.json';
import { COMMANDS, findCommand } from './commands/table.js';
import { createColours, shouldColour } from './lib/colour.js';
import { EXIT_CODES_HELP, ExitCode } from './lib/exit-codes.js';
import type { Io } from './lib/output.js';
import type { Registry } from './registry.js';

/** The root options that take a value (so the command name can be found without parsing). */
const VALUE_OPTIONS = new Set(['--url', '--profile', '--email', '--access-key', '--timeout']);

const filled = new WeakMap<Command, Promise<void>>();
const registries = new WeakMap<Command, Registry>();

/**
 * The name of the command `args` (the arguments after `gm`) runs, skipping global options and `help`;
 * undefined when there is none.
 */
export function commandNameOf(args: readonly string[]): string | undefined {
  let afterHelp = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    if (arg === 'help' && !afterHelp) {
      afterHelp = true;
      continue;
    }
    return arg;
  }
  return undefined;
}

/** Loads the module of one command and defines it on its (so far empty) subcommand; once per command. */
export function loadCommand(program: Command, name: string): Promise<void> {
  const entry = findCommand(name);
  const command = program.commands.find((c) => c.name() === name);
  const registry = registries.get(program);
  if (!entry || !command || !registry) return Promise.resolve();
  let done = filled.get(command);
  if (!done) {
    done = entry.load().then((mod) => mod.define(command, registry));
    filled.set(command, done);
  }
  return done;
}

/** Loads and defines every command (for completion scripts and tests). */
export async function loadAllCommands(program: Command): Promise<void> {
  for (const entry of COMMANDS) await loadCommand(program, entry.name);
}

/** The names the command is installed under: `gridmarkets`, and `gm` for short. */
export type ProgramName = 'gridmarkets' | 'gm';

/**
 * The name the user typed: `gridmarkets` when the script was started under that name (`gridmarkets`,
 * `gridmarkets.cmd`, ...), else `gm`. Usage lines and errors then speak of the command the user ran.
 */
export function programName(script: string | undefined): ProgramName {
  const base = (script ?? '').split(/[\\/]/).pop() ?? '';
  return /^gridmarkets(\.(c?m?js|cmd|ps1|exe))?$/i.test(base) ? 'gridmarkets' : 'gm';
}

/**
 * Builds the commander program. Each command is named and described from the command table; its options,
 * arguments and action are defined when it runs ({@link loadCommand}), or all at once with {@link loadAllCommands}.
 */
export function createProgram(io: Io, signal: AbortSignal, name: ProgramName = 'gm'): Command {
  const program = new Command(name);
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
    .addOption(
      new Option(
        '--timeout <seconds>',
        'time limit of one request to Envoy, its whole answer included (default 30; reads are tried 3 times)',
      ).env('GM_TIMEOUT'),
    )
    .option('--json', 'machine readable output: one JSON document, or JSON lines with --watch')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('-q, --quiet', 'fewer messages on stderr')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureHelp({
      showGlobalOptions: true,
      subcommandTerm: (cmd) => {
        const entry = findCommand(cmd.name());
        return entry ? `${entry.name} [options]${entry.args ? ` ${entry.args}` : ''}` : cmd.name();
      },
    })
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
  gm init scene.blend              write job.yaml for a scene, to edit and submit
  gm submit job.yaml --watch       submit a job file and follow it to the end
  gm status my_project --json      project status as JSON
  gm completion bash               a completion script (also zsh, fish)

${EXIT_CODES_HELP}`,
    );
  registries.set(program, {
    program,
    io,
    signal,
    commands: COMMANDS,
    loadAll: () => loadAllCommands(program),
  });
  for (const entry of COMMANDS) {
    program.command(entry.name, { hidden: entry.hidden === true }).description(entry.summary);
  }
  // A safety net: whatever way commander reaches a subcommand, it is defined before it parses.
  program.hook('preSubcommand', (_root, sub) => loadCommand(program, sub.name()));
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

let pipeGuarded = false;

/**
 * Ends quietly (exit 0) when the reader of stdout goes away (`gm ... | head -1`): nothing more can be written, and
 * what was written is what the reader asked for. Installed once, for the life of the process, as a write can
 * fail after the command returned.
 */
function quietOnBrokenPipe(onBroken: () => void): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    onBroken();
  });
  // Messages and progress are best effort once stderr is gone.
  process.stderr.on('error', () => {});
}

/**
 * Runs `gm` with the given arguments (`process.argv` form: node, script, then the arguments), reports any error
 * with a hint, and resolves to the exit code (also set as `process.exitCode` when running on the real process).
 */
export async function main(argv: readonly string[] = process.argv, io?: Io): Promise<number> {
  const realProcess = io === undefined;
  const streams = io ?? processIo();
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '-V' || args[0] === '--version')) {
    streams.stdout.write(`${version}\n`);
    if (realProcess) process.exitCode = ExitCode.OK;
    return ExitCode.OK;
  }
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(ExitCode.INTERRUPTED);
    controller.abort();
  };
  if (realProcess) {
    process.on('SIGINT', onSigint);
    quietOnBrokenPipe(() => {
      controller.abort();
      process.exit(ExitCode.OK);
    });
  }
  const program = createProgram(streams, controller.signal, programName(argv[1]));
  const name = commandNameOf(args);
  let code: number = ExitCode.OK;
  try {
    if (name) await loadCommand(program, name);
    await program.parseAsync([...argv]);
  } catch (error) {
    if (
      error instanceof CommanderError &&
      (error.exitCode === 0 || error.code === 'commander.helpDisplayed')
    ) {
      code = ExitCode.OK;
    } else if (error instanceof CommanderError && error.code === 'commander.help') {
      code = ExitCode.USAGE;
    } else {
      code = await report(error, program, streams, name);
    }
  } finally {
    if (realProcess) process.off('SIGINT', onSigint);
  }
  if (realProcess) process.exitCode = code;
  return code;
}

async function report(
  error: unknown,
  program: Command,
  io: Io,
  command: string | undefined,
): Promise<number> {
  const { reportError } = await import('./lib/errors.js');
  const opts = program.opts<{ json?: boolean; color?: boolean; url?: string }>();
  const r = reportError(error, { url: opts.url ?? io.env.GM_ENVOY_URL, command });
  if (opts.json) {
    io.stdout.write(
      `${JSON.stringify({ error: { kind: r.kind, message: r.message, exitCode: r.exitCode, details: r.details, hint: r.hint } })}\n`,
    );
  }
  const c = createColours(shouldColour(io.stderr, io.env, opts.color));
  // Ctrl-C is the user's own choice, not an error: said plainly, with how to pick things up again.
  const head = r.exitCode === ExitCode.INTERRUPTED ? r.message : `${c.red('error:')} ${r.message}`;
  const lines = [head, ...r.details.map((d) => `  - ${d}`)];
  if (r.hint) lines.push(c.dim(r.hint));
  if (io.env.GM_DEBUG && error instanceof Error && error.stack) lines.push(c.dim(error.stack));
  io.stderr.write(`${lines.join('\n')}\n`);
  return r.exitCode;
}
