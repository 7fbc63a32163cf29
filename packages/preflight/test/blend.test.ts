import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBlendBlocks } from '../src/formats/blend.js';
import { scanScene } from '../src/index.js';
import { fixture, refNamed, tempDir } from './helpers.js';

const DIR = fixture('blend');

describe('Blender .blend files made by Blender 3.4', () => {
  for (const [file, compression] of [
    ['scene.blend', 'none'],
    ['scene_zstd.blend', 'zstd'],
    ['scene_gzip.blend', 'gzip'],
  ] as const) {
    it(`reads the header and every datablock of ${file} (${compression})`, async () => {
      const scan = await scanScene(join(DIR, file), { pathMap: { '/mnt/proj/': DIR } });
      expect(scan.product).toBe('blender');
      expect(scan.format).toBe('blend');
      expect(scan.scanned).toBe(true);
      expect(scan.details).toEqual({ version: '3.4', pointerSize: 8, endianness: 'little', compression });
      const own = scan.references.filter((r) => r.location.file === scan.file);
      expect(own.map((r) => `${r.location.name} ${r.kind}`).sort()).toEqual(
        [
          'CacheFile "scratch.abc" cache',
          'Image "frame_0001.png" texture',
          'Image "mapped" texture',
          'Image "missing" texture',
          'Image "skin.1001.png" texture',
          'Image "windows" texture',
          'Image "wood.png" texture',
          'Library "cycle_a.blend" linked-library',
          'Library "library.blend" linked-library',
          'MovieClip "frame_0001.png" movie',
          'Sound "beep.wav" sound',
          'VFont "DejaVu Sans Book" font',
          'Volume "smoke" volume',
        ].sort(),
      );
    });
  }

  it('resolves // paths against the .blend folder and checks the disk', async () => {
    const scan = await scanScene(join(DIR, 'scene.blend'));
    const wood = refNamed(scan, 'Image "wood.png"');
    expect(wood).toMatchObject({
      path: '//textures/wood.png',
      resolved: join(DIR, 'textures', 'wood.png'),
      exists: true,
    });
    expect(refNamed(scan, 'Image "missing"')).toMatchObject({
      path: '//textures/missing.png',
      resolved: join(DIR, 'textures', 'missing.png'),
      exists: false,
    });
    expect(refNamed(scan, 'Sound "beep.wav"')).toMatchObject({
      resolved: join(DIR, 'audio', 'beep.wav'),
      exists: true,
    });
    expect(refNamed(scan, 'Volume "smoke"')).toMatchObject({ path: '//vdb/smoke.vdb', exists: false });
    expect(refNamed(scan, 'CacheFile "scratch.abc"')).toMatchObject({
      path: '//cache/sim.abc',
      exists: false,
    });
    expect(refNamed(scan, 'VFont "DejaVu Sans Book"')).toMatchObject({
      path: '//fonts/title.ttf',
      exists: false,
    });
  });

  it('leaves packed, generated and built-in data out, and says how many files are packed', async () => {
    const scan = await scanScene(join(DIR, 'scene.blend'));
    const names = scan.references.map((r) => r.location.name);
    expect(names).not.toContain('Image "packed"');
    expect(names).not.toContain('Image "generated"');
    expect(names.filter((n) => n.startsWith('VFont'))).toEqual(['VFont "DejaVu Sans Book"']);
    expect(scan.notes).toContain('1 packed file(s) inside the .blend: not external, nothing to upload');
  });

  it('maps another machine’s absolute path with pathMap, and explains a foreign path it cannot map', async () => {
    const scan = await scanScene(join(DIR, 'scene.blend'), { pathMap: { '/mnt/proj': DIR } });
    expect(refNamed(scan, 'Image "mapped"')).toMatchObject({
      path: '/mnt/proj/textures/wood.png',
      resolved: join(DIR, 'textures', 'wood.png'),
      exists: true,
      mappedFrom: '/mnt/proj',
    });
    const windows = refNamed(scan, 'Image "windows"');
    expect(windows.resolved).toBeUndefined();
    expect(windows.exists).toBe(false);
    expect(windows.unresolved).toMatch(/pathMap.*C:\\proj\\/);
    expect(windows.unresolvedKind).toBe('foreign-path');
    const mapped = await scanScene(join(DIR, 'scene.blend'), { pathMap: { 'c:\\PROJ\\': DIR } });
    expect(refNamed(mapped, 'Image "windows"')).toMatchObject({
      resolved: join(DIR, 'textures', 'wood.png'),
      exists: true,
    });
  });

  it('matches an image sequence against the disk, within a frame range when given', async () => {
    const all = await scanScene(join(DIR, 'scene.blend'));
    const seq = refNamed(all, 'Image "frame_0001.png"');
    expect(seq.resolved).toBe(join(DIR, 'seq', 'frame_####.png'));
    expect(seq.sequence).toMatchObject({ token: '####', found: 4, missing: 1, missingFrames: [4] });
    expect(seq.exists).toBe(false);
    const inRange = await scanScene(join(DIR, 'scene.blend'), { frames: '1 3' });
    const ranged = refNamed(inRange, 'Image "frame_0001.png"');
    expect(ranged.sequence).toMatchObject({ found: 3, missing: 0 });
    expect(ranged.sequence?.files).toEqual([1, 2, 3].map((f) => join(DIR, 'seq', `frame_000${f}.png`)));
    expect(ranged.exists).toBe(true);
    const beyond = await scanScene(join(DIR, 'scene.blend'), { frames: '1 8' });
    expect(refNamed(beyond, 'MovieClip "frame_0001.png"').sequence).toMatchObject({
      found: 4,
      missing: 4,
      missingFrames: [4, 6, 7, 8],
    });
  });

  it('finds the tiles of a <UDIM> image', async () => {
    const scan = await scanScene(join(DIR, 'scene.blend'));
    const udim = refNamed(scan, 'Image "skin.1001.png"');
    expect(udim.path).toBe('//udim/skin.<UDIM>.png');
    expect(udim.sequence).toMatchObject({ token: '<UDIM>', found: 2, missing: 0 });
    expect(udim.exists).toBe(true);
  });

  it('follows linked libraries, resolving their paths against their own folder, each file once', async () => {
    const scan = await scanScene(join(DIR, 'scene.blend'));
    const libFile = join(DIR, 'libs', 'library.blend');
    const brick = scan.references.find((r) => r.location.file === libFile);
    expect(brick).toMatchObject({
      path: '//../textures/lib_brick.png',
      resolved: join(DIR, 'textures', 'lib_brick.png'),
      kind: 'texture',
      exists: true,
      location: { type: 'datablock', name: 'Image "lib_brick.png"' },
    });
    // cycle_a links cycle_b, which links cycle_a back: both are read once, and the scan ends.
    const libraries = scan.references.filter((r) => r.kind === 'linked-library');
    expect(libraries.map((r) => [r.location.file.replace(DIR, ''), r.path])).toEqual([
      ['/scene.blend', '//libs/cycle_a.blend'],
      ['/libs/cycle_a.blend', '//cycle_b.blend'],
      ['/libs/cycle_b.blend', '//cycle_a.blend'],
      ['/scene.blend', '//libs/library.blend'],
    ]);
    expect(libraries.every((r) => r.exists)).toBe(true);
  });

  it('does not follow libraries when told not to, and notes a library it cannot read', async () => {
    const scan = await scanScene(join(DIR, 'scene.blend'), { followLibraries: false });
    expect(scan.references.every((r) => r.location.file === scan.file)).toBe(true);

    const dir = tempDir();
    copyFileSync(join(DIR, 'scene.blend'), join(dir, 'scene.blend'));
    mkdirSync(join(dir, 'libs'));
    copyFileSync(join(DIR, 'scene.blend'), join(dir, 'libs', 'cycle_a.blend'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'libs', 'library.blend'), 'not a blend file at all');
    const broken = await scanScene(join(dir, 'scene.blend'));
    expect(
      broken.notes.some((n) => n.includes('library.blend could not be read') && n.includes('BLENDER')),
    ).toBe(true);
  });

  it('reads the large-block file format of Blender 5.0 (17-byte header, 32-byte block headers)', async () => {
    // The real 3.4 file, rewritten block by block into the 5.0 layout: "BLENDER17-01v0500", then per block
    // code, SDNA index (int32), old address (8 bytes), length (int64), count (int64).
    const { readFileSync, writeFileSync } = await import('node:fs');
    const scene = readFileSync(join(DIR, 'scene.blend'));
    const parts: Buffer[] = [Buffer.from('BLENDER17-01v0500', 'latin1')];
    let at = 12;
    for (;;) {
      const code = scene.subarray(at, at + 4);
      const len = scene.readInt32LE(at + 4);
      const head = Buffer.alloc(32);
      code.copy(head, 0);
      head.writeInt32LE(scene.readInt32LE(at + 16), 4);
      scene.copy(head, 8, at + 8, at + 16);
      head.writeBigInt64LE(BigInt(len), 16);
      head.writeBigInt64LE(BigInt(scene.readInt32LE(at + 20)), 24);
      parts.push(head, scene.subarray(at + 24, at + 24 + len));
      if (code.toString('latin1') === 'ENDB') break;
      at += 24 + len;
    }
    const dir = tempDir();
    mkdirSync(join(dir, 'textures'));
    copyFileSync(join(DIR, 'textures', 'wood.png'), join(dir, 'textures', 'wood.png'));
    writeFileSync(join(dir, 'scene.blend'), Buffer.concat(parts));
    const scan = await scanScene(join(dir, 'scene.blend'), { followLibraries: false });
    expect(scan.details).toMatchObject({ version: '5.0', pointerSize: 8, endianness: 'little' });
    expect(refNamed(scan, 'Image "wood.png"')).toMatchObject({
      exists: true,
      resolved: join(dir, 'textures', 'wood.png'),
    });
    expect(scan.references).toHaveLength(13);
  });
});

