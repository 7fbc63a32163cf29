/**
 * Where a path written in a scene leads on this machine: `pathMap` prefixes, native absolute paths, foreign
 * absolute paths (a Windows drive path on Linux, a POSIX path on Windows), and paths relative to a folder.
 */
import nodePath from 'node:path';
import type { PathMap } from './types.js';

/** `node:path` for one platform: `path.posix` or `path.win32`. */
export type PathFlavour = typeof nodePath.posix;

/** The path flavour of this machine. */
export const NATIVE: PathFlavour = process.platform === 'win32' ? nodePath.win32 : nodePath.posix;

const DRIVE = /^[A-Za-z]:[\\/]/;
const UNC = /^[\\/]{2}[^\\/]+[\\/]/;

/** Whether `p` is absolute on some platform (a drive path, a UNC path, or a POSIX absolute path). */
export function isAnyAbsolute(p: string): boolean {
  return DRIVE.test(p) || UNC.test(p) || p.startsWith('/');
}

/** Whether `p` is an absolute path of this flavour's own platform. */
export function isNativeAbsolute(p: string, flavour: PathFlavour): boolean {
  if (flavour === nodePath.win32) return DRIVE.test(p) || UNC.test(p);
  return p.startsWith('/') && !p.startsWith('//');
}

function slashes(p: string): string {
  return p.replace(/\\/g, '/');
}

/** A `pathMap` as a list of `[from, to]`, longest `from` first. */
export function mapEntries(map: PathMap | undefined): [string, string][] {
  if (!map) return [];
  const entries: [string, string][] = Array.isArray(map)
    ? (map as readonly (readonly [string, string])[]).map(([a, b]) => [a, b])
    : Object.entries(map as Record<string, string>);
  return entries.filter(([from]) => from.length > 0).sort((a, b) => b[0].length - a[0].length);
}

/** Applies the first matching `pathMap` entry to `p`; `undefined` when none matches. */
export function applyPathMap(
  p: string,
  entries: readonly (readonly [string, string])[],
  flavour: PathFlavour,
): { path: string; from: string } | undefined {
  const written = slashes(p);
  for (const [from, to] of entries) {
    let prefix = slashes(from);
    if (!prefix.endsWith('/')) prefix += '/';
    const caseless = DRIVE.test(prefix) || UNC.test(prefix);
    const subject = caseless ? written.toLowerCase() : written;
    const wanted = caseless ? prefix.toLowerCase() : prefix;
    let rest: string | undefined;
    if (subject.startsWith(wanted)) rest = written.slice(prefix.length);
    else if (subject === wanted.slice(0, -1)) rest = '';
    if (rest === undefined) continue;
    const parts = rest.split('/').filter((s) => s !== '' && s !== '.');
    return { path: flavour.resolve(to, ...parts), from };
  }
  return undefined;
}

/** The outcome of resolving one written path. */
export interface Resolution {
  /** Candidate absolute paths, best first (the first that exists wins); empty when unresolvable. */
  candidates: string[];
  /** Why the path cannot be resolved here. */
  unresolved?: string;
  /** The `pathMap` prefix applied. */
  mappedFrom?: string;
}

/**
 * Resolves `p` (relative paths against `baseDir`, then `alsoFrom`, then `projectFolder`), after `pathMap`. A foreign absolute
 * path no entry covers is unresolved, with a message that names the fix.
 */
export function resolvePath(
  p: string,
  baseDir: string,
  options: {
    pathMap: readonly (readonly [string, string])[];
    projectFolder?: string | undefined;
    alsoFrom?: string | undefined;
  },
  flavour: PathFlavour = NATIVE,
): Resolution {
  const mapped = applyPathMap(p, options.pathMap, flavour);
  if (mapped) return { candidates: [mapped.path], mappedFrom: mapped.from };
  if (isNativeAbsolute(p, flavour)) {
    const native = flavour === nodePath.win32 ? p.replace(/\//g, '\\') : p;
    return { candidates: [flavour.normalize(native)] };
  }
  if (isAnyAbsolute(p)) {
    return {
      candidates: [],
      unresolved: `absolute path of another machine: add a pathMap entry mapping its folder (such as "${foreignRoot(p)}") onto a local folder`,
    };
  }
  const parts = slashes(p)
    .split('/')
    .filter((s) => s !== '');
  const candidates = [flavour.resolve(baseDir, ...parts)];
  for (const folder of [options.alsoFrom, options.projectFolder]) {
    if (folder === undefined) continue;
    const candidate = flavour.resolve(folder, ...parts);
    if (!candidates.includes(candidate)) candidates.push(candidate);
  }
  return { candidates };
}

function foreignRoot(p: string): string {
  const sep = p.includes('\\') ? '\\' : '/';
  const parts = p.split(/[\\/]/);
  // C:\proj\... -> C:\proj\ ; /mnt/proj/... -> /mnt/proj/ ; \\server\share\... -> \\server\share\
  if (UNC.test(p)) return `${sep}${sep}${parts.slice(2, 4).join(sep)}${sep}`;
  if (DRIVE.test(p)) return `${parts.slice(0, 2).join(sep)}${sep}`;
  return `${parts.slice(0, 3).join(sep)}${sep}`;
}

/** Whether `file` is `folder` itself or inside it (by path form: no disk access). */
export function isInside(folder: string, file: string, flavour: PathFlavour = NATIVE): boolean {
  const rel = flavour.relative(folder, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${flavour.sep}`) && !flavour.isAbsolute(rel));
}
