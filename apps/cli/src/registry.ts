/**
 * What every command module receives when it defines its command.
 *
 * @module
 */
import type { Command } from 'commander';
import type { Io } from './lib/output.js';

/** What each command is defined with. */
export interface Registry {
  /** The root program. */
  program: Command;
  /** The streams and environment. */
  io: Io;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Loads and defines every command (what a completion script lists). */
  loadAll(): Promise<void>;
}
