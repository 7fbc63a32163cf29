/**
 * Pure path logic, parameterised by the path flavour (posix or win32) so Windows projects can be handled and
 * tested on any machine. Local paths stay native; remote paths always use forward slashes. No Node built-in is
 * imported here: the flavours come from the runtime's platform module (`node:path` in Node, pure ones elsewhere).
 */
import { flavours } from '#platform';

/**
 * The calls of a path flavour that the client makes: `path.posix` or `path.win32` of `node:path` fit it, and so do
 * the pure flavours used where there is no `node:path`.
 */
export interface PathFlavour {
  /** The separator: `/` or `\`. */
  readonly sep: '/' | '\\';
  /** Whether `path` starts at a root. */
  isAbsolute(path: string): boolean;
  /** The absolute, normalised path the segments lead to, right to left, as `path.resolve`. */
  resolve(...paths: string[]): string;
  /** The path from `from` to `to`, as `path.relative`. */
  relative(from: string, to: string): string;
  /** The segments joined and normalised, as `path.join`. */
  join(...paths: string[]): string;
  /** The last segment of `path`, as `path.basename`. */
  basename(path: string): string;
}

/** The path flavours of a runtime: posix, win32, and its native one. */
export interface PathFlavours {
  /** Posix paths. */
  readonly posix: PathFlavour;
  /** Windows paths. */
  readonly win32: PathFlavour;
  /** The runtime's own (posix where there is no operating system's path). */
  readonly native: PathFlavour;
}

/**
 * The flavour `localPath` is written in, from `set`: a drive letter or UNC prefix means win32, `/` posix, else the
 * native one.
 */
export function pickFlavour(localPath: string, set: PathFlavours): PathFlavour {
  if (/^[a-zA-Z]:/.test(localPath) || localPath.startsWith('\\\\')) return set.win32;
  if (localPath.startsWith('/')) return set.posix;
  return set.native;
}

/** The path flavour a local root is written in: a drive letter or UNC prefix means win32, `/` posix, else native. */
export function flavourOf(localPath: string): PathFlavour {
  return pickFlavour(localPath, flavours);
}

/**
 * "Inside the project folder", the one rule `Project.addFiles` and `Project.addFileList` place files by, for a
 * caller that names a project file before it has a `Project` (`gm` checking a job file's `file`): `file`
 * (relative to `localRoot`, or absolute) as its path below the project folder in forward slashes (its remote path
 * below the project's remote root), `''` for the folder itself, or `undefined` when it lies outside (`..`, another
 * folder or drive). Internal to the `@gm` packages (`@gm/core/internal`).
 */
export function projectRelative(localRoot: string, file: string): string | undefined {
  return relativeInside(localRoot, file, flavourOf(localRoot));
}

/**
 * "Inside the project" for a path in the remote store, by the same rule as {@link projectRelative}: `remote`
 * (absolute, or relative to the store's root as the Python client writes it: `shot/scene.blend`) as its path
 * below `remoteRoot` (`/shot`) in forward slashes, `''` for the root itself, or `undefined` when it lies outside.
 * The one check that a job's file, or a file a job names, is a file of its project. Internal to the `@gm`
 * packages (`@gm/core/internal`).
 */
