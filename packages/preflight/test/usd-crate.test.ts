/**
 * USD crate layers (`.usdc`, `.usd` in crate form) and `.usdz` packages. The fixtures are written by
 * fixtures/usd/make_crate.mjs (crate-writer.mjs, from the layout in OpenUSD's public source); the reader was also
 * checked against the crate files of OpenUSD's own tests (see fixtures/README.md).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CorruptFileError,
  LimitExceededError,
  PreflightError,
  scanScene,
  TruncatedFileError,
} from '../src/index.js';
import { CrateWriter, compressedInts, lz4Literals, u64, usdz } from './crate-writer.mjs';
import { fixture, tempDir } from './helpers.js';

const DIR = fixture('usd', 'crate');

describe('USD crate .usdc', () => {
  it('lists sublayers, references, payloads, variant references, asset attributes, arrays, time samples, dictionaries and clip templates', async () => {
    const scan = await scanScene(join(DIR, 'shot.usdc'), { followLibraries: false });
    expect(scan).toMatchObject({
      format: 'usdc',
      scanned: true,
      details: { encoding: 'crate', crateVersion: '0.8.0' },
    });
    expect(scan.references.map((r) => [r.location.name, r.kind, r.path, r.exists])).toEqual([
      ['subLayers', 'referenced-scene', '../layers/lighting.usda', true],
      ['subLayers', 'referenced-scene', 'missing_layer.usdc', false],
      ['layer customLayerData:renderSettings', 'referenced-scene', 'settings/render.usda', true],
      ['/World references', 'referenced-scene', 'assets/chair.usdc', true],
      ['/World assetInfo:identifier', 'referenced-scene', 'assets/chair.usdc', true],
      ['/World/Set payload', 'referenced-scene', 'set_payload.usd', false],
      ['/World/Tex.inputs:file', 'texture', '../textures/wood.<UDIM>.png', true],
      ['/World/Tex.inputs:layers', 'texture', 'maps/a.png', true],
      ['/World/Tex.inputs:layers', 'texture', 'maps/b.png', false],
      ['/World/Anim.inputs:file timeSamples', 'texture', 'anim/tex_a.png', false],
      ['/World/Anim.inputs:file timeSamples', 'texture', 'anim/tex_b.png', false],
      ['/World/Clips clips:default:templateAssetPath', 'referenced-scene', 'clips/clip.###.usdc', false],
      ['/World{look=red} references', 'referenced-scene', 'assets/red.usda', false],
    ]);
    expect(scan.references.every((r) => r.location.file === join(DIR, 'shot.usdc'))).toBe(true);
    expect(scan.references.find((r) => r.path.includes('<UDIM>'))?.sequence).toMatchObject({ found: 1 });
  });

  it('follows crate and text layers each once: a texture of a referenced crate layer and of a text sublayer are found', async () => {
    const scan = await scanScene(join(DIR, 'crate_form.usd'));
    expect(scan).toMatchObject({ format: 'usdc', scanned: true });
    const rows = scan.references.map((r) => [r.location.file, r.path, r.exists]);
    expect(rows.slice(0, 3)).toEqual([
      [join(DIR, 'crate_form.usd'), 'shot.usdc', true],
      [join(DIR, 'shot.usdc'), '../layers/lighting.usda', true],
      [fixture('usd', 'layers', 'lighting.usda'), '../textures/sky.exr', false],
    ]);
    expect(rows).toContainEqual([join(DIR, 'assets', 'chair.usdc'), '../../textures/wood.1001.png', true]);
    // chair.usdc is named twice (a reference and assetInfo) but read once.
    expect(rows.filter((r) => r[0] === join(DIR, 'assets', 'chair.usdc'))).toHaveLength(1);
  });

  it("gives the root layer's startTimeCode/endTimeCode as the frames, as a .usda layer does; sublayers' not", async () => {
    const scan = await scanScene(join(DIR, 'shot.usdc'), { followLibraries: false });
    expect(scan.settings).toEqual({
      frames: {
        value: { start: 1001, end: 1100, step: 1 },
        from: 'layer metadata startTimeCode/endTimeCode',
      },
    });
    // crate_form.usd says nothing of its frames; the shot.usdc it sublayers does, but is not the root layer.
    expect((await scanScene(join(DIR, 'crate_form.usd'))).settings).toEqual({});
  });

  it('reads time codes a float cannot hold exactly (written as doubles apart from the field) and leaves out a reversed range', async () => {
    const dir = tempDir();
    const write = (start: number, end: number) =>
      new CrateWriter()
        .spec('/', 'pseudoRoot', [
          ['startTimeCode', { double: start }],
          ['endTimeCode', { double: end }],
        ])
        .bytes();
    // 2^24 + 1: as a float it would read 16777216.
    writeFileSync(join(dir, 'long.usdc'), write(0.5, 16_777_217));
    expect((await scanScene(join(dir, 'long.usdc'))).settings.frames?.value).toEqual({
      start: 0.5,
      end: 16_777_217,
      step: 1,
    });
    writeFileSync(join(dir, 'reversed.usdc'), write(100, 1));
    expect((await scanScene(join(dir, 'reversed.usdc'))).settings).toEqual({});
  });

  it('leaves values past maxReferences out with a note', async () => {
    const dir = tempDir();
    const many = Array.from({ length: 500 }, (_, i) => `t${i}.png`);
    writeFileSync(
      join(dir, 'many.usdc'),
      new CrateWriter()
        .spec('/', 'pseudoRoot')
        .spec('/P.tex', 'attribute', [['default', { assets: many }]])
        .bytes(),
    );
    const scan = await scanScene(join(dir, 'many.usdc'), { limits: { maxReferences: 10 } });
    expect(scan.references.map((r) => r.path)).toEqual(many.slice(0, 10));
    expect(scan.notes).toContainEqual(expect.stringMatching(/first 10 asset paths .* 490 more left out/));
  });
});

describe('USD crate: damaged and hostile files end with a typed error, before allocating what they declare', () => {
  const crate = (sections: [string, Buffer][], tocAt?: number) => {
    const boot = Buffer.alloc(88);
    boot.write('PXR-USDC', 'latin1');
    boot.set([0, 8, 0], 8);
    const body: Buffer[] = [];
    let at = 88;
    const toc: Buffer[] = [u64(sections.length)];
    for (const [name, bytes] of sections) {
      const n = Buffer.alloc(32);
      n.write(name, 'latin1');
      n.writeBigInt64LE(BigInt(at), 16);
      n.writeBigInt64LE(BigInt(bytes.length), 24);
      toc.push(n);
      body.push(bytes);
      at += bytes.length;
    }
    boot.writeBigInt64LE(BigInt(tocAt ?? at), 16);
    return Buffer.concat([boot, ...body, ...toc]);
  };
  const scanBytes = async (bytes: Buffer, limits = {}) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.usdc'), bytes);
    return scanScene(join(dir, 'x.usdc'), { limits });
  };

  it('a file shorter than the bootstrap, or a table of contents outside the file', async () => {
    await expect(scanBytes(Buffer.from('PXR-USDC'))).rejects.toThrow(TruncatedFileError);
    await expect(scanBytes(crate([], 1e12))).rejects.toThrow(
      /table of contents is said to be at byte 1000000000000/,
    );
  });

  it('a section that lies outside the file, and a table of contents listing more sections than fit', async () => {
    const toc = crate([['TOKENS', Buffer.alloc(8)]]);
    toc.writeBigInt64LE(10n ** 12n, toc.length - 8); // the section's size
    await expect(scanBytes(toc)).rejects.toThrow(/section TOKENS .* lies outside the file/);
    const many = crate([]);
    many.writeBigUInt64LE(10n ** 15n, many.length - 8);
    await expect(scanBytes(many)).rejects.toThrow(CorruptFileError);
  });

  it('tokens declaring 2 GiB decompressed from a few bytes, or more than maxDecompressedBytes', async () => {
    const lz = lz4Literals(Buffer.from('a\0'));
    const bomb = Buffer.concat([u64(1), u64(2 ** 31), u64(lz.length), lz]);
    await expect(scanBytes(crate([['TOKENS', bomb]]))).rejects.toThrow(
      /the tokens: 2147483648 bytes declared from 4 compressed/,
    );
    const text = Buffer.from(`${'a'.repeat(4000)}\0`);
    const big = lz4Literals(text);
    const tokens = Buffer.concat([u64(1), u64(text.length), u64(big.length), big]);
    const error = await scanBytes(crate([['TOKENS', tokens]]), { maxDecompressedBytes: 1000 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.limit).toBe('maxDecompressedBytes');
  });

  it('counts of fields, paths and specs beyond what their sections can hold', async () => {
    const lz = lz4Literals(Buffer.from('a\0'));
    const tokens = Buffer.concat([u64(1), u64(2), u64(lz.length), lz]);
    const fields = Buffer.concat([u64(2 ** 40), compressedInts([0])]);
    await expect(
      scanBytes(
        crate([
          ['TOKENS', tokens],
          ['FIELDS', fields],
        ]),
      ),
    ).rejects.toThrow(/fields cannot fit their section/);
    const specs = Buffer.concat([u64(3), compressedInts([0]), compressedInts([0]), compressedInts([0])]);
    await expect(
      scanBytes(
        crate([
          ['TOKENS', tokens],
          ['SPECS', specs],
        ]),
      ),
    ).rejects.toThrow(PreflightError);
  });

  it('a path tree whose jumps loop, and a dictionary nested in itself', async () => {
    const lz = lz4Literals(Buffer.from('a\0'));
    const tokens = Buffer.concat([u64(1), u64(2), u64(lz.length), lz]);
    const paths = Buffer.concat([
      u64(2),
      u64(2),
      compressedInts([0, 1]),
      compressedInts([0, 0]),
      compressedInts([0, -1]),
    ]);
    await expect(
      scanBytes(
        crate([
          ['TOKENS', tokens],
          ['PATHS', paths],
        ]),
      ),
    ).rejects.toThrow(/path tree is damaged/);
    // A dictionary whose one value is a dictionary rep pointing at itself.
    const good = new CrateWriter()
      .spec('/', 'pseudoRoot', [['customLayerData', { dict: { k: { asset: 'a.png' } } }]])
      .bytes();
    const at = good.indexOf(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), 88); // the dictionary's entry count
    const self = Buffer.from(good);
    const rep = Buffer.alloc(8);
    rep.writeUInt32LE(at, 0);
    rep.writeUInt32LE(31 << 16, 4);
    rep.copy(self, at + 8 + 4 + 8); // count, key, jump, then the value's rep
    await expect(scanBytes(self)).rejects.toThrow(/nested more than 64 deep/);
  });
});

describe('USD packages .usdz', () => {
  it('reads the root crate layer and the layers inside the package; lists only what leaves it', async () => {
    const file = join(DIR, 'package.usdz');
    const scan = await scanScene(file);
    expect(scan).toMatchObject({
      format: 'usdz',
      scanned: true,
      details: { rootLayer: 'root.usdc', files: 4 },
    });
    expect(
      scan.references.map((r) => [r.location.file, r.location.name, r.path, r.resolved, r.exists]),
    ).toEqual([
      [`${file}[root.usdc]`, '/Root.inputs:outside', '/abs/outside.png', '/abs/outside.png', false],
      [
        `${file}[root.usdc]`,
        '/Root.inputs:unpacked',
        'tex/not_packed.png',
        join(file, 'tex', 'not_packed.png'),
        false,
      ],
      [`${file}[sub/more.usda]`, 'asset inputs:extra', './extra.png', join(file, 'sub', 'extra.png'), false],
    ]);
    expect(scan.notes).toEqual(['3 file(s) named by the layers are inside the .usdz: they travel with it']);
    // The root layer's time codes.
    expect(scan.settings.frames).toEqual({
      value: { start: 1, end: 48, step: 1 },
      from: 'layer metadata startTimeCode/endTimeCode',
    });
  });

  it('gives the frames of a text root layer, not those of the crate layer it sublayers', async () => {
    const dir = tempDir();
    const root =
      '#usda 1.0\n(\n    startTimeCode = 101\n    endTimeCode = 148\n    subLayers = [@sub.usdc@]\n)\n';
    const sub = new CrateWriter()
      .spec('/', 'pseudoRoot', [
        ['startTimeCode', { double: 1 }],
        ['endTimeCode', { double: 2 }],
      ])
      .bytes();
    writeFileSync(
      join(dir, 'text.usdz'),
      usdz([
        ['root.usda', Buffer.from(root)],
        ['sub.usdc', sub],
      ]),
    );
    expect((await scanScene(join(dir, 'text.usdz'))).settings.frames?.value).toEqual({
      start: 101,
      end: 148,
      step: 1,
    });
  });

  it('a package whose root is a package, and one whose first file is not a layer', async () => {
    const dir = tempDir();
    const inner = usdz([['a.usda', Buffer.from('#usda 1.0\ndef "A" { asset t = @../outside.png@ }\n')]]);
    writeFileSync(join(dir, 'outer.usdz'), usdz([['inner.usdz', inner]]));
    writeFileSync(join(dir, 'outside.png'), '');
    const scan = await scanScene(join(dir, 'outer.usdz'));
    expect(scan.references.map((r) => [r.location.file, r.path, r.unresolved])).toEqual([
      [
        `${join(dir, 'outer.usdz')}[inner.usdz][a.usda]`,
        '../outside.png',
        expect.stringMatching(/climbs out of outer\.usdz/),
      ],
    ]);
    writeFileSync(join(dir, 'bad.usdz'), usdz([['readme.txt', Buffer.from('hi')]]));
    await expect(scanScene(join(dir, 'bad.usdz'))).rejects.toThrow(
      /first file is its root layer .* "readme\.txt"/,
    );
    writeFileSync(join(dir, 'cut.usdz'), usdz([['a.usda', Buffer.from('#usda 1.0\n')]]).subarray(0, 40));
    await expect(scanScene(join(dir, 'cut.usdz'))).rejects.toThrow(/no end of central directory/);
  });
});

describe('USD crate files of the first USD releases (versions before 0.4.0: sections not compressed)', () => {
  for (const version of [
    [0, 0, 1],
    [0, 3, 0],
  ] as [number, number, number][]) {
    it(`reads a crate of version ${version.join('.')}: paths as a tree of headers, arrays and payloads in their old forms`, async () => {
      const dir = tempDir();
      const layer = new CrateWriter({ version })
        .spec('/', 'pseudoRoot', [['subLayers', { subLayers: ['base.usda'] }]])
        .spec('/World', 'prim', [['references', { references: ['chair.usd'] }]])
        .spec('/World/Set', 'prim', [['payload', { payloads: ['set.usd'] }]])
        .spec('/World/Set.tex', 'attribute', [['default', { asset: 'wood.png' }]])
        .spec('/World/Set.maps', 'attribute', [['default', { assets: ['a.png', 'b.png'] }]])
        .spec('/World/Other', 'prim')
        .spec('/World/Other.tex', 'attribute', [['default', { asset: 'other.png' }]])
        .bytes();
      writeFileSync(join(dir, 'old.usdc'), layer);
      const scan = await scanScene(join(dir, 'old.usdc'), { followLibraries: false });
      expect(scan.details).toMatchObject({ crateVersion: version.join('.') });
      expect(scan.references.map((r) => [r.location.name, r.path])).toEqual([
        ['subLayers', 'base.usda'],
        ['/World references', 'chair.usd'],
        ['/World/Set payload', 'set.usd'],
        ['/World/Set.tex', 'wood.png'],
        ['/World/Set.maps', 'a.png'],
        ['/World/Set.maps', 'b.png'],
        ['/World/Other.tex', 'other.png'],
      ]);
    });
  }
});
