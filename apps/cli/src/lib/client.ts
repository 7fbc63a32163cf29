/**
 * Builds the `EnvoyClient` a command uses from flags, environment variables and the stored profile.
 *
 * @module
 */
import { DEFAULT_ENVOY_URL, EnvoyClient, type EnvoyClientOptions, InvalidRequestError } from '@gm/core';
import { DEFAULT_PROFILE, getProfile, type Profile } from './config.js';
import type { Context } from './context.js';
import { CliError, ExitCode, UsageError } from './exit-codes.js';

/** Where the Envoy URL in use came from. */
export type UrlSource = 'flag' | 'env' | 'profile' | 'default';

/** The connection settings a command resolved. */
export interface Connection {
  /** Envoy URL. */
  url: string;
  /** Where {@link Connection.url} came from. */
  urlSource: UrlSource;
  /** Profile name. */
  profileName: string;
  /** The stored profile, when there is one. */
  profile: Profile | undefined;
  /** Account email, when known. */
  email: string | undefined;
  /** Access key, when known. */
  accessKey: string | undefined;
}

/** How a URL source reads in messages (`--url`, `GM_ENVOY_URL`, `the profile "work"`). */
export function describeUrlSource(source: UrlSource, profileName: string): string {
  switch (source) {
    case 'flag':
      return '--url';
    case 'env':
      return 'GM_ENVOY_URL';
    case 'profile':
      return `the profile "${profileName}"`;
    default:
      return 'the default';
  }
}

/**
 * Checks `url` by the client's own rule (an http(s) URL without user name, password, query or fragment); throws a
 * {@link UsageError} (exit 2) naming where it came from otherwise, any secret in it redacted. Returns the URL
 * without spaces around it or trailing slashes.
 */
export function checkUrl(url: string, from: string): string {
  try {
    // The client's own form of it: spaces around and trailing slashes dropped.
    return new EnvoyClient({ url }).url;
  } catch (error) {
    throw urlUsageError(error, url, from);
  }
}

/** The {@link UsageError} for a URL the client refused with `error`, or `error` itself when it is another. */
function urlUsageError(error: unknown, url: string, from: string): unknown {
  if (!(error instanceof InvalidRequestError)) return error;
  const problems = error.fieldErrors.filter((e) => e.field === 'options.url');
  if (problems.length === 0 || problems.length < error.fieldErrors.length) return error;
  // Each message starts with the URL as shown (quoted, redacted): name its source after the first, drop the rest.
  const quoted = /^"(?:[^"\\]|\\.)*" /;
  const [first, ...rest] = problems.map((p) => p.message);
  const text = [
    first!.replace(quoted, (q) => `${q}(from ${from}) `),
    ...rest.map((m) => m.replace(quoted, '')),
  ];
  return new UsageError(`The Envoy URL ${text.join('; it also ')}.`, {
    hint: urlHint(url, from),
    cause: error,
  });
}

/** What to do about a refused URL: `http://` in front of a bare address, or where the URL is given. */
function urlHint(url: string, from: string): string {
  let guess: URL | undefined;
  try {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) guess = new URL(`http://${url}`);
  } catch {}
  if (guess?.hostname && !guess.username && !guess.password) {
    return `Did you mean http://${url}? Envoy's URL looks like ${DEFAULT_ENVOY_URL}.`;
  }
  const where =
    from === '--url' || from === 'GM_ENVOY_URL'
      ? 'Pass --url (or GM_ENVOY_URL)'
      : `Fix ${from} or pass --url`;
  return `${where} as Envoy's address, such as ${DEFAULT_ENVOY_URL}.`;
}

/** Resolves URL and credentials (flags first, then `GM_*` environment variables, then the profile) without checks. */
export async function resolveConnectionUnchecked(ctx: Context): Promise<Connection> {
  const { globals, io } = ctx;
  const profileName = globals.profile || io.env.GM_PROFILE || DEFAULT_PROFILE;
  const profile = await getProfile(profileName, io.env);
  let url = DEFAULT_ENVOY_URL;
  let urlSource: UrlSource = 'default';
  if (globals.url) {
    url = globals.url;
    urlSource = ctx.sourceOf('url') === 'env' ? 'env' : 'flag';
  } else if (io.env.GM_ENVOY_URL) {
    url = io.env.GM_ENVOY_URL;
    urlSource = 'env';
  } else if (profile?.url) {
    url = profile.url;
    urlSource = 'profile';
  }
  return {
    url,
    urlSource,
    profileName,
    profile,
    email: globals.email || io.env.GM_EMAIL || profile?.email,
    accessKey: globals.accessKey || io.env.GM_ACCESS_KEY || profile?.accessKey,
  };
}

/** Resolves URL and credentials, and checks the URL (exit 2 when it is not an http(s) URL). */
export async function resolveConnection(ctx: Context): Promise<Connection> {
  const connection = await resolveConnectionUnchecked(ctx);
  connection.url = checkUrl(connection.url, describeUrlSource(connection.urlSource, connection.profileName));
  return connection;
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Fail with exit code 3 when there are no credentials (default true). */
  requireCredentials?: boolean;
  /** The client's time limit of one request, in milliseconds (default the client's). */
  timeoutMs?: number;
  /** The client's retries of reads (default the client's). */
  retries?: number;
}

/** Resolves the connection and builds a client for it. */
export async function connect(
  ctx: Context,
  options: ConnectOptions = {},
): Promise<{ client: EnvoyClient; connection: Connection }> {
  const connection = await resolveConnection(ctx);
  // The client checks the URL first: a URL it refuses is the problem to report, credentials or not.
  const timeoutMs = options.timeoutMs ?? timeoutOf(ctx.globals.timeout);
  const client = createClient(connection.url, connection.email, connection.accessKey, {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
  });
  if (options.requireCredentials !== false && (!connection.email || !connection.accessKey)) {
    throw new CliError(`No credentials for profile "${connection.profileName}".`, ExitCode.AUTH, {
      hint: 'Run `gm login`, or pass --email and --access-key (or set GM_EMAIL and GM_ACCESS_KEY).',
    });
  }
  return { client, connection };
}

/** The longest `--timeout`, in seconds: a day. */
const MAX_TIMEOUT_S = 86_400;

/** `--timeout` (seconds) in milliseconds; undefined when not given; a usage error (exit 2) when it is no time. */
export function timeoutOf(seconds: string | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  const n = Number(seconds);
  if (seconds.trim() === '' || !Number.isFinite(n) || n <= 0 || n > MAX_TIMEOUT_S) {
    throw new UsageError(
      `--timeout (or GM_TIMEOUT) must be a number of seconds from 0.001 to ${MAX_TIMEOUT_S}, not "${seconds}".`,
      {
        hint: 'For example --timeout 10: a request whose whole answer has not arrived after 10 s fails (exit 5).',
      },
    );
  }
  return Math.round(n * 1000);
}

/**
 * A client for `url` and the credentials; a URL the client refuses (not http(s), with a password or a query) is a
 * usage error (exit 2) that names `--url`, the secret in it redacted.
 */
export function createClient(
  url: string,
  email?: string,
  accessKey?: string,
  limits: Pick<EnvoyClientOptions, 'timeoutMs' | 'retries'> = {},
): EnvoyClient {
  try {
    return new EnvoyClient({
      url,
      ...(email ? { email } : {}),
      ...(accessKey ? { accessKey } : {}),
      ...limits,
    });
  } catch (error) {
    throw urlUsageError(error, url, '--url');
  }
}
