/**
 * Hostile scene files: compression bombs, blocks declaring more than the file can hold, huge values, huge counts,
 * and cycles and chains of libraries. Each scan ends with a result carrying a note, or a typed error naming the
 * file and the byte offset (or line): never a crash, a hang or memory as large as the bomb.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  CorruptFileError,
  DecompressionError,
  LimitExceededError,
  PreflightError,
  scanScene,
} from '../src/index.js';
import { fixture, tempDir } from './helpers.js';
import { blockHeader, dnaOffset, SCENE, sceneWithHugeBlock, zstdFrame } from './hostile.mjs';

function write(name: string, bytes: Uint8Array | string): string {
  const file = join(tempDir('gm-preflight-bounds-'), name);
  writeFileSync(file, bytes);
  return file;
}

async function failure(promise: Promise<unknown>): Promise<PreflightError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PreflightError);
  return error as PreflightError;
}

const paths = async (file: string, limits = {}) =>
  (await scanScene(file, { followLibraries: false, limits })).references.map((r) => r.path);
const EXPECTED = await paths(fixture('blend', 'scene.blend'));
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Longer than maxRecordLength (1 MiB), and small enough for the tests to stay quick. */
const BIG = 3 * MiB;

describe('.blend: compressed data is bounded by what the file declares and by the ratio limit', () => {
  it('a zstd block declaring 2 GiB that the frames cannot hold: an error at the block, nothing decoded', async () => {
    const { before, after, at } = sceneWithHugeBlock(1 * MiB, 2 * GiB - 1);
    const file = write('declared.blend', zstdFrame([before, { zeros: 1 * MiB }, after]));
    const error = await failure(scanScene(file));
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error).toMatchObject({ file, offset: at });
    expect(error.message).toMatch(
      /declares 2147483647 bytes, more than the data can still hold: its zstd frames declare/,
    );
  });

  it('a zstd bomb (2 GiB of zeros in 64 KiB of RLE blocks) is stopped at the block by the ratio limit', async () => {
    const { before, after, at } = sceneWithHugeBlock(2 * GiB - 1024);
    const file = write(
      'bomb.blend',
      zstdFrame([before, { zeros: 2 * GiB - 1024 }, after], { contentSize: false }),
    );
    const error = await failure(scanScene(file));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ file, offset: at, limit: 'maxExpansion' });
    expect(error.message).toMatch(/raise limits\.maxExpansion/);
  });

  it('the gzip twin, declaring more than 100× its size: an error at the block', async () => {
    const { before, after, at } = sceneWithHugeBlock(20 * MiB);
    const file = write('bomb.blend', gzipSync(Buffer.concat([before, Buffer.alloc(20 * MiB), after])));
    const error = await failure(scanScene(file));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ file, offset: at, limit: 'maxExpansion' });
  });

  it('gzip data that expands past the ratio in many small blocks: stopped while decompressing', async () => {
    const at = dnaOffset();
    const small = Buffer.concat([blockHeader(1000), Buffer.alloc(1000)]);
    const filler = Buffer.concat(Array.from({ length: 20_000 }, () => small));
    const file = write(
      'many.blend',
      gzipSync(Buffer.concat([SCENE.subarray(0, at), filler, SCENE.subarray(at)])),
    );
    const error = await failure(scanScene(file));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ file, limit: 'maxExpansion' });
    expect(error.offset).toBeGreaterThan(at);
    // Within a raised limit the same file reads, and lists what the plain scene lists.
    expect(await paths(file, { maxExpansion: 1000 })).toEqual(EXPECTED);
  });

  it('an honest huge block in frames of its own is passed over undecoded; in a frame without a size, decoded and dropped', async () => {
    const zeros = 512 * MiB;
    const { before, after } = sceneWithHugeBlock(zeros);
    const own = write(
      'own.blend',
      Buffer.concat([zstdFrame([before]), zstdFrame([{ zeros }]), zstdFrame([after])]),
    );
    expect(await paths(own, { maxExpansion: 10_000 })).toEqual(EXPECTED);
    const block = sceneWithHugeBlock(64 * MiB);
    const shared = write(
      'shared.blend',
      zstdFrame([block.before, { zeros: 64 * MiB }, block.after], { contentSize: false }),
    );
    expect(await paths(shared, { maxExpansion: 1000 })).toEqual(EXPECTED);
    // The absolute cap applies whatever the ratio allows.
    const capped = await failure(
      scanScene(own, { limits: { maxExpansion: 10_000, maxDecompressedBytes: 256 * MiB } }),
    );
    expect(capped).toMatchObject({ limit: 'maxDecompressedBytes' });
  });

  it('a zstd frame asking for a 2 GiB window is refused before anything is allocated', async () => {
    const file = write('window.blend', zstdFrame([SCENE], { windowLog: 31 }));
    const error = await failure(scanScene(file));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ file, limit: 'maxZstdWindow' });
    expect(error.message).toMatch(/window of 2147483648 bytes/);
  });

  it('a frame declaring more content than its blocks can hold, and a frame cut short', async () => {
    const lying = write('lying.blend', zstdFrame([SCENE], { contentSize: 4 * GiB }));
    expect(await failure(scanScene(lying))).toBeInstanceOf(DecompressionError);
    const frame = zstdFrame([SCENE]);
    const cut = write('cut.blend', frame.subarray(0, frame.length - 1000));
    expect(await failure(scanScene(cut))).toBeInstanceOf(DecompressionError);
  });

  it('datablocks naming files past maxReferences are not held, with a note', async () => {
    // The scene's first Image block, repeated 2,000 times before the SDNA.
    let im = 12;
    while (SCENE.toString('latin1', im, im + 2) !== 'IM') im += 24 + SCENE.readInt32LE(im + 4);
    const image = SCENE.subarray(im, im + 24 + SCENE.readInt32LE(im + 4));
    const at = dnaOffset();
    const many = Buffer.concat([
      SCENE.subarray(0, at),
      ...Array.from({ length: 2000 }, () => image),
      SCENE.subarray(at),
    ]);
    const scan = await scanScene(write('many-images.blend', many), {
      followLibraries: false,
      limits: { maxReferences: 100 },
    });
    // 100 datablocks kept: the scene's own first ones (some name no file: a generated image) and the copies.
    expect(scan.references.length).toBeGreaterThan(90);
    expect(scan.references.length).toBeLessThanOrEqual(100);
    expect(scan.notes.join('\n')).toMatch(
      /\d+ datablock\(s\) naming files were not read: more than 100 \(limits\.maxReferences\)/,
    );
  });

  it('hand-written frames of the real scene read as the scene does', async () => {
    expect(await paths(write('raw.blend', zstdFrame([SCENE])))).toEqual(EXPECTED);
  });
});

