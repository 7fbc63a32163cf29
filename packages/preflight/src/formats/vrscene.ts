/**
 * V-Ray `.vrscene` files: `#include "file"` lines (included files are read too, each once), and the file
 * parameters of plugins (`file=` of BitmapBuffer, GeomMeshFile and the like, `ies_file=` of LightIES, ...).
 * `Settings*` plugins are skipped: their file parameters name outputs (images, light and irradiance caches).
 */
import nodePath from 'node:path';
import { DEFAULT_LIMITS } from '../limits.js';
import type { ReferenceKind, ScanLimits, SceneSettings } from '../types.js';
import { type FormatResult, kindByExtension, type RawReference } from './common.js';
import { lines, textChunks } from './text.js';

/**
 * File parameters, by the names of Chaos' plugin descriptions: `file` (BitmapBuffer, GeomMeshFile), `ies_file`
 * (LightIES), `ptex_file` (TexPtex), `cache_path` (PhxShaderCache), `filepath`/`override_filepath` (VRayScene),
 * `shader_file` (TexOSL, MtlOSL), `material_assignments_file` (GeomMeshFile), and the like.
 */
const FILE_PARAM =
  /^(?:file|\w+_file|file_?name|\w+_filename|\w*file_?path|cache_path|input_cache_path|ies_file|ptex_file)$/i;

/**
 * Settings plugins that read a file in one mode (`mode=2`, "from file"): a light cache or irradiance map
 * calculated before. In their other modes the file is what V-Ray writes. Every other `Settings*` file parameter
 * is an output.
 */
const SETTINGS_INPUTS: Record<string, { param: string; modes: string[] }> = {
  SettingsLightCache: { param: 'file', modes: ['2'] },
  SettingsIrradianceMap: { param: 'file', modes: ['2'] },
};

/** Lines longer than this hold data (mesh arrays), not file parameters: they are skipped with a note. */
const MAX_LINE = 64 * 1024;

function pluginKind(plugin: string): ReferenceKind {
  if (/^(Bitmap|Tex)/.test(plugin)) return 'texture';
  if (/^GeomMeshFile|Proxy|Alembic/i.test(plugin)) return 'cache';
  if (/Volume|Phoenix|Grid/i.test(plugin)) return 'volume';
  if (/^(Light|IES)/i.test(plugin)) return 'other';
  return 'other';
}

/**
 * Reads a .vrscene file, a line at a time, and the files it includes (each once, at most `limits.maxLibraries`,
 * nested at most `limits.maxLibraryDepth` deep); lists includes and file parameters. Lines longer than parameters
 * are written are passed over as they stream by.
 */
