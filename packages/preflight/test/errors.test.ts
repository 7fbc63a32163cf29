import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  CorruptFileError,
  DecompressionError,
  PreflightError,
  scanScene,
  TruncatedFileError,
} from '../src/index.js';
import { fixture, tempDir } from './helpers.js';

const SCENE = readFileSync(fixture('blend', 'scene.blend'));

function write(name: string, bytes: Uint8Array): string {
  const file = join(tempDir(), name);
  writeFileSync(file, bytes);
  return file;
}

describe('damaged .blend files get typed errors naming the file and byte offset', () => {
  it('a file cut inside its header', async () => {
    const file = write('cut.blend', SCENE.subarray(0, 7));
    const error = await scanScene(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TruncatedFileError);
    expect(error).toMatchObject({ file, offset: 0 });
    expect((error as Error).message).toContain(`${file} at byte 0: file ends early`);
  });

  it('a file cut inside a block', async () => {
    const file = write('cut.blend', SCENE.subarray(0, 5000));
    const error = (await scanScene(file).catch((e: unknown) => e)) as TruncatedFileError;
    expect(error).toBeInstanceOf(TruncatedFileError);
    expect(error.offset).toBeGreaterThan(12);
    expect(error.offset).toBeLessThan(5000);
    expect(error.message).toMatch(/runs past the end of the file \(5000 bytes\)/);
  });

  it('a file cut between blocks, before the SDNA', async () => {
    // Walk the real block chain to find a block boundary.
    let at = 12;
    for (let i = 0; i < 5; i++) at += 24 + SCENE.readInt32LE(at + 4);
    const file = write('cut.blend', SCENE.subarray(0, at));
    const error = (await scanScene(file).catch((e: unknown) => e)) as TruncatedFileError;
    expect(error).toBeInstanceOf(TruncatedFileError);
    expect(error.offset).toBe(at);
  });

  it('a file that is not a .blend', async () => {
    const file = write('text.blend', Buffer.from('hello, this is not a blend file'));
    const error = await scanScene(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error).toMatchObject({ offset: 0 });
    expect((error as Error).message).toMatch(/starts with "BLENDER"/);
  });

  it('a negative block length', async () => {
    const bytes = Buffer.from(SCENE);
    bytes.writeInt32LE(-5, 12 + 4);
    const error = await scanScene(write('neg.blend', bytes)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error).toMatchObject({ offset: 12 });
  });

  it('a damaged SDNA', async () => {
    const bytes = Buffer.from(SCENE);
    const dna = bytes.indexOf('SDNA', 0, 'latin1');
    bytes.write('XXXX', dna + 4, 'latin1'); // "NAME" becomes "XXXX"
    const error = await scanScene(write('dna.blend', bytes)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error).toMatchObject({ offset: dna + 4 });
    expect((error as Error).message).toMatch(/SDNA: expected "NAME"/);
  });

  it('a cut gzip or zstd stream', async () => {
    const gz = gzipSync(SCENE);
    const gzError = await scanScene(write('cut.blend', gz.subarray(0, gz.length / 2))).catch(
      (e: unknown) => e,
    );
    expect(gzError).toBeInstanceOf(PreflightError);
    expect(gzError instanceof DecompressionError || gzError instanceof TruncatedFileError).toBe(true);
    const zst = readFileSync(fixture('blend', 'scene_zstd.blend'));
    const zsError = await scanScene(write('cut.blend', zst.subarray(0, zst.length / 2))).catch(
      (e: unknown) => e,
    );
    expect(zsError).toBeInstanceOf(PreflightError);
    expect(zsError instanceof DecompressionError || zsError instanceof TruncatedFileError).toBe(true);
  });
});

describe('damaged Houdini files', () => {
  it('a .hip that is not a cpio archive, and one cut short', async () => {
    const notCpio = await scanScene(write('x.hip', Buffer.from('hello'))).catch((e: unknown) => e);
    expect(notCpio).toBeInstanceOf(TruncatedFileError);
    const hip = readFileSync(fixture('houdini', 'scene.hip'));
    const cut = await scanScene(write('x.hip', hip.subarray(0, 500))).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(TruncatedFileError);
    const bad = Buffer.from(hip);
    bad.write('XXXXXX', 0, 'latin1');
    const magic = await scanScene(write('x.hip', bad)).catch((e: unknown) => e);
    expect(magic).toBeInstanceOf(CorruptFileError);
    expect(magic).toMatchObject({ offset: 0 });
  });
});

describe('text formats holding binary data', () => {
  it('names the line of the first NUL byte', async () => {
    const error = await scanScene(write('x.nk', Buffer.from('version 13\nRead {\n\0\n}\n'))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error).toMatchObject({ line: 3 });
  });
});
