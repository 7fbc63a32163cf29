/**
 * `gm`: the command line for GridMarkets Envoy. The `bin/gm.js` shim calls {@link main}.
 *
 * @packageDocumentation
 */
import { version } from '../package.json';

export { COMMANDS, type CommandEntry, type CommandModule } from './commands/table.js';
export { CliError, EXIT_CODES_HELP, ExitCode, type ExitCodeValue, UsageError } from './lib/exit-codes.js';
export {
  JOB_FILE_SCHEMA,
  type JobFile,
  type JobSpec,
  type LoadedJobFile,
  loadJobFile,
  MAX_JOB_FILE_BYTES,
  MAX_JOB_FILE_STRING,
} from './lib/job-file.js';
export type { Io } from './lib/output.js';
export { commandNameOf, createProgram, loadAllCommands, loadCommand, main } from './program.js';
export type { Registry } from './registry.js';

/** The version of `gm`. */
export const VERSION: string = version;