describe('Blender scene settings, against what Blender itself reads of the scene (settings_expected.json)', () => {
  const SETTINGS = fixture('blend', 'settings');
  interface Expected {
    frames: { start: number; end: number; step: number };
    output: string;
    format: string;
    resolution: { width: number; height: number };
    camera: string | null;
    renderer: string;
  }
  const expected = JSON.parse(readFileSync(join(SETTINGS, 'settings_expected.json'), 'utf8')) as {
    windowScene: string;
    scenes: Record<string, Expected>;
    imtypes: Record<string, number>;
  };
  /** The settings a scan reports for `scene`, in the form of the expected file. */
  const asScanned = (scene: string, e: Expected) => {
    const at = `scenes["${scene}"]`;
    return {
      frames: { value: e.frames, from: `${at}.frame_start/frame_end/frame_step` },
      output: { value: e.output, from: `${at}.render.filepath` },
      format: { value: e.format, from: `${at}.render.image_settings.file_format` },
      resolution: {
        value: e.resolution,
        from: `${at}.render.resolution_x/resolution_y/resolution_percentage`,
      },
      ...(e.camera !== null ? { camera: { value: e.camera, from: `${at}.camera` } } : {}),
      renderer: { value: e.renderer, from: `${at}.render.engine` },
    };
  };

  for (const file of ['settings.blend', 'settings_zstd.blend']) {
    it(`reads the window's scene of ${file}: frames, output, format, resolution, camera, renderer`, async () => {
      const scan = await scanScene(join(SETTINGS, file));
      expect(expected.windowScene).toBe('Shot');
      expect(scan.settings).toEqual(asScanned('Shot', expected.scenes.Shot!));
      expect(scan.settings.frames?.value).toEqual({ start: 1001, end: 1012, step: 2 });
    });
  }

  it('reads the first Scene datablock when the file does not say which scene its window shows', async () => {
    const dir = tempDir();
    const bytes = readFileSync(join(SETTINGS, 'settings.blend'));
    // The FileGlobal block (code "GLOB") names the window's scene; renamed, the reader no longer sees it.
    const at = bytes.indexOf('GLOB', 12, 'latin1');
    expect(at).toBeGreaterThan(0);
    bytes.write('GLOX', at, 'latin1');
    writeFileSync(join(dir, 'settings.blend'), bytes);
    const scan = await scanScene(join(dir, 'settings.blend'));
    expect(scan.settings).toEqual(asScanned('Scene', expected.scenes.Scene!));
    expect(scan.settings.camera).toBeUndefined();
  });

  it('names every output format as Blender does (the numbers Blender 3.4 lists for its formats)', async () => {
    const dir = tempDir();
    const bytes = readFileSync(join(SETTINGS, 'settings.blend'));
    const blend = await readBlendBlocks(join(SETTINGS, 'settings.blend'));
    const shot = blend.scenes.find((b) => b.address === blend.curscene)!;
    const r = blend.sdna.field('Scene', 'r')!;
    const imtype = blend.sdna.field('ImageFormatData', 'imtype')!;
    const format = blend.sdna.field('RenderData', 'im_format')!;
    const byte = shot.offset + blend.header.blockHeaderSize + r.offset + format.offset + imtype.offset;
    expect(bytes[byte]).toBe(expected.imtypes.OPEN_EXR);
    for (const [name, value] of Object.entries(expected.imtypes)) {
      bytes[byte] = value;
      writeFileSync(join(dir, 'f.blend'), bytes);
      const scan = await scanScene(join(dir, 'f.blend'));
      expect(scan.settings.format?.value).toBe(name);
    }
  });

  it('reads the settings of scenes saved by Blender 5.2 (public files, zstd, 5.x header): the engine each is named for', async () => {
    // Blender's factory values, as Blender 3.4 gives them for the factory scene of settings.blend.
    const factory = expected.scenes.Scene!;
    for (const [file, engine] of [
      ['37_lamp_Cycles.blend', 'CYCLES'],
      ['37_lamp_Workbench.blend', 'BLENDER_WORKBENCH'],
    ] as const) {
      const scan = await scanScene(fixture('blend', 'public', file));
      expect(scan.details).toMatchObject({ version: '5.2', compression: 'zstd' });
      expect(scan.settings).toEqual(asScanned('Scene', { ...factory, camera: 'Camera', renderer: engine }));
    }
  });

  it('leaves the camera out with a note when more objects than limits.maxReferences come before it', async () => {
    const scan = await scanScene(join(SETTINGS, 'settings.blend'), { limits: { maxReferences: 1 } });
    // Two objects: "Backdrop", then the camera "ShotCam"; one name is kept.
    expect(scan.settings.camera).toBeUndefined();
    expect(scan.notes).toContain(
      'the camera of scene "Shot" was not read: it comes after the first 1 objects (limits.maxReferences)',
    );
    const all = await scanScene(join(SETTINGS, 'settings.blend'), { limits: { maxReferences: 2 } });
    expect(all.settings.camera?.value).toBe('ShotCam');
    expect(scan.settings.frames?.value).toEqual({ start: 1001, end: 1012, step: 2 });
  });
});
