/**
 * USD ASCII layers (`.usda`, and `.usd` files that are text): every asset path `@...@` (or `@@@...@@@`) in
 * sublayers, references, payloads and asset-valued attributes. Binary `.usd` (crate) files are not read.
 */
import { open, readFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { CorruptFileError } from '../errors.js';
import { decodeText, type FormatResult, kindByExtension, type RawReference } from './common.js';

/** Reads a USD ASCII layer and lists its asset paths. */
export async function readUsda(file: string): Promise<FormatResult> {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(8);
  try {
    await handle.read(head, 0, 8, 0);
  } finally {
    await handle.close();
  }
  if (head.toString('latin1') === 'PXR-USDC') {
    return {
      format: 'usda',
      scanned: false,
      details: { encoding: 'crate' },
      references: [],
      notes: [
        'not scanned: format not readable (binary USD crate file; save it as .usda to have it scanned)',
      ],
    };
  }
  const text = decodeText(file, await readFile(file), 'USD ASCII');
  if (!text.startsWith('#usda '))
    throw new CorruptFileError(file, 'a USD ASCII layer starts with "#usda 1.0"', { line: 1 });
  return parseUsda(file, text);
}

function parseUsda(file: string, text: string): FormatResult {
  const baseDir = nodePath.dirname(file);
  const references: RawReference[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  // The key (`subLayers`, `references`, `payload`, or an attribute name) an asset path is the value of, kept
  // until another key is assigned or the brackets it was assigned in close.
  let key = '';
  let keyDepth = 0;
  let keyIsAsset = false;
  let depth = 0;
  let lineStart = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
    } else if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      const startLine = line;
      i += close.length;
      while (i < n && !text.startsWith(close, i)) {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
        i++;
      }
      if (i >= n) throw new CorruptFileError(file, 'a string is never closed', { line: startLine });
      i += close.length;
    } else if (c === '@') {
      const triple = text.startsWith('@@@', i);
      const close = triple ? '@@@' : '@';
      const start = i + close.length;
      const end = text.indexOf(close, start);
      const nl = text.indexOf('\n', start);
      if (end < 0 || (!triple && nl >= 0 && nl < end)) {
        throw new CorruptFileError(file, 'an asset path @... is never closed', { line });
      }
      const value = text.slice(start, end);
      i = end + close.length;
      if (value === '') continue;
      const composition = key === 'subLayers' || key === 'references' || key === 'payload';
      references.push({
        path: value,
        baseDir,
        kind: composition ? 'referenced-scene' : kindByExtension(value, 'other'),
        location: {
          file,
          type: 'line',
          name: key === '' ? 'asset' : keyIsAsset ? `asset ${key}` : key,
          line,
        },
      });
    } else if (c === '[' || c === '(' || c === '{') {
      depth++;
      i++;
    } else if (c === ']' || c === ')' || c === '}') {
      depth--;
      if (depth < keyDepth) {
        key = '';
        keyDepth = 0;
      }
      i++;
    } else {
      const word = /^[A-Za-z_][\w:.]*/.exec(text.slice(i, i + 256));
      if (word) {
        i += word[0].length;
        let j = i;
        while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
        if (text[j] === '=') {
          key = word[0];
          keyDepth = depth;
          keyIsAsset = /\basset(\[\])?\s/.test(text.slice(lineStart, i));
        }
      } else {
        i++;
      }
    }
  }
  return { format: 'usda', scanned: true, details: {}, references, notes: [] };
}
