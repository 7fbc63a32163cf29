import { PRODUCT_CODES, PRODUCTS } from '@gm/products';
import { type Command, type Option, Option as OptionClass } from 'commander';
import { type Context, contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import type { Registry } from '../../registry.js';
import { COMPLETION_TIMEOUT_MS } from '../complete-values/index.js';
import type { CommandEntry } from '../table.js';

/** The shells `gm completion` writes scripts for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** What completes an option's value or a command's argument. */
export type Completer =
  | { kind: 'none' }
  | { kind: 'files' }
  | { kind: 'scenes' }
  | { kind: 'words'; words: readonly string[] }
  | { kind: 'envoy'; values: 'projects' | 'machines' | 'types' | 'plugins' };

/** One option as a completion script needs it. */
interface OptionSpec {
  flags: string[];
  description: string;
  takesValue: boolean;
  value: Completer;
}

/** One command as a completion script needs it. */
interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  /** What completes its arguments. */
  args: Completer;
}

/** Option values asked of Envoy (through `gm __complete`), by flag. */
const ENVOY_OPTIONS: Readonly<Record<string, Completer>> = {
  '--type': { kind: 'envoy', values: 'types' },
  '--plugin': { kind: 'envoy', values: 'plugins' },
  '--machine': { kind: 'envoy', values: 'machines' },
};

/** The extensions of every product's scene files, without the dot (`blend`, `nk`, ...). */
const SCENE_EXTENSIONS = [
  ...new Set(PRODUCT_CODES.flatMap((c) => PRODUCTS[c].extensions.map((e) => e.slice(1)))),
];

function optionSpec(option: Option): OptionSpec {
  const takesValue = option.required || option.optional;
  const choices = option.argChoices ?? [];
  const value: Completer =
    (option.long && ENVOY_OPTIONS[option.long]) ||
    (option.long === '--product'
      ? { kind: 'words', words: PRODUCT_CODES }
      : choices.length > 0
        ? { kind: 'words', words: choices }
        : takesValue
          ? { kind: 'files' }
          : { kind: 'none' });
  return {
    flags: [option.short, option.long].filter((f): f is string => Boolean(f)),
    description: option.description,
    takesValue,
    value,
  };
}

/** What completes a command's arguments. */
function argsOf(entry: CommandEntry): Completer {
  switch (entry.name) {
    case 'machines':
      return { kind: 'words', words: PRODUCT_CODES };
    case 'completion':
      return { kind: 'words', words: SHELLS };
    case 'status':
    case 'files':
      return { kind: 'envoy', values: 'projects' };
    case 'init':
      return { kind: 'scenes' };
    default:
      return /file|folder/.test(entry.args) ? { kind: 'files' } : { kind: 'none' };
  }
}

/**
 * Commands, options and what completes their values, read from the program itself (every command loaded) and the
 * command table (`table`: the program's, as the registry gives it).
 */
export function describeProgram(
  program: Command,
  table: readonly CommandEntry[],
): { globals: OptionSpec[]; commands: CommandSpec[] } {
  const help = new OptionClass('-h, --help', 'display help');
  return {
    globals: [
      ...program.options.map(optionSpec),
      optionSpec(help),
      optionSpec(new OptionClass('-V, --version', 'print the version')),
    ],
    commands: table
      .filter((entry) => entry.hidden !== true)
      .map((entry) => {
        const command = program.commands.find((c) => c.name() === entry.name)!;
        return {
          name: entry.name,
          summary: entry.summary,
          options: [...command.options.map(optionSpec), optionSpec(help)],
          args: argsOf(entry),
        };
      }),
  };
}

const words = (list: readonly string[]) => list.join(' ');
const single = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The bash code that fills COMPREPLY for a completer (`$cur` is the word being completed). */
function bashCompleter(c: Completer): string {
  switch (c.kind) {
    case 'none':
      return 'COMPREPLY=()';
    case 'files':
      return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))';
    case 'scenes':
      return `_gm_scenes ${words(SCENE_EXTENSIONS)}`;
    case 'words':
      return `COMPREPLY=($(compgen -W ${single(words(c.words))} -- "$cur"))`;
    case 'envoy':
      return `_gm_values ${c.values}`;
  }
}

