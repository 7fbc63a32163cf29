/**
 * A small cache of the values shell completion offers (project names, machine types, product types), so that a
 * tab press does not ask Envoy each time. One JSON file in the user's cache folder, mode 0600, entries by key with
 * the time they were written; a broken or foreign file (another user's, writable by others, a link) is ignored and
 * replaced, and a cache folder that is not the user's own is neither read nor written.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { privacyProblem } from '@gm/core/node';

/** The most entries the cache keeps (the newest). */
const MAX_ENTRIES = 64;

/**
 * The folder `gm` keeps caches in: `GM_CACHE_DIR` when set; `%LOCALAPPDATA%\gm\Cache` on Windows;
 * `~/Library/Caches/gm` on macOS; otherwise `$XDG_CACHE_HOME/gm` (when absolute, as the XDG rules ask) or
 * `~/.cache/gm`.
 */
export function cacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.GM_CACHE_DIR) return env.GM_CACHE_DIR;
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'gm', 'Cache');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'gm');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'gm');
}

/** Whether `path` is absent or the user's own and writable by no one else (a folder may be a link to one). */
function own(path: string, kind: 'folder' | 'file'): boolean {
  try {
    return privacyProblem(path, { kind, follow: kind === 'folder' }) === undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

type Entries = Record<string, { at: number; values: string[] }>;

async function readEntries(file: string): Promise<Entries> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    const entries: Entries = Object.create(null);
    if (!parsed || typeof parsed !== 'object') return entries;
    for (const [key, entry] of Object.entries(parsed as Record<string, unknown>)) {
      const e = entry as { at?: unknown; values?: unknown };
      if (
        typeof e?.at === 'number' &&
        Array.isArray(e.values) &&
        e.values.every((v) => typeof v === 'string')
      ) {
        entries[key] = { at: e.at, values: e.values as string[] };
      }
    }
    return entries;
  } catch {
    return Object.create(null);
  }
}

/**
 * The values cached under `key` when they are younger than `maxAgeMs`; otherwise `load()`'s, which are then
 * cached (best effort: a cache that cannot be written is no error).
 */
export async function cachedValues(
  env: NodeJS.ProcessEnv,
  key: string,
  maxAgeMs: number,
  load: () => Promise<string[]>,
  now: () => number = Date.now,
): Promise<string[]> {
  const dir = cacheDir(env);
  const file = join(dir, 'completion.json');
  // Values another local user planted would be offered at the prompt: only the user's own file is read.
  const entries: Entries =
    own(dir, 'folder') && own(file, 'file') ? await readEntries(file) : Object.create(null);
  const hit = entries[key];
  if (hit && now() - hit.at >= 0 && now() - hit.at < maxAgeMs) return hit.values;
  const values = await load();
  entries[key] = { at: now(), values };
  const kept = Object.fromEntries(
    Object.entries(entries)
      .sort(([, a], [, b]) => b.at - a.at)
      .slice(0, MAX_ENTRIES),
  );
  const temp = join(dir, `.completion.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!own(dir, 'folder')) return values;
    await writeFile(temp, JSON.stringify(kept), { mode: 0o600 });
    await rename(temp, file);
  } catch {
    await rm(temp, { force: true }).catch(() => {});
  }
  return values;
}
