/**
 * What every command module receives when it defines its command.
 *
 * @module
 */
import type { Command } from 'commander';
import type { CommandEntry } from './commands/table.js';
import type { Io } from './lib/output.js';

/** What each command is defined with. */
export interface Registry {
  /** The root program. */
  program: Command;
  /** The streams and environment. */
  io: Io;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /**
   * The command table (what `gm --help` and the completion scripts list), given here so that a command module
   * never imports the table that loads it.
   */
  commands: readonly CommandEntry[];
  /** Loads and defines every command (what a completion script lists). */
  loadAll(): Promise<void>;
}