export async function readVrscene(file: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<FormatResult> {
  const references: RawReference[] = [];
  const notes: string[] = [];
  const visited = new Set<string>();
  let plugins = 0;
  let dropped = 0;
  const push = (ref: RawReference) => {
    if (references.length < limits.maxReferences) references.push(ref);
    else dropped++;
  };
  let output: { name: string; params: Map<string, { value: string; line: number }> } | undefined;
  /** A Settings plugin read to its end: an input it reads in its mode, or the job's output settings. */
  const settingsEnd = (
    plugin: { type: string; name: string },
    params: Map<string, { value: string; line: number }>,
    current: string,
    baseDir: string,
  ) => {
    if (plugin.type === 'SettingsOutput' && output === undefined) output = { name: plugin.name, params };
    const input = SETTINGS_INPUTS[plugin.type];
    const file = input && params.get(input.param);
    const mode = params.get('mode')?.value.trim();
    if (!input || !file || mode === undefined || !input.modes.includes(mode)) return;
    const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(file.value.trim());
    if (!quoted || quoted[1] === '') return;
    push({
      path: quoted[1]!.replace(/\\(.)/g, '$1'),
      baseDir,
      kind: 'cache',
      location: {
        file: current,
        type: 'node',
        name: `${plugin.type} ${plugin.name}.${input.param}`,
        line: file.line,
      },
    });
  };
  const read = async (current: string, depth: number) => {
    visited.add(current);
    const baseDir = nodePath.dirname(current);
    const includes: string[] = [];
    let plugin: { type: string; name: string } | undefined;
    let skipSettings = false;
    /** A Settings plugin's scalar parameters (short lines only), read when the block ends. */
    let settingsParams = new Map<string, { value: string; line: number }>();
    for await (const batch of lines(
      textChunks(current, 'V-Ray scene'),
      Math.min(MAX_LINE, limits.maxRecordLength),
    ))
      for (const record of batch) {
        const line = record.line;
        const raw = record.text ?? record.head;
        const content =
          record.text === undefined ? `${record.head.trim()} ${record.tail.trim()}` : raw.trim();
        const include = /^#include\s+"([^"]*)"/.exec(content);
        if (include) {
          push({
            path: include[1]!,
            baseDir,
            kind: 'include',
            location: { file: current, type: 'line', name: '#include', line },
          });
          includes.push(include[1]!);
        } else if (!content.startsWith('//') && !content.startsWith('#')) {
          const head = /^([A-Za-z_]\w*)\s+([^\s{]+)\s*\{/.exec(content);
          if (head && !plugin) {
            plugin = { type: head[1]!, name: head[2]! };
            plugins++;
            skipSettings = head[1]!.startsWith('Settings');
          }
          if (plugin && skipSettings && record.text !== undefined && settingsParams.size < 256) {
            for (const m of content.matchAll(/([A-Za-z_]\w*)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*);/g))
              settingsParams.set(m[1]!, { value: m[2]!, line });
          }
          if (plugin && !skipSettings && record.text === undefined) {
            notes.push(
              `${current} line ${line}: ${record.length} characters, longer than parameters are written: not read`,
            );
          } else if (plugin && !skipSettings) {
            for (const m of content.matchAll(/([A-Za-z_]\w*)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*);/g)) {
              const param = m[1]!;
              if (!FILE_PARAM.test(param)) continue;
              const value = m[2]!;
              const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
              const location = {
                file: current,
                type: 'node' as const,
                name: `${plugin.type} ${plugin.name}.${param}`,
                line,
              };
              if (!quoted) {
                if (/"/.test(value)) {
                  push({
                    path: value,
                    baseDir,
                    kind: pluginKind(plugin.type),
                    location,
                    unresolved: 'set by an animated or computed value: evaluate it in V-Ray',
                  });
                }
                continue;
              }
              const path = quoted[1]!.replace(/\\(.)/g, '$1');
              if (path === '') continue;
              push({
                path,
                baseDir,
                kind: kindByExtension(path, param === 'shader_file' ? 'other' : pluginKind(plugin.type)),
                location,
              });
            }
          }
          if (plugin && content.includes('}')) {
            if (skipSettings) settingsEnd(plugin, settingsParams, current, baseDir);
            plugin = undefined;
            skipSettings = false;
            settingsParams = new Map();
          }
        }
      }
    for (const inc of includes) {
      const target = nodePath.resolve(baseDir, inc.replace(/\\/g, '/'));
      if (visited.has(target)) continue;
      if (depth + 1 > limits.maxLibraryDepth) {
        notes.push(
          `included file ${target} not read: includes nested more than ${limits.maxLibraryDepth} deep (limits.maxLibraryDepth)`,
        );
        continue;
      }
      if (visited.size > limits.maxLibraries) {
        notes.push(
          `included file ${target} not read: more than ${limits.maxLibraries} files included (limits.maxLibraries)`,
        );
        continue;
      }
      try {
        await read(target, depth + 1);
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') continue; // reported as a missing include
        notes.push(`included file ${target} could not be read: ${(error as Error).message}`);
      }
    }
  };
  await read(file, 0);
  if (dropped > 0) {
    notes.push(
      `only the first ${limits.maxReferences} references are listed (limits.maxReferences): ${dropped} more left out`,
    );
  }
  return {
    format: 'vrscene',
    scanned: true,
    details: { plugins },
    references,
    notes,
    settings: output ? settingsOf(output.name, output.params) : {},
  };
}

/** A string parameter's text (`"a.exr"`), or `undefined` for another value. */
function text(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(value);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : undefined;
}

/** A number parameter's value, or `undefined`. */
function number(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*-?\d+(\.\d+)?(e-?\d+)?\s*$/i.test(value)) return undefined;
  return Number(value);
}

/**
 * What a render job needs from `SettingsOutput` (parameters as Chaos' plugin description names them): the image
 * size (`img_width`, `img_height`), the output (`img_dir` + `img_file`), and the frames: `frames` (a list of
 * frames and `List(first, last)` intervals) or, without it, the animation range `anim_start`..`anim_end` in time
 * units times `frames_per_second`, numbered from `frame_start`.
 */
function settingsOf(name: string, params: ReadonlyMap<string, { value: string }>): SceneSettings {
  const settings: SceneSettings = {};
  const get = (k: string) => params.get(k)?.value;
  const width = number(get('img_width'));
  const height = number(get('img_height'));
  if (width !== undefined || height !== undefined) {
    settings.resolution = {
      value: { width: width ?? 640, height: height ?? 480 },
      from: `SettingsOutput ${name}.img_width/img_height`,
    };
  }
  const file = text(get('img_file'));
  const dir = text(get('img_dir'));
  if (file) {
    const joined = dir ? `${dir.replace(/[\\/]+$/, '')}/${file}` : file;
    settings.output = {
      value: joined,
      from: `SettingsOutput ${name}.${dir ? 'img_dir + img_file' : 'img_file'}`,
    };
    const ext = /\.([A-Za-z0-9]+)$/.exec(file)?.[1];
    if (ext) settings.format = { value: ext.toLowerCase(), from: `SettingsOutput ${name}.img_file` };
  }
  const frames = get('frames');
  const listed = frames === undefined ? [] : [...frames.matchAll(/-?\d+/g)].map((m) => Number(m[0]));
  if (listed.length > 0 && /^\s*List\s*\(/.test(frames!)) {
    settings.frames = {
      value: { start: Math.min(...listed), end: Math.max(...listed), step: 1 },
      from: `SettingsOutput ${name}.frames`,
    };
  } else {
    const start = number(get('anim_start'));
    const end = number(get('anim_end'));
    const fps = number(get('frames_per_second')) ?? 1;
    if (start !== undefined && end !== undefined && end >= start) {
      const first = number(get('frame_start')) ?? Math.round(start * fps);
      settings.frames = {
        value: { start: first, end: first + Math.round((end - start) * fps), step: 1 },
        from: `SettingsOutput ${name}.anim_start/anim_end/frames_per_second/frame_start`,
      };
    }
  }
  settings.renderer = { value: 'vray', from: 'the .vrscene format' };
  return settings;
}
