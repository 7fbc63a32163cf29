/**
 * Builds the `EnvoyClient` a command uses from flags, environment variables and the stored profile.
 *
 * @module
 */
import { DEFAULT_ENVOY_URL, EnvoyClient, InvalidRequestError } from '@gm/core';
import { DEFAULT_PROFILE, getProfile, type Profile } from './config.js';
import type { Context } from './context.js';
import { CliError, ExitCode, UsageError } from './exit-codes.js';

/** The connection settings a command resolved. */
export interface Connection {
  /** Envoy URL. */
  url: string;
  /** Profile name. */
  profileName: string;
  /** The stored profile, when there is one. */
  profile: Profile | undefined;
  /** Account email, when known. */
  email: string | undefined;
  /** Access key, when known. */
  accessKey: string | undefined;
}

/** Resolves URL and credentials: flags first, then `GM_*` environment variables, then the profile. */
export async function resolveConnection(ctx: Context): Promise<Connection> {
  const { globals, io } = ctx;
  const profileName = globals.profile || io.env.GM_PROFILE || DEFAULT_PROFILE;
  const profile = await getProfile(profileName, io.env);
  return {
    url: globals.url || io.env.GM_ENVOY_URL || profile?.url || DEFAULT_ENVOY_URL,
    profileName,
    profile,
    email: globals.email || io.env.GM_EMAIL || profile?.email,
    accessKey: globals.accessKey || io.env.GM_ACCESS_KEY || profile?.accessKey,
  };
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Fail with exit code 3 when there are no credentials (default true). */
  requireCredentials?: boolean;
}

/** Resolves the connection and builds a client for it. */
export async function connect(
  ctx: Context,
  options: ConnectOptions = {},
): Promise<{ client: EnvoyClient; connection: Connection }> {
  const connection = await resolveConnection(ctx);
  if (options.requireCredentials !== false && (!connection.email || !connection.accessKey)) {
    throw new CliError(`No credentials for profile "${connection.profileName}".`, ExitCode.AUTH, {
      hint: 'Run `gm login`, or pass --email and --access-key (or set GM_EMAIL and GM_ACCESS_KEY).',
    });
  }
  const client = createClient(connection.url, connection.email, connection.accessKey);
  return { client, connection };
}

/**
 * A client for `url` and the credentials; a URL the client refuses (not http(s), with a password or a query) is a
 * usage error (exit 2) that names `--url`, the secret in it redacted.
 */
export function createClient(url: string, email?: string, accessKey?: string): EnvoyClient {
  try {
    return new EnvoyClient({ url, ...(email ? { email } : {}), ...(accessKey ? { accessKey } : {}) });
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    const [first, ...rest] = error.fieldErrors;
    if (first?.field !== 'options.url' || rest.length > 0) throw error;
    throw new UsageError(`The Envoy URL ${first.message}.`, {
      hint: "Pass --url (or GM_ENVOY_URL) as Envoy's address, such as http://localhost:8090.",
      cause: error,
    });
  }
}
