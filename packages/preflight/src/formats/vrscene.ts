/**
 * V-Ray `.vrscene` files: `#include "file"` lines (included files are read too, each once), and the file
 * parameters of plugins (`file=` of BitmapBuffer, GeomMeshFile and the like, `ies_file=` of LightIES, ...).
 * `Settings*` plugins are skipped: their file parameters name outputs (images, light and irradiance caches).
 */
import { readFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { CorruptFileError } from '../errors.js';
import type { ReferenceKind } from '../types.js';
import { decodeText, type FormatResult, kindByExtension, type RawReference } from './common.js';

const FILE_PARAM =
  /^(?:file|\w+_file|file_?name|\w+_filename|cache_path|input_cache_path|ies_file|ptex_file)$/i;

/** Lines longer than this hold data (mesh arrays), not file parameters: they are skipped with a note. */
const MAX_LINE = 64 * 1024;

function pluginKind(plugin: string): ReferenceKind {
  if (/^(Bitmap|Tex)/.test(plugin)) return 'texture';
  if (/^GeomMeshFile|Proxy|Alembic/i.test(plugin)) return 'cache';
  if (/Volume|Phoenix|Grid/i.test(plugin)) return 'volume';
  if (/^(Light|IES)/i.test(plugin)) return 'other';
  return 'other';
}

/** Reads a .vrscene file and the files it includes; lists includes and file parameters. */
export async function readVrscene(file: string): Promise<FormatResult> {
  const references: RawReference[] = [];
  const notes: string[] = [];
  const visited = new Set<string>();
  let plugins = 0;
  const read = async (current: string, depth: number) => {
    visited.add(current);
    const text = decodeText(current, await readFile(current), 'V-Ray scene');
    const baseDir = nodePath.dirname(current);
    const includes: string[] = [];
    let line = 1;
    let plugin: { type: string; name: string } | undefined;
    let i = 0;
    const n = text.length;
    let skipSettings = false;
    while (i < n) {
      const end = text.indexOf('\n', i);
      const raw = text.slice(i, end < 0 ? n : end);
      const content = raw.trim();
      const include = /^#include\s+"([^"]*)"/.exec(content);
      if (include) {
        references.push({
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
        if (plugin && !skipSettings && raw.length > MAX_LINE) {
          notes.push(
            `${current} line ${line}: ${raw.length} characters, longer than parameters are written: not read`,
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
                references.push({
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
            references.push({
              path,
              baseDir,
              kind: kindByExtension(path, pluginKind(plugin.type)),
              location,
            });
          }
        }
        if (plugin && content.includes('}')) {
          plugin = undefined;
          skipSettings = false;
        }
      }
      line++;
      i = end < 0 ? n : end + 1;
    }
    if (depth > 32) throw new CorruptFileError(current, 'includes nested more than 32 deep', { line: 1 });
    for (const inc of includes) {
      const target = nodePath.resolve(baseDir, inc.replace(/\\/g, '/'));
      if (visited.has(target)) continue;
      try {
        await read(target, depth + 1);
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') continue; // reported as a missing include
        notes.push(`included file ${target} could not be read: ${(error as Error).message}`);
      }
    }
  };
  await read(file, 0);
  return { format: 'vrscene', scanned: true, details: { plugins }, references, notes };
}