describe('text scenes are read in chunks, with caps on a value, a unit and counts', () => {
  it('.ma: a statement holding a huge string is passed over with a note; the others are read', async () => {
    const file = write(
      'huge.ma',
      [
        '//Maya ASCII 2022 scene',
        'createNode file -n "before";',
        '\tsetAttr ".ftn" -type "string" "tex/before.png";',
        'createNode file -n "huge";',
        `\tsetAttr ".ftn" -type "string" "${'x'.repeat(BIG)}";`,
        'createNode file -n "after";',
        '\tsetAttr ".ftn" -type "string" "tex/after.png";',
        '',
      ].join('\n'),
    );
    const scan = await scanScene(file);
    expect(scan.references.map((r) => `${r.location.name} ${r.path} ${r.location.line}`)).toEqual([
      'file before.ftn tex/before.png 3',
      'file after.ftn tex/after.png 7',
    ]);
    expect(scan.notes.join('\n')).toMatch(
      /1 statement\(s\) longer than 1 MiB \(limits\.maxRecordLength\).*line 5/,
    );
  });

  it('.ma: a path longer than maxValueLength is left out with a note', async () => {
    const long = `${'d/'.repeat(40_000)}x.png`;
    const file = write(
      'long.ma',
      `//Maya ASCII 2022 scene\ncreateNode file -n "f";\nsetAttr ".ftn" -type "string" "${long}";\n`,
    );
    const scan = await scanScene(file);
    expect(scan.references).toEqual([]);
    expect(scan.notes.join('\n')).toMatch(
      /1 path\(s\) longer than 64 KiB \(limits\.maxValueLength\).*line 3/,
    );
  });

  it('.ma: thousands of statements on one line are all read', async () => {
    const statements = Array.from(
      { length: 5000 },
      (_, i) => `createNode file -n "f${i}"; setAttr ".ftn" -type "string" "tex/t${i}.png";`,
    );
    const file = write('oneline.ma', `//Maya ASCII 2022 scene\n${statements.join(' ')}\n`);
    const scan = await scanScene(file);
    expect(scan.references).toHaveLength(5000);
    expect(scan.references[4999]).toMatchObject({ path: 'tex/t4999.png', location: { line: 2 } });
  });

  it('.nk: every node on a line is read, knobs pair up on a line, and braces nest', async () => {
    const file = write(
      'one-line.nk',
      [
        'version 13.2 v4',
        'Read { file /x/a.exr } Read { file /x/b.exr name ReadB } Read { file {/x/c d.exr} label {a {nested} b} name ReadC }',
        'Read {',
        ' file /x/e.exr',
        '}',
        '',
      ].join('\n'),
    );
    const scan = await scanScene(file);
    expect(scan.references.map((r) => `${r.location.name} ${r.path} ${r.location.line}`)).toEqual([
      'Read Read.file /x/a.exr 2',
      'Read ReadB.file /x/b.exr 2',
      'Read ReadC.file /x/c d.exr 2',
      'Read Read.file /x/e.exr 4',
    ]);
    expect(scan.details.nodes).toBe(4);
    expect(scan.notes).toEqual([]);
  });

  it('.nk: a reading node holding a huge value is passed over with a note; a huge other node silently', async () => {
    const file = write(
      'huge.nk',
      [
        'Read { file /x/a.exr }',
        `Read { file /x/${'y'.repeat(BIG)}.exr }`,
        `NoOp { label "${'k'.repeat(BIG)}" }`,
        'Read { file /x/b.exr }',
        '',
      ].join('\n'),
    );
    const scan = await scanScene(file);
    expect(scan.references.map((r) => r.path)).toEqual(['/x/a.exr', '/x/b.exr']);
    expect(scan.references[1]!.location.line).toBe(4);
    expect(scan.notes).toHaveLength(1);
    expect(scan.notes[0]).toMatch(
      /1 reading node\(s\) longer than 1 MiB .*Read node of \d+ characters at line 2/,
    );
  });

  it('.nk: a single line of many megabytes is read node by node', async () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => `Read { file /x/p${i}.exr xpos ${i} ypos 0 }`);
    const file = write('wide.nk', `${nodes.join(' ')}\n`);
    const scan = await scanScene(file);
    expect(scan.references).toHaveLength(20_000);
    expect(scan.notes).toEqual([]);
  });

  it('.usda: 200,000 sublayers on one line end with the first maxReferences listed and a note', async () => {
    const layers = Array.from({ length: 200_000 }, (_, i) => `@l${i}.usda@`).join(', ');
    const file = write('many.usda', `#usda 1.0\n(\n    subLayers = [${layers}]\n)\n`);
    const scan = await scanScene(file, { limits: { maxReferences: 1000 } });
    expect(scan.references).toHaveLength(1000);
    expect(scan.references[999]).toMatchObject({
      path: 'l999.usda',
      kind: 'referenced-scene',
      location: { line: 3 },
    });
    expect(scan.notes.join('\n')).toMatch(
      /only the first 1000 asset paths are listed \(limits\.maxReferences\): 199000 more/,
    );
  });

  it('.usda: an asset path longer than maxValueLength is left out with a note; the next is read', async () => {
    const file = write('long.usda', `#usda 1.0\n(\n    subLayers = [@${'a'.repeat(BIG)}@, @b.usda@]\n)\n`);
    const scan = await scanScene(file);
    expect(scan.references.map((r) => r.path)).toEqual(['b.usda']);
    expect(scan.notes.join('\n')).toMatch(/1 asset path\(s\) longer than 64 KiB .*line 3/);
  });

  it('.vrscene: a huge line is passed over as it streams by', async () => {
    const file = write(
      'huge.vrscene',
      `BitmapBuffer bb {\n  file="a.png";\n  data=${'1,'.repeat(BIG / 2)};\n  other_file="b.png";\n}\n`,
    );
    const scan = await scanScene(file);
    expect(scan.references.map((r) => r.path)).toEqual(['a.png', 'b.png']);
    expect(scan.notes.join('\n')).toMatch(
      /line 3: \d+ characters, longer than parameters are written: not read/,
    );
  });
});

