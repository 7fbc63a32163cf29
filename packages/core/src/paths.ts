/**
 * Pure path logic, parameterised by the path flavour (`node:path` posix or win32) so Windows projects can be
 * handled and tested on any machine. Local paths stay native; remote paths always use forward slashes.
 */
import nodePath from 'node:path';

/** A `node:path` flavour: `path.posix` or `path.win32`. */
export type PathFlavour = typeof nodePath.posix;

/** The path flavour a local root is written in: a drive letter or UNC prefix means win32, `/` posix, else native. */
export function flavourOf(localPath: string): PathFlavour {
  if (/^[a-zA-Z]:/.test(localPath) || localPath.startsWith('\\\\')) return nodePath.win32;
  if (localPath.startsWith('/')) return nodePath.posix;
  return nodePath;
}

/** The absolute, normalised form of a local folder, without a trailing separator (except a root). */
export function absoluteLocal(localPath: string, flavour: PathFlavour = flavourOf(localPath)): string {
  return flavour.resolve(localPath);
}

/**
 * The path of `target` relative to `root` in forward slashes, or `undefined` when `target` is not inside `root`
 * (or is `root` itself, which gives `''`). Both are resolved first; a relative `target` is taken from `base`.
 */
export function relativeInside(
  root: string,
  target: string,
  flavour: PathFlavour,
  base: string = root,
): string | undefined {
  const absRoot = flavour.resolve(root);
  const absTarget = flavour.resolve(base, target);
  const rel = flavour.relative(absRoot, absTarget);
  if (rel === '') return '';
  if (flavour.isAbsolute(rel)) return undefined; // another drive on Windows
  const parts = rel.split(flavour.sep);
  if (parts[0] === '..') return undefined;
  return parts.join('/');
}

/** Joins remote path segments with forward slashes, collapsing repeated slashes. */
export function remoteJoin(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .join('/')
    .replace(/\/{2,}/g, '/');
}

/** Normalises a remote folder: forward slashes, a leading slash, no trailing slash, `.` segments removed. */
export function normaliseRemote(remote: string): string {
  const segments = remote
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  return `/${segments.join('/')}`;
}

const INVALID_NAME_CHARS = /[/\\:*?"<>|\u0000-\u001f]/;

/** Why `name` is not a valid folder name on Windows and POSIX, or `undefined` when it is. */
export function folderNameProblem(name: string): string | undefined {
  if (name === '') return 'must not be empty';
  if (name === '.' || name === '..') return `must not be "${name}"`;
  const bad = INVALID_NAME_CHARS.exec(name);
  if (bad) {
    const shown = bad[0].charCodeAt(0) < 32 ? `control character ${bad[0].charCodeAt(0)}` : `"${bad[0]}"`;
    return `"${name}" is not a valid folder name: it contains ${shown} (not allowed: / \\ : * ? " < > |)`;
  }
  if (/[. ]$/.test(name)) return `"${name}" is not a valid folder name: it ends with a dot or a space`;
  return undefined;
}

/** Makes any text a valid folder name: forbidden characters become `_`, trailing dots and spaces are dropped. */
export function toFolderName(text: string): string {
  const cleaned = text
    .replace(/[/\\:*?"<>|\u0000-\u001f]/g, '_')
    .replace(/[. ]+$/, '')
    .trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}