export function remoteRelative(remoteRoot: string, remote: string): string | undefined {
  return relativeInside(remoteRoot, normaliseRemote(remote), flavours.posix);
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

/** A control character, or half of a surrogate pair (a string cut inside an emoji), which no URL can carry. */
const CONTROL = /[\u0000-\u001f\u007f]|\p{Cs}/u;
const STRICT_CHARS = /[<>:"|?*]/;
const DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
const encoder = new TextEncoder();

/**
 * Why `text` cannot hold its control character (U+0000-U+001F, U+007F) or lone surrogate (half of a character), or
 * `undefined` when it has none.
 */
export function controlCharacterProblem(text: string): string | undefined {
  const control = CONTROL.exec(text);
  if (!control) return undefined;
  const code = control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase();
  return `${JSON.stringify(text)} contains U+${code}, a control or half character: remove it`;
}

/** Options of {@link remoteFileProblem}. */
export interface RemoteFileRules {
  /** An example to show in messages, such as `"/my_project/scene.blend"`. Default `"/my_project/scene.blend"`. */
  example?: string;
  /** Only the absolute form (`/my_project/remap.xml`) is accepted, not the relative one. */
  absolute?: boolean;
}

/**
 * Why `path` is not a file of a project in the remote store, or `undefined` when it is: forward slashes, below a
 * project folder (`<project>/<file>`, at least two segments), written relative (`shot/scene.blend`, as the Python
 * client's documentation writes it) or absolute (`/shot/scene.blend`), with no empty, `.` or `..` segment and no
 * control character. The one rule of job files (core's `Job`, the product builders) and remote files a job names.
 */
export function remoteFileProblem(path: unknown, rules: RemoteFileRules = {}): string | undefined {
  const example = rules.example ?? '"/my_project/scene.blend"';
  if (typeof path !== 'string' || path.trim() === '') {
    return `is required: a file of the project in the remote store, e.g. ${example} (got ${describeValue(path)})`;
  }
  const control = controlCharacterProblem(path);
  if (control) return control;
  if (path.includes('\\')) {
    return `must use forward slashes, e.g. ${example} (got ${JSON.stringify(path)}): remote paths are not local ones`;
  }
  const segments = (path.startsWith('/') ? path.slice(1) : path).split('/');
  if (
    (rules.absolute && !path.startsWith('/')) ||
    segments.length < 2 ||
    segments.some((s) => s === '' || s === '.' || s === '..')
  ) {
    return `must be a remote path under the project folder, "/<project name>/<file>"${rules.absolute ? '' : ' or "<project name>/<file>"'}, e.g. ${example} (got ${JSON.stringify(path)})`;
  }
  return undefined;
}

/** Options of {@link fileNameProblem}. */
export interface FileNameRules {
  /** Also refuse `< > : " | ? *` (output prefixes and results folder names); submission names may hold `:`. */
  strict?: boolean;
}

/**
 * Why `name` cannot become one file or folder name on Windows, macOS and Linux, or `undefined` when it can: 1 to
 * 200 UTF-8 bytes, no control character, no `/` or `\`, not `.` or `..`, no trailing space or dot, not a Windows
 * device name (`CON`, `nul.txt`, `COM1`, ...). With `strict`, also none of `< > : " | ? *`.
 */
export function fileNameProblem(name: unknown, rules: FileNameRules = {}): string | undefined {
  if (typeof name !== 'string') return `must be a string (got ${describeValue(name)})`;
  if (name === '') return 'must not be empty';
  const bytes = encoder.encode(name).length;
  if (bytes > 200) return `is ${bytes} bytes long in UTF-8; at most 200 are allowed: shorten it`;
  if (name === '.' || name === '..') return `must not be "${name}": give a real name`;
  const control = controlCharacterProblem(name);
  if (control) return control;
  const slash = /[/\\]/.exec(name);
  if (slash) return `${JSON.stringify(name)} contains "${slash[0]}": one name cannot hold a folder separator`;
  if (rules.strict) {
    const bad = STRICT_CHARS.exec(name);
    if (bad) return `${JSON.stringify(name)} contains "${bad[0]}": none of < > : " | ? * may be used`;
  }
  if (/[. ]$/.test(name)) return `${JSON.stringify(name)} ends with a dot or a space: remove it`;
  if (DEVICE.test(name)) return `${JSON.stringify(name)} is a Windows device name: choose another name`;
  return undefined;
}

/**
 * Why `name` cannot name a project, or `undefined`: the strict {@link fileNameProblem} rule, as for results folders.
 * A project's name is its remote root folder's name, and Envoy makes folders of it on the user's machine (Windows
 * among them, where none of `< > : " | ? *` may be in a file name): `a:b` would be a project whose files cannot be
 * downloaded there. The job file schema and the emulator apply the same rule.
 */
export function projectNameProblem(name: unknown): string | undefined {
  return fileNameProblem(name, { strict: true });
}

/** Why `name` is not a valid results folder name (the strict {@link fileNameProblem} rule), or `undefined`. */
export function folderNameProblem(name: unknown): string | undefined {
  return fileNameProblem(name, { strict: true });
}

/**
 * Makes any text a valid strict file name: forbidden and control characters become `_`, trailing dots and
 * spaces are dropped, a device name (before or after dropping them) gets a leading `_`, and the result is cut to
 * 200 UTF-8 bytes.
 */
export function toFolderName(text: string): string {
  let cleaned = text.replace(/[/\\:*?"<>|\u0000-\u001f\u007f]/g, '_').trim();
  if (DEVICE.test(cleaned)) cleaned = `_${cleaned}`;
  // At most 200 bytes, cut on a code point boundary.
  const points = [...cleaned];
  while (encoder.encode(cleaned).length > 200) {
    points.pop();
    cleaned = points.join('');
  }
  cleaned = cleaned.replace(/[. ]+$/, '');
  // Dropping the end can leave a device name (`con .` becomes `con`); it is short, so the `_` fits.
  if (DEVICE.test(cleaned)) cleaned = `_${cleaned}`;
  return cleaned === '' ? '_' : cleaned;
}

/** A short description of any value for messages: strings quoted, objects by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return `a ${typeof value}`;
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