/** A Houdini cpio archive of `sections` (name, text) and its trailer. */
function cpio(sections: readonly (readonly [string, string | Uint8Array])[]): Buffer {
  const parts: Buffer[] = [];
  const entry = (name: string, data: Uint8Array) => {
    const header = `070707${'0'.repeat(53)}${(name.length + 1).toString(8).padStart(6, '0')}${data.length.toString(8).padStart(11, '0')}`;
    parts.push(Buffer.from(header, 'latin1'), Buffer.from(`${name}\0`, 'latin1'), Buffer.from(data));
  };
  for (const [name, data] of sections) entry(name, typeof data === 'string' ? Buffer.from(data) : data);
  entry('TRAILER!!!', new Uint8Array(0));
  return Buffer.concat(parts);
}

describe('.hip: sections streamed, counted and capped', () => {
  const parm = (path: string) => `{\nversion 0.8\nfile\t[ 0\tlocks=0 ]\t(\t"${path}"\t)\n}\n`;

  it('many sections: the first maxSections are read, then a note', async () => {
    const sections: [string, string][] = [];
    for (let i = 0; i < 5000; i++) {
      sections.push(
        [`obj/geo${i}/file1.init`, 'type = file\n'],
        [`obj/geo${i}/file1.parm`, parm(`$HIP/geo/g${i}.bgeo`)],
      );
    }
    const file = write('many.hip', cpio(sections));
    const scan = await scanScene(file, { limits: { maxSections: 1000 } });
    expect(scan.details.sections).toBe(1000);
    expect(scan.references).toHaveLength(500);
    expect(scan.references[0]).toMatchObject({
      path: '$HIP/geo/g0.bgeo',
      location: { name: 'file /obj/geo0/file1.file' },
    });
    expect(scan.notes.join('\n')).toMatch(/only the first 1000 sections were read \(limits\.maxSections\)/);
  });

  it('a huge parameter section is passed over with a note; a huge data section silently', async () => {
    const file = write(
      'huge.hip',
      cpio([
        ['obj/a/file1.parm', parm('$HIP/a.bgeo')],
        ['obj/b/file1.parm', parm(`$HIP/${'b'.repeat(BIG)}.bgeo`)],
        ['obj/c/file1.data', new Uint8Array(BIG)],
        ['obj/d/file1.parm', parm('$HIP/d.bgeo')],
      ]),
    );
    const scan = await scanScene(file);
    expect(scan.references.map((r) => r.path)).toEqual(['$HIP/a.bgeo', '$HIP/d.bgeo']);
    expect(scan.notes.join('\n')).toMatch(
      /1 parameter section\(s\) longer than 1 MiB \(limits\.maxRecordLength\)/,
    );
  });

  it('a section declaring more bytes than the file has: an error at its header', async () => {
    const bytes = cpio([['obj/a/file1.parm', parm('$HIP/a.bgeo')]]);
    bytes.write('77777777777', 65, 'latin1');
    const error = await failure(scanScene(write('lie.hip', bytes)));
    expect(error).toMatchObject({ offset: 0 });
    expect(error.message).toMatch(/section of 8589934591 bytes runs past the end/);
  });
});

