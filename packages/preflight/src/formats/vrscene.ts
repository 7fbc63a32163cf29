/**
 * V-Ray `.vrscene` files: `#include "file"` lines (included files are read too, each once), and the file
 * parameters of plugins (`file=` of BitmapBuffer, GeomMeshFile and the like, `ies_file=` of LightIES, ...).
 * `Settings*` plugins are skipped: their file parameters name outputs (images, light and irradiance caches).
 */
import nodePath from 'node:path';
import { DEFAULT_LIMITS } from '../limits.js';
import type { ReferenceKind, ScanLimits } from '../types.js';
import { type FormatResult, kindByExtension, type RawReference } from './common.js';
import { lines, textChunks } from './text.js';

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
  const read = async (current: string, depth: number) => {
    visited.add(current);
    const baseDir = nodePath.dirname(current);
    const includes: string[] = [];
    let plugin: { type: string; name: string } | undefined;
    let skipSettings = false;
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
  return { format: 'vrscene', scanned: true, details: { plugins }, references, notes };
}
