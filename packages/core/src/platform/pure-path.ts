/**
 * Path flavours (posix and win32) written without `node:path`, for runtimes that have none (browsers, plugin
 * panels, workers). They answer as `node:path` does for the calls `Project` and `WatchFile` make (`resolve`,
 * `relative`, `join`, `basename`, `isAbsolute`); a relative path resolves from the root `/` (there is no working
 * directory). Tested against `node:path` in test/pure-path.test.ts.
 */
import type { PathFlavour } from '../paths.js';

interface Parsed {
  /** `C:`, `\\server\share`, or `''`. */
  device: string;
  /** Starts at a root (a separator after the device, or a UNC share). */
  absolute: boolean;
  /** The segments after the root, as written (empty ones and `.` removed). */
  segments: string[];
  /** Ends with a separator. */
  trailing: boolean;
}

function makeFlavour(sep: '/' | '\\'): PathFlavour {
  const isSep = sep === '/' ? (c: string) => c === '/' : (c: string) => c === '/' || c === '\\';
  const split = sep === '/' ? /\/+/ : /[\\/]+/;

  function parse(path: string): Parsed {
    let device = '';
    let rest = path;
    let absolute = false;
    if (sep === '\\') {
      const unc = /^[\\/]{2}([^\\/]+)[\\/]+([^\\/]+)/.exec(path);
      if (unc) {
        device = `\\\\${unc[1]}\\${unc[2]}`;
        rest = path.slice(unc[0].length);
        absolute = true;
      } else if (/^[a-zA-Z]:/.test(path)) {
        device = path.slice(0, 2);
        rest = path.slice(2);
      }
    }
    if (rest.length > 0 && isSep(rest[0] as string)) absolute = true;
    return {
      device,
      absolute,
      segments: rest.split(split).filter((s) => s !== '' && s !== '.'),
      trailing: rest.length > 0 && isSep(rest[rest.length - 1] as string),
    };
  }

  /** Applies `..`: above a root it is dropped, at the start of a relative path it is kept. */
  function collapse(segments: readonly string[], absolute: boolean): string[] {
    const out: string[] = [];
    for (const s of segments) {
      if (s !== '..') out.push(s);
      else if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    }
    return out;
  }

  function format(device: string, absolute: boolean, segments: readonly string[]): string {
    return `${device}${absolute ? sep : ''}${segments.join(sep)}`;
  }

  function normalize(path: string): string {
    if (path === '') return '.';
    const p = parse(path);
    const segments = collapse(p.segments, p.absolute);
    if (segments.length === 0 && !p.absolute) return `${p.device}.${p.trailing ? sep : ''}`;
    return format(p.device, p.absolute, segments) + (segments.length > 0 && p.trailing ? sep : '');
  }

  function resolveParsed(paths: readonly string[]): { device: string; segments: string[] } {
    let device = '';
    let absolute = false;
    let segments: string[] = [];
    for (let i = paths.length - 1; i >= 0 && !(absolute && (sep === '/' || device !== '')); i--) {
      const path = paths[i] as string;
      if (path === '') continue;
      const p = parse(path);
      if (p.device !== '' && device !== '' && p.device.toLowerCase() !== device.toLowerCase()) continue;
      if (device === '') device = p.device;
      if (!absolute) {
        segments = [...p.segments, ...segments];
        absolute = p.absolute;
      }
    }
    return { device, segments: collapse(segments, true) };
  }

  function resolve(...paths: string[]): string {
    const { device, segments } = resolveParsed(paths);
    return format(device, true, segments);
  }

  return {
    sep,
    isAbsolute: (path) =>
      path.length > 0 && (isSep(path[0] as string) || (sep === '\\' && /^[a-zA-Z]:[\\/]/.test(path))),
    resolve,
    join: (...paths) => normalize(paths.filter((p) => p !== '').join(sep)),
    basename(path) {
      const names = (sep === '\\' ? path.replace(/^[a-zA-Z]:/, '') : path)
        .split(split)
        .filter((s) => s !== '');
      return names[names.length - 1] ?? '';
    },
    relative(from, to) {
      const a = resolveParsed([from]);
      const b = resolveParsed([to]);
      const same = (x: string, y: string) => (sep === '\\' ? x.toLowerCase() === y.toLowerCase() : x === y);
      if (!same(a.device, b.device)) return format(b.device, true, b.segments);
      let common = 0;
      while (
        common < a.segments.length &&
        common < b.segments.length &&
        same(a.segments[common] as string, b.segments[common] as string)
      ) {
        common++;
      }
      return [...a.segments.slice(common).map(() => '..'), ...b.segments.slice(common)].join(sep);
    },
  };
}

/** Posix paths without `node:path`. */
export const purePosix: PathFlavour = makeFlavour('/');
/** Windows paths without `node:path`. */
export const pureWin32: PathFlavour = makeFlavour('\\');
