import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { climbsOut, downloadTarget } from '../src/downloads.js';
import { parseFrames } from '../src/frames.js';
import { watchRegex } from '../src/names.js';
import { framePng } from '../src/png.js';
import { tempBeside } from '../src/store.js';
import { extensionFor, MAX_EXTENSION } from '../src/validation.js';
import { checkPng } from './png-check.js';

describe('frame ranges', () => {
  it('parses start [end] [step] groups', () => {
    expect(parseFrames('1 5 2,10,20 22')).toEqual({ ok: true, frames: [1, 3, 5, 10, 20, 21, 22] });
    expect(parseFrames('0 0 1')).toEqual({ ok: true, frames: [0] });
  });
  it.each(['', '1 x', '5 1', '1 5 0', '1 2 3 4', '1.5', '1,,2'])('refuses %j', (spec) => {
    expect(parseFrames(spec).ok).toBe(false);
  });
});

describe('output formats', () => {
  it.each([
    ['PNG', 'png'],
    ['OPEN_EXR', 'exr'],
    ['OPEN_EXR_MULTILAYER', 'exr'],
    ['TARGA_RAW', 'tga'],
    ['JPEG2000', 'jp2'],
    ['.tiff', 'tiff'],
    ['!!', 'png'],
  ])('%s writes .%s files', (format, ext) => {
    expect(extensionFor(format)).toBe(ext);
  });
  it("keeps every format name the client accepts (32 characters) within the extension's limit", () => {
    expect(extensionFor('x'.repeat(32)).length).toBeLessThanOrEqual(MAX_EXTENSION);
  });
});

describe('downloads', () => {
  it('matches watch patterns as anchored full matches', () => {
    expect(watchRegex('/p/render_results/.+')?.test('/p/render_results/a/b.png')).toBe(true);
    expect(watchRegex('render_results/.+')?.test('/p/render_results/a/b.png')).toBe(false);
    expect(watchRegex('([')).toBeNull();
  });
  it('spots watch patterns with a .. path segment', () => {
    expect(climbsOut('/p/render_results/../x/.+')).toBe(true);
    expect(climbsOut('/p/render_results/\\.\\./.+')).toBe(true);
    expect(climbsOut('\\\\p\\\\..\\\\.+')).toBe(true);
    expect(climbsOut('/p/render_results/my_results/.+')).toBe(false);
    expect(climbsOut('/p/render_results/..foo/.+')).toBe(false);
  });
  it('keeps targets inside the download folder', () => {
    expect(downloadTarget('p', '/p/render_results/r/f.png', '/dl')).toBe('/dl/r/f.png');
    expect(downloadTarget('p', '/p/render_results/../../etc/passwd', '/dl')).toBeNull();
    expect(downloadTarget('p', '/p/render_results/', '/dl')).toBeNull();
  });
  it('gives every file a temp name that is a valid name beside it, however long its own name', () => {
    for (const name of ['f.png', 'é'.repeat(100), 'p'.repeat(250), 'q'.repeat(255)]) {
      for (const suffix of ['.gm-download.tmp', '.12345.0000abcd.tmp']) {
        const tmp = tempBeside(join('/dl', 'r', name), suffix);
        expect(dirname(tmp)).toBe(join('/dl', 'r'));
        expect(Buffer.byteLength(basename(tmp))).toBeLessThanOrEqual(255);
        expect(tmp.endsWith(suffix)).toBe(true);
      }
    }
    expect(tempBeside('/dl/f.png', '.gm-download.tmp')).toBe('/dl/f.png.gm-download.tmp');
    // Two long names keep their own temp files.
    expect(tempBeside(`/dl/${'a'.repeat(250)}`, '.t')).not.toBe(tempBeside(`/dl/${'a'.repeat(249)}b`, '.t'));
  });
});

describe('png', () => {
  it('writes valid PNGs whose colour depends on the frame', () => {
    expect(checkPng(framePng(1))).toEqual({ width: 64, height: 48 });
    expect(checkPng(framePng(-3, 7, 5))).toEqual({ width: 7, height: 5 });
    expect(framePng(1).equals(framePng(2))).toBe(false);
  });
});
