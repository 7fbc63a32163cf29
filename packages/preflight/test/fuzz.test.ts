/**
 * Every reader, fed random bytes and mutated fixtures, returns a result or throws a PreflightError: never another
 * error, never a hang (each run is bounded by the test timeout).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PreflightError, scanScene } from '../src/index.js';
import { fixture, tempDir } from './helpers.js';

const DIR = tempDir('gm-preflight-fuzz-');
let counter = 0;

async function outcome(ext: string, bytes: Uint8Array): Promise<'result' | 'typed-error'> {
  const file = join(DIR, `f${counter++}${ext}`);
  writeFileSync(file, bytes);
  try {
    const scan = await scanScene(file, { followLibraries: false });
    expect(Array.isArray(scan.references)).toBe(true);
    return 'result';
  } catch (error) {
    if (error instanceof PreflightError) {
      expect(error.file).toBe(file);
      return 'typed-error';
    }
    throw error;
  }
}

const SEEDS: [string, Uint8Array][] = [
  ['.blend', readFileSync(fixture('blend', 'libs', 'library.blend'))], // zstd
  ['.blend', gzipSync(readFileSync(fixture('blend', 'scene.blend')).subarray(0, 40_000))],
  ['.nk', readFileSync(fixture('nuke', 'comp.nk'))],
  ['.ma', readFileSync(fixture('maya', 'scenes', 'shot.ma'))],
  ['.vrscene', readFileSync(fixture('vray', 'materials.vrscene'))],
  ['.usda', readFileSync(fixture('usd', 'shot.usda'))],
  ['.usdc', readFileSync(fixture('usd', 'crate', 'shot.usdc'))],
  ['.usdz', readFileSync(fixture('usd', 'crate', 'package.usdz'))],
  ['.usdz', readFileSync(fixture('usd', 'zip64', 'python_zip64.usdz'))],
  ['.hip', readFileSync(fixture('houdini', 'scene.hip'))],
  ['.hiplc', readFileSync(fixture('houdini', 'scene_mime.hiplc'))],
];

/** A small, uncompressed .blend made from the real one: its header, first blocks, the SDNA block and ENDB. */
function smallBlend(): Uint8Array {
  const scene = readFileSync(fixture('blend', 'scene.blend'));
  const parts: Buffer[] = [scene.subarray(0, 12)];
  let at = 12;
  let kept = 0;
  for (;;) {
    const code = scene.toString('latin1', at, at + 4);
    const len = scene.readInt32LE(at + 4);
    const block = scene.subarray(at, at + 24 + len);
    if (code === 'DNA1' || code === 'ENDB' || code.startsWith('IM') || code.startsWith('LI') || kept++ < 3) {
      parts.push(block);
    }
    if (code === 'ENDB') break;
    at += 24 + len;
  }
  return Buffer.concat(parts);
}

const BLEND = smallBlend();

const mutation = (seed: Uint8Array) =>
  fc.oneof(
    // flip some bytes
    fc
      .array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      })
      .map((flips) => {
        const copy = Uint8Array.from(seed);
        for (const [i, v] of flips) copy[i] = v;
        return copy;
      }),
    // cut
    fc.nat(seed.length).map((n) => seed.subarray(0, n)),
    // insert random bytes
    fc
      .tuple(fc.nat(seed.length), fc.uint8Array({ minLength: 1, maxLength: 16 }))
      .map(([i, bytes]) => Uint8Array.from([...seed.subarray(0, i), ...bytes, ...seed.subarray(i)])),
  );

describe('fuzz: every reader answers with a result or a typed error', () => {
  for (const ext of [
    '.blend',
    '.nk',
    '.ma',
    '.vrscene',
    '.usda',
    '.usd',
    '.usdc',
    '.usdz',
    '.hip',
    '.hipnc',
  ]) {
    it(`random bytes as ${ext}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
          await outcome(ext, bytes);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('random bytes after each format’s magic', async () => {
    const magics: [string, string][] = [
      ['.blend', 'BLENDER-v304'],
      ['.blend', 'BLENDER_V279'],
      ['.blend', 'BLENDER17-01v0500'],
      ['.blend', '\x28\xb5\x2f\xfd'],
      ['.blend', '\x1f\x8b\x08\x00'],
      ['.ma', '//Maya ASCII 2022 scene\n'],
      ['.usda', '#usda 1.0\n'],
      ['.usdc', 'PXR-USDC\x00\x08\x00\x00\x00\x00\x00\x00'],
      ['.usdz', 'PK\x03\x04'],
      ['.hip', '070707'],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...magics),
        fc.uint8Array({ maxLength: 1024 }),
        async ([ext, magic], tail) => {
          await outcome(ext, Uint8Array.from([...Buffer.from(magic, 'latin1'), ...tail]));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('mutated real .blend (uncompressed)', async () => {
    await fc.assert(
      fc.asyncProperty(mutation(BLEND), async (bytes) => {
        await outcome('.blend', bytes);
      }),
      { numRuns: 150 },
    );
  });

  for (const [ext, seed] of SEEDS) {
    it(`mutated fixture ${ext} (${seed.length} bytes)`, async () => {
      await fc.assert(
        fc.asyncProperty(mutation(seed), async (bytes) => {
          await outcome(ext, bytes);
        }),
        { numRuns: ext === '.blend' ? 25 : 80 },
      );
    });
  }
});