/** A bash completion script (also used by zsh through bashcompinit where zsh's own is not wanted). */
export function bashScript(program: Command, table: readonly CommandEntry[]): string {
  const { globals, commands } = describeProgram(program, table);
  const valueCases = [
    ...new Set(
      [...globals, ...commands.flatMap((c) => c.options)]
        .filter((o) => o.takesValue)
        .map((o) => `    ${o.flags.join('|')}) ${bashCompleter(o.value)}; return ;;`),
    ),
  ];
  const commandCases = commands.map((c) => {
    const opts = words(c.options.flatMap((o) => o.flags));
    return `    ${c.name}) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${single(`${opts} ${words(globals.flatMap((o) => o.flags))}`)} -- "$cur")); else ${bashCompleter(c.args)}; fi ;;`;
  });
  return `# gm completion for bash. Load it with:  source <(gm completion bash)
# or save it:  gm completion bash > ~/.local/share/bash-completion/completions/gm
# Project names, machine types and product types come from Envoy through the command itself (\`gm __complete\`),
# with a short time limit and a cache; nothing is offered for them when Envoy cannot answer.
_gm_values() {
  local product="" j value
  if [[ "$1" == machines ]]; then
    for ((j = 1; j < \${#COMP_WORDS[@]} - 1; j++)); do
      [[ "\${COMP_WORDS[j]}" == --product ]] && product="\${COMP_WORDS[j+1]}"
    done
  fi
  # One value a line, each quoted for the command line (bash inserts a value as it is): a name holding ; $ * or a
  # space is one argument, never a command, a glob or two words.
  COMPREPLY=()
  while IFS= read -r value; do
    printf -v value '%q' "$value"
    COMPREPLY+=("$value")
  done < <("\${COMP_WORDS[0]}" __complete "$1" --product "$product" -- "$cur" 2>/dev/null)
}
_gm_scenes() {
  local IFS=$'\\n' ext
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -d -- "$cur"))
  for ext in "$@"; do COMPREPLY+=($(compgen -f -X "!*.$ext" -- "$cur")); done
}
_gm_completion() {
  local cur prev cmd i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --url|--profile|--email|--access-key|--timeout) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
${valueCases.join('\n')}
  esac
  case "$cmd" in
    "") COMPREPLY=($(compgen -W ${single(`${words(commands.map((c) => c.name))} ${words(globals.flatMap((o) => o.flags))}`)} -- "$cur")) ;;
${commandCases.join('\n')}
    *) COMPREPLY=() ;;
  esac
}
complete -o default -F _gm_completion gm gridmarkets
`;
}

/** The zsh code that offers a completer's values. */
function zshCompleter(c: Completer): string {
  switch (c.kind) {
    case 'none':
      return ':';
    case 'files':
      return '_files';
    case 'scenes':
      return `_files -g '*.(${SCENE_EXTENSIONS.join('|')})'`;
    case 'words':
      return `compadd -- ${words(c.words)}`;
    case 'envoy':
      return `_gm_values ${c.values}`;
  }
}

/** A zsh completion script (commands with their summaries, options, their values, files). */
export function zshScript(program: Command, table: readonly CommandEntry[]): string {
  const { globals, commands } = describeProgram(program, table);
  const esc = (text: string) => text.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/'/g, `'\\''`);
  const describe = (o: OptionSpec) => o.flags.map((f) => `'${esc(f)}:${esc(o.description)}'`).join(' ');
  const globalOpts = globals.map(describe).join(' ');
  const valueCases = [
    ...new Set(
      [...globals, ...commands.flatMap((c) => c.options)]
        .filter((o) => o.takesValue && o.value.kind !== 'files')
        .map((o) => `    ${o.flags.join('|')}) ${zshCompleter(o.value)}; return ;;`),
    ),
  ];
  const commandCases = commands.map(
    (c) =>
      `    ${c.name}) if [[ "$cur" == -* ]]; then opts=(${c.options.map(describe).join(' ')} ${globalOpts}); _describe -t options option opts; else ${zshCompleter(c.args)}; fi ;;`,
  );
  return `#compdef gm gridmarkets
# gm completion for zsh. Load it with:  source <(gm completion zsh)
# or save it as _gm in a folder of your $fpath.
_gm_values() {
  local -a vals
  local product="" j
  if [[ "$1" == machines ]]; then
    for ((j = 2; j < CURRENT; j++)); do [[ "\${words[j]}" == --product ]] && product="\${words[j+1]}"; done
  fi
  vals=("\${(@f)$("\${words[1]}" __complete "$1" --product "$product" 2>/dev/null)}")
  compadd -a vals
}
_gm() {
  local cmd="" cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" i
  local -a opts cmds
  for ((i = 2; i < CURRENT; i++)); do
    case "\${words[i]}" in
      --url|--profile|--email|--access-key|--timeout) ((i++)) ;;
      -*) ;;
      *) cmd="\${words[i]}"; break ;;
    esac
  done
  case "$prev" in
