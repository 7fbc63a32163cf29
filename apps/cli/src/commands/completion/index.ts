import { PRODUCT_CODES } from '@gm/products';
import { type Command, type Option, Option as OptionClass } from 'commander';
import { contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import type { Registry } from '../../registry.js';
import { COMMANDS } from '../table.js';

/** The shells `gm completion` writes scripts for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** One option as a completion script needs it. */
interface OptionSpec {
  flags: string[];
  description: string;
  takesValue: boolean;
  choices: string[];
}

/** One command as a completion script needs it. */
interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  /** Completes its arguments with product codes (`machines`). */
  products: boolean;
  /** Completes its arguments with file names. */
  files: boolean;
}

/** Options that take a product code as their value. */
const PRODUCT_OPTIONS = ['--product', '--type'];

function optionSpec(option: Option): OptionSpec {
  return {
    flags: [option.short, option.long].filter((f): f is string => Boolean(f)),
    description: option.description,
    takesValue: option.required || option.optional,
    choices: option.argChoices ?? [],
  };
}

/** Commands, options and product codes, read from the program itself (every command loaded). */
export function describeProgram(program: Command): { globals: OptionSpec[]; commands: CommandSpec[] } {
  const help = new OptionClass('-h, --help', 'display help');
  return {
    globals: [
      ...program.options.map(optionSpec),
      optionSpec(help),
      optionSpec(new OptionClass('-V, --version', 'print the version')),
    ],
    commands: COMMANDS.map((entry) => {
      const command = program.commands.find((c) => c.name() === entry.name)!;
      return {
        name: entry.name,
        summary: entry.summary,
        options: [...command.options.map(optionSpec), optionSpec(help)],
        products: entry.name === 'machines',
        files: /file|folder/.test(entry.args),
      };
    }),
  };
}

