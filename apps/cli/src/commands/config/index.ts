import { existsSync } from 'node:fs';
import { redactUrl } from '@gm/core';
import type { Command } from 'commander';
import { checkUrl, describeUrlSource, resolveConnectionUnchecked } from '../../lib/client.js';
import { profilesPath, readProfiles } from '../../lib/config.js';
import { type Context, contextOf } from '../../lib/context.js';
import type { Registry } from '../../registry.js';

type Source = 'flag' | 'env' | 'profile' | 'default' | 'none';

/** `gm config`: the settings in effect and where each one came from; sends nothing. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .addHelpText(
      'after',
      `
Shows the active profile, the Envoy URL in use and where it came from (--url, GM_ENVOY_URL, the profile or the
default), the account email, whether an access key is set (never the key), and the profiles file. Sends nothing.

Examples:
  gm config
  gm config --profile work --json`,
    )
    .action(() => config(contextOf(command, io, signal)));
}

/**
 * What `gm config` runs, callable without the argument parser (see `createContext`): prints the settings in
 * effect (profile, Envoy URL, email, whether an access key is set, the profiles file) and where each came from.
 * Sends nothing.
 */
export async function config(ctx: Context): Promise<void> {
  const { globals, io } = ctx;
  const conn = await resolveConnectionUnchecked(ctx);
  const file = profilesPath(io.env);
  const profiles = Object.keys((await readProfiles(io.env)).profiles).sort();
  const profileSource: Source = globals.profile
    ? ctx.sourceOf('profile') === 'env'
      ? 'env'
      : 'flag'
    : io.env.GM_PROFILE
      ? 'env'
      : 'default';
  const credentialSource = (
    flagKey: 'email' | 'accessKey',
    envName: string,
    fromProfile?: string,
  ): Source => {
    if (globals[flagKey]) return ctx.sourceOf(flagKey) === 'env' ? 'env' : 'flag';
    if (io.env[envName]) return 'env';
    return fromProfile ? 'profile' : 'none';
  };
  let urlProblem: string | undefined;
  try {
    checkUrl(conn.url, describeUrlSource(conn.urlSource, conn.profileName));
  } catch (error) {
    urlProblem = (error as Error).message;
  }
  const report = {
    profile: { name: conn.profileName, source: profileSource, stored: conn.profile !== undefined },
    url: {
      value: redactUrl(conn.url),
      source: conn.urlSource,
      ...(urlProblem ? { problem: urlProblem } : {}),
    },
    email: {
      value: conn.email ?? null,
      source: credentialSource('email', 'GM_EMAIL', conn.profile?.email),
    },
    accessKey: {
      set: Boolean(conn.accessKey),
      source: credentialSource('accessKey', 'GM_ACCESS_KEY', conn.profile?.accessKey),
    },
    configFile: { path: file, exists: existsSync(file), profiles },
  };
  const { out } = ctx;
  if (out.json) {
    out.printJson(report);
    return;
  }
  const { c } = out;
  const from = (source: Source) =>
    c.dim(
      source === 'flag'
        ? '(from a flag)'
        : source === 'env'
          ? '(from the environment)'
          : source === 'profile'
            ? '(from the profile)'
            : source === 'default'
              ? '(default)'
              : '',
    );
  const urlFrom = c.dim(`(from ${describeUrlSource(conn.urlSource, conn.profileName)})`);
  const rows: [string, string][] = [
    [
      'Profile',
      `${c.cyan(conn.profileName)} ${from(profileSource)}${conn.profile ? '' : c.yellow(' not stored yet: run `gm login`')}`,
    ],
    ['Envoy URL', `${report.url.value} ${urlFrom}${urlProblem ? ` ${c.red('refused (below)')}` : ''}`],
    ['Email', conn.email ? `${conn.email} ${from(report.email.source)}` : c.dim('none')],
    ['Access key', conn.accessKey ? `set ${from(report.accessKey.source)}` : c.dim('none')],
    ['Config file', `${file}${report.configFile.exists ? '' : c.dim(' (not written yet)')}`],
    ['Profiles', profiles.length > 0 ? profiles.join(', ') : c.dim('none')],
  ];
  for (const [k, v] of rows) out.print(`${c.dim(k.padEnd(12))} ${v}`);
  if (urlProblem) out.print(c.red(urlProblem));
}