describe('library chains: cycles end, depth and file count are capped', () => {
  /** `count` USD layers in a chain (or a cycle, the last naming the first). */
  function chain(count: number, cycle: boolean): string {
    const dir = tempDir('gm-preflight-chain-');
    for (let i = 0; i < count; i++) {
      const next = i + 1 < count ? `l${i + 1}.usda` : cycle ? 'l0.usda' : undefined;
      const body = next ? `(\n    subLayers = [@${next}@]\n)\n` : '';
      writeFileSync(join(dir, `l${i}.usda`), `#usda 1.0\n${body}def "P${i}" { asset tex = @t${i}.png@ }\n`);
    }
    return join(dir, 'l0.usda');
  }

  it('a cycle of 1,000 layers stops at the depth cap with a note', async () => {
    const scan = await scanScene(chain(1000, true));
    // l0 .. l16 are read: 17 layers, each naming the next and its texture.
    expect(scan.references).toHaveLength(34);
    expect(scan.notes).toEqual([
      '1 linked librar(ies) or referenced scene(s) not read: nested more than 16 deep (limits.maxLibraryDepth)',
    ]);
  });

  it('a short cycle ends by reading each layer once', async () => {
    const scan = await scanScene(chain(3, true));
    expect(scan.references.map((r) => r.path)).toEqual([
      'l1.usda',
      'l2.usda',
      'l0.usda',
      't2.png',
      't1.png',
      't0.png',
    ]);
    expect(scan.notes).toEqual([]);
  });

  it('more libraries than maxLibraries: the rest are listed, not read, with a note', async () => {
    const dir = tempDir('gm-preflight-wide-');
    const names = Array.from({ length: 40 }, (_, i) => `w${i}.usda`);
    for (const name of names) writeFileSync(join(dir, name), '#usda 1.0\ndef "X" { asset tex = @t.png@ }\n');
    const root = join(dir, 'root.usda');
    writeFileSync(root, `#usda 1.0\n(\n    subLayers = [${names.map((n) => `@${n}@`).join(', ')}]\n)\n`);
    const scan = await scanScene(root, { limits: { maxLibraries: 10 } });
    expect(scan.references.filter((r) => r.kind === 'referenced-scene')).toHaveLength(40);
    expect(scan.references.filter((r) => r.path === 't.png')).toHaveLength(10);
    expect(scan.notes).toEqual([
      '30 linked librar(ies) or referenced scene(s) not read: more than 10 read in one scan (limits.maxLibraries); their own references are not listed',
    ]);
  });

  it('.vrscene includes nested past the depth cap end with a note', async () => {
    const dir = tempDir('gm-preflight-inc-');
    for (let i = 0; i < 30; i++) {
      writeFileSync(join(dir, `i${i}.vrscene`), `#include "i${i + 1}.vrscene"\n`);
    }
    const scan = await scanScene(join(dir, 'i0.vrscene'), { limits: { maxLibraryDepth: 5 } });
    expect(scan.references).toHaveLength(6);
    expect(scan.notes.join('\n')).toMatch(/i6\.vrscene not read: includes nested more than 5 deep/);
  });
});

describe('limits', () => {
  it('a limit that is not a positive number, or no limit at all, is a RangeError naming it', async () => {
    const scene = fixture('blend', 'scene.blend');
    await expect(scanScene(scene, { limits: { maxReferences: 0 } })).rejects.toThrow(
      new RangeError('limits.maxReferences must be a positive number, not 0'),
    );
    await expect(scanScene(scene, { limits: { maxDepth: 3 } as never })).rejects.toThrow(
      /limits\.maxDepth is not a scan limit \(known: maxValueLength, /,
    );
    expect(
      (await scanScene(scene, { limits: { maxReferences: undefined } })).references.length,
    ).toBeGreaterThan(0);
  });
});