${valueCases.join('\n')}
  esac
  case "$cmd" in
    "")
      if [[ "$cur" == -* ]]; then opts=(${globalOpts}); _describe -t options option opts
      else cmds=(${commands.map((c) => `'${esc(c.name)}:${esc(c.summary)}'`).join(' ')}); _describe -t commands command cmds; fi ;;
${commandCases.join('\n')}
  esac
}
if [[ "$funcstack[1]" == "_gm" ]]; then _gm "$@"; else compdef _gm gm gridmarkets; fi
`;
}

/** A fish completion script. */
export function fishScript(program: Command, table: readonly CommandEntry[]): string {
  const { globals, commands } = describeProgram(program, table);
  const q = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const flagArgs = (o: OptionSpec) =>
    o.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(' ');
  const values = (c: Completer): string => {
    switch (c.kind) {
      case 'none':
        return '';
      case 'files':
        return ' -r -F';
      case 'scenes':
        return ` -a '(__gm_scenes)'`;
      case 'words':
        return ` -x -a ${q(words(c.words))}`;
      case 'envoy':
        return ` -x -a '(__gm_values ${c.values})'`;
    }
  };
  const lines = [
    '# gm completion for fish. Load it with:  gm completion fish | source',
    '# or save it:  gm completion fish > ~/.config/fish/completions/gm.fish',
    '# Project names, machine types and product types come from Envoy through the command itself (gm __complete).',
    'function __gm_values',
    '    set -l words (commandline -opc)',
    "    set -l product ''",
    '    set -l i (contains -i -- --product $words); and set product $words[(math $i + 1)]',
    '    $words[1] __complete $argv[1] --product "$product" 2>/dev/null',
    'end',
    'function __gm_scenes',
    '    __fish_complete_directories (commandline -ct)',
    `    for ext in ${words(SCENE_EXTENSIONS)}; __fish_complete_suffix .$ext; end`,
    'end',
    'complete -c gm -f',
    // `gridmarkets` is the same program: it completes as `gm` does.
    'complete -c gridmarkets -w gm',
    ...globals.map((o) => `complete -c gm ${flagArgs(o)}${values(o.value)} -d ${q(o.description)}`),
    ...commands.map((c) => `complete -c gm -n __fish_use_subcommand -a ${c.name} -d ${q(c.summary)}`),
  ];
  for (const c of commands) {
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    for (const o of c.options)
      lines.push(`complete -c gm ${when} ${flagArgs(o)}${values(o.value)} -d ${q(o.description)}`);
    const positional = values(c.args);
    if (positional) lines.push(`complete -c gm ${when}${positional}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `gm completion`: prints a completion script for bash, zsh or fish. */
export function define(command: Command, { io, signal, program, commands, loadAll }: Registry): void {
  command
    .argument('<shell>', `the shell: ${SHELLS.join(', ')}`)
    .addHelpText(
      'after',
      `
The script completes commands, options, option values, product codes, scene files for \`gm init\`, and file
names where a command takes a file. Project names (\`gm status\`, \`gm files\`), machine types (\`--machine\`),
product types (\`--type\`) and plugins (\`--plugin\`) come from Envoy, asked with a ${COMPLETION_TIMEOUT_MS / 1000} s time limit and
kept for a minute in your cache folder; when Envoy cannot answer, nothing is offered for them.

Examples:
  source <(gm completion bash)                                  # bash, this shell
  gm completion bash > ~/.local/share/bash-completion/completions/gm
  gm completion zsh > "\${fpath[1]}/_gm"                         # zsh
  gm completion fish > ~/.config/fish/completions/gm.fish         # fish`,
    )
    .action((shell: string) =>
      completion(contextOf(command, io, signal), shell, { program, commands, loadAll }),
    );
}

/**
 * What `gm completion` runs, callable without the argument parser (see `createContext`): loads every command
 * (`loadAll`) and writes the completion script of `shell` for `program` and its command table to standard output.
 *
 * @throws UsageError (exit 2) for a shell not in {@link SHELLS}.
 */
export async function completion(
  ctx: Context,
  shell: string,
  { program, commands, loadAll }: Pick<Registry, 'program' | 'commands' | 'loadAll'>,
): Promise<void> {
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(`No completion for the shell "${shell}".`, {
      hint: `Choose one of ${SHELLS.join(', ')}: gm completion bash`,
    });
  }
  await loadAll();
  const script =
    shell === 'bash'
      ? bashScript(program, commands)
      : shell === 'zsh'
        ? zshScript(program, commands)
        : fishScript(program, commands);
  ctx.io.stdout.write(script);
}
