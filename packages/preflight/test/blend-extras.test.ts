/**
 * The files a .blend names beyond images and libraries: sequencer strips, IES and OSL script nodes, Mesh Cache
 * modifiers, baked fluid domains, cached oceans, point caches on disk, Text datablocks, and UDIM tiles an Image
 * declares. extras.blend is made by real Blender 3.4 (fixtures/blend/make_extras.py), which also wrote
 * extras_expected.txt: what Blender's own bpy.utils.blend_paths() lists for it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBlendBlocks } from '../src/formats/blend.js';
import { DecompressionError, scanScene } from '../src/index.js';
import { fixture } from './helpers.js';

const DIR = fixture('blend');
const ROWS = [
  ['Image "skin.1001.png"', 'texture', '//udim/skin.<UDIM>.png', false],
  ['Sound "beep.wav"', 'sound', '//audio/beep.wav', true],
  ['Text "gone.py"', 'other', '//scripts/gone.py', false],
  ['Text "setup.py"', 'other', '//scripts/setup.py', true],
  ['Strip "Plates"', 'texture', '//seq/frame_0001.png', true],
  ['Strip "Plates"', 'texture', '//seq/frame_0002.png', true],
  ['Strip "Plates"', 'texture', '//seq/frame_0003.png', true],
  ['Strip "Plates"', 'texture', '//seq/frame_0004.png', false],
  ['Strip "Edit"', 'movie', '//video/edit.mov', false],
  ['Strip "Beep"', 'sound', '//audio/beep.wav', true],
  ['Mesh Cache modifier "MeshCache"', 'cache', '//pc2/wave.pc2', true],
  ['Fluid domain "Fluid"', 'cache', '//cache_fluid/', true],
  ['Point cache "sparks"', 'cache', '//external_cache/', false],
  ['Point cache ""', 'cache', '//blendcache_extras/', true],
  ['IES texture node', 'other', '//ies/spot.ies', true],
  ['IES texture node', 'other', '//ies/missing.ies', false],
  ['Script node', 'other', '//osl/toon.osl', true],
];

/** The rows of a copy named `stem`.blend: its baked disk cache is looked for in `blendcache_<stem>`, as Blender does. */
function rowsOf(stem: string) {
  return ROWS.map((r) =>
    r[2] === '//blendcache_extras/' ? [r[0], r[1], `//blendcache_${stem}/`, false] : r,
  );
}

async function rows(file: string) {
  const scan = await scanScene(file, { followLibraries: false });
  return scan.references.map((r) => [r.location.name, r.kind, r.path, r.exists]);
}

describe('.blend: the datablocks beyond images and libraries (Blender 3.4 fixture)', () => {
  it('lists strips, IES and OSL files, caches read from disk and Text files, each where it is set', async () => {
    expect(await rows(join(DIR, 'extras.blend'))).toEqual(ROWS);
  });

  it("agrees with Blender's own bpy.utils.blend_paths(), less what a render writes and does not read", async () => {
    const ours = new Set((await rows(join(DIR, 'extras.blend'))).map((r) => r[2]));
    const blender = new Set(
      readFileSync(join(DIR, 'extras_expected.txt'), 'utf8').split('\n').filter(Boolean),
    );
    // Blender lists every path field; a render reads the cache of a fluid domain only once it is baked, an ocean's
    // only once it is cached, and a baked disk point cache from the blendcache_<name> folder (its own path field
    // is used only for external caches: here Blender left a meaningless relative root in it).
    const written = ['//cache_unbaked/', '//ocean_cache/', '//ocean_unbaked/', '//../../../../../../../'];
    expect([...blender].filter((p) => !written.includes(p)).sort()).toEqual(
      [...ours].filter((p) => p !== '//blendcache_extras/').sort(),
    );
  });

  it('checks the UDIM tiles the Image declares: a declared tile missing on disk is reported', async () => {
    const scan = await scanScene(join(DIR, 'extras.blend'), { followLibraries: false });
    const udim = scan.references[0]!;
    expect(udim.exists).toBe(false);
    expect(udim.sequence).toMatchObject({ token: '<UDIM>', found: 2, missing: 1, missingFrames: [1003] });
    expect(udim.sequence?.files).toEqual([
      join(DIR, 'udim', 'skin.1001.png'),
      join(DIR, 'udim', 'skin.1002.png'),
    ]);
  });

  it('reads the zstd file Blender saved, and the gzip form of Blender before 3.0, to the same list', async () => {
    expect(await rows(join(DIR, 'extras_zstd.blend'))).toEqual(rowsOf('extras_zstd'));
    // Beside the fixture, so that its //-relative paths lead to the same files.
    const gz = join(DIR, 'extras_gzip_tmp.blend');
    writeFileSync(gz, gzipSync(readFileSync(join(DIR, 'extras.blend'))));
    try {
      expect(await rows(gz)).toEqual(rowsOf('extras_gzip_tmp'));
    } finally {
      rmSync(gz);
    }
  });

  it('finds the frames of the zstd file by its seek table, and trusts no entry its frame contradicts', async () => {
    const bytes = Buffer.from(readFileSync(join(DIR, 'extras_zstd.blend')));
    expect(bytes.readUInt32LE(bytes.length - 4)).toBe(0x8f92eab1); // Blender wrote a seek table
    const frames = bytes.readUInt32LE(bytes.length - 9);
    // The last entry's decompressed size, one byte more: the frame's own header says otherwise.
    const last = bytes.length - 9 - 4;
    expect(frames).toBeGreaterThan(1);
    bytes.writeUInt32LE(bytes.readUInt32LE(last) + 1, last);
    const lying = join(DIR, 'extras_lying_tmp.blend');
    writeFileSync(lying, bytes);
    try {
      const error = await scanScene(lying).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DecompressionError);
      expect(String((error as Error).cause)).toMatch(/does not hold the \d+ bytes its index lists/);
    } finally {
      rmSync(lying);
    }
  });

  it("lists an ocean's cache folder once the modifier is marked cached (as a bake marks it)", async () => {
    const file = join(DIR, 'extras.blend');
    const blend = await readBlendBlocks(file);
    const cached = blend.sdna.field('OceanModifierData', 'cached')!;
    const cachepath = blend.sdna.field('OceanModifierData', 'cachepath')!;
    const sea = blend.extras.find(
      (b) =>
        blend.sdna.structs[b.sdna]?.type === 'OceanModifierData' &&
        Buffer.from(b.data.subarray(cachepath.offset, cachepath.offset + 15)).toString() ===
          '//ocean_cache/\0',
    )!;
    const bytes = Buffer.from(readFileSync(file));
    bytes[sea.offset + blend.header.blockHeaderSize + cached.offset] = 1;
    const patched = join(DIR, 'extras_ocean_tmp.blend');
    writeFileSync(patched, bytes);
    try {
      const found = await rows(patched);
      expect(found).toContainEqual(['Ocean modifier "Ocean"', 'cache', '//ocean_cache/', true]);
      expect(found.filter((r) => String(r[0]).startsWith('Ocean'))).toHaveLength(1); // the calm sea is not cached
    } finally {
      rmSync(patched);
    }
  });
});