const words = (list: readonly string[]) => list.join(' ');
const single = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A bash completion script (also used by zsh through bashcompinit where zsh's own is not wanted). */
export function bashScript(program: Command): string {
  const { globals, commands } = describeProgram(program);
  const valueOptions = [...globals, ...commands.flatMap((c) => c.options)]
    .filter((o) => o.takesValue)
    .flatMap((o) => o.flags);
  const choiceCases = [...globals, ...commands.flatMap((c) => c.options)]
    .filter((o) => o.choices.length > 0)
    .map(
      (o) =>
        `    ${o.flags.join('|')}) COMPREPLY=($(compgen -W ${single(words(o.choices))} -- "$cur")); return ;;`,
    );
  const unique = [...new Set(choiceCases)];
  const commandCases = commands.map((c) => {
    const opts = words(c.options.flatMap((o) => o.flags));
    const positional = c.products
      ? `COMPREPLY=($(compgen -W ${single(words(PRODUCT_CODES))} -- "$cur"))`
      : c.name === 'completion'
        ? `COMPREPLY=($(compgen -W ${single(words(SHELLS))} -- "$cur"))`
        : c.files
          ? 'COMPREPLY=($(compgen -f -- "$cur"))'
          : 'COMPREPLY=()';
    return `    ${c.name}) if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${single(`${opts} ${words(globals.flatMap((o) => o.flags))}`)} -- "$cur")); else ${positional}; fi ;;`;
  });
  return `# gm completion for bash. Load it with:  source <(gm completion bash)
# or save it:  gm completion bash > ~/.local/share/bash-completion/completions/gm
_gm_completion() {
  local cur prev cmd i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --url|--profile|--email|--access-key) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    ${PRODUCT_OPTIONS.join('|')}) COMPREPLY=($(compgen -W ${single(words(PRODUCT_CODES))} -- "$cur")); return ;;
${unique.join('\n')}
    ${[...new Set(valueOptions)].filter((f) => !PRODUCT_OPTIONS.includes(f)).join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
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

/** A zsh completion script (commands with their summaries, options, product codes, files). */
export function zshScript(program: Command): string {
  const { globals, commands } = describeProgram(program);
  const esc = (text: string) => text.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/'/g, `'\\''`);
  const describe = (o: OptionSpec) => o.flags.map((f) => `'${esc(f)}:${esc(o.description)}'`).join(' ');
  const globalOpts = globals.map(describe).join(' ');
  const choiceCases = [
    ...new Set(
      [...globals, ...commands.flatMap((c) => c.options)]
        .filter((o) => o.choices.length > 0)
        .map((o) => `    ${o.flags.join('|')}) compadd -- ${words(o.choices)}; return ;;`),
    ),
  ];
  const commandCases = commands.map((c) => {
    const positional = c.products
      ? `compadd -- ${words(PRODUCT_CODES)}`
      : c.name === 'completion'
        ? `compadd -- ${words(SHELLS)}`
        : c.files
          ? '_files'
          : ':';
    return `    ${c.name}) if [[ "$cur" == -* ]]; then opts=(${c.options.map(describe).join(' ')} ${globalOpts}); _describe -t options option opts; else ${positional}; fi ;;`;
  });
  return `#compdef gm gridmarkets
# gm completion for zsh. Load it with:  source <(gm completion zsh)
# or save it as _gm in a folder of your $fpath.
_gm() {
  local cmd="" cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" i
  local -a opts cmds
  for ((i = 2; i < CURRENT; i++)); do
    case "\${words[i]}" in
      --url|--profile|--email|--access-key) ((i++)) ;;
      -*) ;;
      *) cmd="\${words[i]}"; break ;;
    esac
  done
  case "$prev" in
    ${PRODUCT_OPTIONS.join('|')}) compadd -- ${words(PRODUCT_CODES)}; return ;;
${choiceCases.join('\n')}
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
export function fishScript(program: Command): string {
  const { globals, commands } = describeProgram(program);
  const q = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const flagArgs = (o: OptionSpec) =>
    o.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(' ');
  const valueArgs = (o: OptionSpec) =>
    PRODUCT_OPTIONS.some((p) => o.flags.includes(p))
      ? ` -x -a ${q(words(PRODUCT_CODES))}`
      : o.choices.length > 0
        ? ` -x -a ${q(words(o.choices))}`
        : o.takesValue
          ? ' -r'
          : '';
  const lines = [
    '# gm completion for fish. Load it with:  gm completion fish | source',
    '# or save it:  gm completion fish > ~/.config/fish/completions/gm.fish',
    'complete -c gm -f',
    // `gridmarkets` is the same program: it completes as `gm` does.
    'complete -c gridmarkets -w gm',
    ...globals.map((o) => `complete -c gm ${flagArgs(o)}${valueArgs(o)} -d ${q(o.description)}`),
    ...commands.map((c) => `complete -c gm -n __fish_use_subcommand -a ${c.name} -d ${q(c.summary)}`),
  ];
  for (const c of commands) {
    const when = `-n '__fish_seen_subcommand_from ${c.name}'`;
    for (const o of c.options)
      lines.push(`complete -c gm ${when} ${flagArgs(o)}${valueArgs(o)} -d ${q(o.description)}`);
    if (c.products) lines.push(`complete -c gm ${when} -a ${q(words(PRODUCT_CODES))}`);
    if (c.name === 'completion') lines.push(`complete -c gm ${when} -a ${q(words(SHELLS))}`);
    if (c.files) lines.push(`complete -c gm ${when} -F`);
  }
  return `${lines.join('\n')}\n`;
}

/** `gm completion`: prints a completion script for bash, zsh or fish. */
export function define(command: Command, { io, signal, program, loadAll }: Registry): void {
  command
    .argument('<shell>', `the shell: ${SHELLS.join(', ')}`)
    .addHelpText(
      'after',
      `
The script completes commands, options, option values and product codes (and file names where a command takes
a file).

Examples:
  source <(gm completion bash)                                  # bash, this shell
  gm completion bash > ~/.local/share/bash-completion/completions/gm
  gm completion zsh > "\${fpath[1]}/_gm"                         # zsh
  gm completion fish > ~/.config/fish/completions/gm.fish         # fish`,
    )
    .action(async (shell: string) => {
      const ctx = contextOf(command, io, signal);
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new UsageError(`No completion for the shell "${shell}".`, {
          hint: `Choose one of ${SHELLS.join(', ')}: gm completion bash`,
        });
      }
      await loadAll();
      const script =
        shell === 'bash' ? bashScript(program) : shell === 'zsh' ? zshScript(program) : fishScript(program);
      ctx.io.stdout.write(script);
    });
}
