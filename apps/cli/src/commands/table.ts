/**
 * The table of `gm` commands: each one's name, one-line summary and arguments, and a loader that imports its
 * module only when the command runs (or its help is asked for), so `gm --version` and `gm --help` load none.
 *
 * @module
 */
import type { Command } from 'commander';
import type { Registry } from '../registry.js';

/** What a command module exports: fills in the command's arguments, options, help text and action. */
export interface CommandModule {
  /** Defines the command on `command` (already named and described by the table). */
  define(command: Command, registry: Registry): void;
}

/** One row of the command table. */
export interface CommandEntry {
  /** The command name, as typed after `gm`. */
  name: string;
  /** One-line summary for `gm --help`. */
  summary: string;
  /** Arguments as help shows them (`<project>`), or empty. */
  args: string;
  /** Left out of help and of the completion scripts' command lists: a command the scripts themselves call. */
  hidden?: boolean;
  /** Imports the command's module. */
  load(): Promise<CommandModule>;
}

/** Every command, in the order `gm --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'login',
    summary: 'check your email and access key with Envoy and store them as a profile (mode 0600)',
    args: '',
    load: () => import('./login/index.js'),
  },
  {
    name: 'logout',
    summary: 'remove the stored profile (--profile, default "default")',
    args: '',
    load: () => import('./logout/index.js'),
  },
  {
    name: 'whoami',
    summary: 'show the account (name, email, plan) and its credits',
    args: '',
    load: () => import('./whoami/index.js'),
  },
  {
    name: 'config',
    summary: 'show the active profile, the Envoy URL in use and where it came from, and the config file',
    args: '',
    load: () => import('./config/index.js'),
  },
  {
    name: 'products',
    summary: 'list product types and plugins with their versions',
    args: '',
    load: () => import('./products/index.js'),
  },
  {
    name: 'machines',
    summary: 'list machine types for a product and operation (default: all categories)',
    args: '<product> [operation]',
    load: () => import('./machines/index.js'),
  },
  {
    name: 'init',
    summary: 'write a job file for a scene file: its own version, default machine, frames and output to edit',
    args: '<scene-file>',
    load: () => import('./init/index.js'),
  },
  {
    name: 'upload',
    summary: 'upload a folder as a project (to submit jobs on it later with --skip-upload)',
    args: '<folder>',
    load: () => import('./upload/index.js'),
  },
  {
    name: 'submit',
    summary: 'upload and submit a project from a job file, or a single job from flags',
    args: '[job-file]',
    load: () => import('./submit/index.js'),
  },
  {
    name: 'validate',
    summary:
      'check a job file (schema, builders, dependencies, files; then versions, plugins and machines) and estimate frames and credits',
    args: '<job-file>',
    load: () => import('./validate/index.js'),
  },
  {
    name: 'scan',
    summary: 'list the files a scene references (textures, caches, libraries, ...), found and missing',
    args: '<scene>',
    load: () => import('./scan/index.js'),
  },
  {
    name: 'status',
    summary: 'show the status of a project; --watch follows it to the end with progress',
    args: '<project>',
    load: () => import('./status/index.js'),
  },
  {
    name: 'projects',
    summary: 'list the projects Envoy knows (state, files, size, auto-download)',
    args: '',
    load: () => import('./projects/index.js'),
  },
  {
    name: 'files',
    summary: 'list the files of a project in the remote store (uploads and results) with checksums',
    args: '<project>',
    load: () => import('./files/index.js'),
  },
  {
    name: 'emulator',
    summary: 'run a local Envoy emulator in the foreground (Ctrl-C stops it)',
    args: '',
    load: () => import('./emulator/index.js'),
  },
  {
    name: 'demo',
    summary:
      'run the whole flow in seconds: emulator, login, products, machines, upload, submit, watch, results',
    args: '',
    load: () => import('./demo/index.js'),
  },
  {
    name: 'completion',
    summary: 'print a shell completion script (bash, zsh or fish)',
    args: '<shell>',
    load: () => import('./completion/index.js'),
  },
  {
    name: '__complete',
    summary: 'values for the completion scripts: projects, machines, types and plugins from Envoy (cached)',
    args: '<kind> [prefix]',
    hidden: true,
    load: () => import('./complete-values/index.js'),
  },
];

/** The entry of a command name; undefined when there is none. */
export function findCommand(name: string | undefined): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
