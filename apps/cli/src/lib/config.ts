/**
 * Named profiles (email, access key, Envoy URL) stored in the user's config folder as `profiles.json`, mode 0600.
 * The folder and the file must be the user's own and writable by no one else (as ssh judges `~/.ssh`), else they
 * are refused before anything is read from them or sent.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { privacyProblem } from '@gm/core/node';
import { UsageError } from './exit-codes.js';

/** The profile used when `--profile` is not given. */
export const DEFAULT_PROFILE = 'default';

/** One stored profile. */
export interface Profile {
  /** The account's email address. */
  email: string;
  /** The account's access key. */
  accessKey: string;
  /** The Envoy URL this profile talks to, when not the default. */
  url?: string;
}

/** The contents of `profiles.json`. */
export interface ProfilesFile {
  /** Profiles by name. */
  profiles: Record<string, Profile>;
}

/**
 * The folder `gm` keeps its configuration in: `GM_CONFIG_DIR` when set; `%APPDATA%\gm` on Windows;
 * otherwise `$XDG_CONFIG_HOME/gm` (when absolute, as the XDG rules ask) or `~/.config/gm`.
 */
export function configDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.GM_CONFIG_DIR) return env.GM_CONFIG_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'gm');
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), 'gm');
}

/** The path of `profiles.json`. */
export function profilesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'profiles.json');
}

/**
 * Refuses `path` (when it exists) unless it is the user's (or root's) and not writable by group or others: another
 * local user could otherwise change the profiles, and with them the URL the credentials are posted to. POSIX only.
 *
 * @throws {@link UsageError} naming the path and the fix (`chmod go-w`, `chown`)
 */
export function checkPrivate(path: string, kind: 'folder' | 'file'): void {
  let problem: ReturnType<typeof privacyProblem>;
  try {
    // Followed: a config folder may be a link into the user's dotfiles; what it leads to is judged.
    problem = privacyProblem(path, { kind, follow: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!problem) return;
  throw new UsageError(
    `gm will not use ${path}: it ${problem.problem}, so another local user could change the profiles and the URL your credentials are sent to.`,
    {
      hint: `Fix: ${problem.fix}. gm's config folder and profiles.json must be yours and not writable by group or others (as ssh requires of ~/.ssh; not checked on Windows).`,
    },
  );
}

/** Reads `profiles.json`; an absent file gives no profiles. The folder and the file are checked first ({@link checkPrivate}). */
export async function readProfiles(env: NodeJS.ProcessEnv = process.env): Promise<ProfilesFile> {
  const path = profilesPath(env);
  checkPrivate(configDir(env), 'folder');
  checkPrivate(path, 'file');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: Object.create(null) };
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ProfilesFile>;
    // No prototype: a profile may be named `__proto__` like any other name.
    const profiles = Object.create(null) as Record<string, Profile>;
    if (parsed.profiles && typeof parsed.profiles === 'object') Object.assign(profiles, parsed.profiles);
    return { profiles };
  } catch (cause) {
    throw new UsageError(`The profiles file ${path} is not valid JSON.`, {
      hint: 'Fix or delete it, then run `gm login` again.',
      cause,
    });
  }
}

/** Writes `profiles.json` atomically (a temporary file renamed over it) with mode 0600. */
export async function writeProfiles(
  file: ProfilesFile,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  checkPrivate(dir, 'folder');
  const path = join(dir, 'profiles.json');
  const temp = join(dir, `.profiles.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, path);
    await chmod(path, 0o600);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return path;
}

/** Reads one profile by name; undefined when absent. */
export async function getProfile(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Profile | undefined> {
  const file = await readProfiles(env);
  return Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined;
}

/** Stores (adds or replaces) one profile. Returns the path written. */
export async function saveProfile(
  name: string,
  profile: Profile,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const file = await readProfiles(env);
  file.profiles[name] = profile;
  return writeProfiles(file, env);
}

/** Removes one profile. Returns whether it existed. */
export async function removeProfile(name: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const file = await readProfiles(env);
  if (!Object.hasOwn(file.profiles, name)) return false;
  delete file.profiles[name];
  await writeProfiles(file, env);
  return true;
}
