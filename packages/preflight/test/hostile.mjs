// Hostile inputs for the bounds tests (test/bounds.test.ts) and the benchmark (bench/preflight-hostile.mjs),
// generated small: zstd frames written by hand (raw blocks for real bytes, RLE blocks for runs of zeros: 4 bytes
// of file per 128 KiB of output) and .blend files with a huge block inserted before the SDNA. Types: hostile.d.mts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BLOCK = 128 * 1024;

/** One zstd frame of `parts` (bytes, or `{ zeros }`): see hostile.d.mts. */
export function zstdFrame(parts, options = {}) {
  const blocks = [];
  const headers = [];
  let total = 0;
  for (const part of parts) {
    if (part instanceof Uint8Array) {
      for (let at = 0; at < part.length; at += BLOCK) {
        const piece = part.subarray(at, Math.min(part.length, at + BLOCK));
        const header = Buffer.alloc(3);
        header.writeUIntLE(piece.length << 3, 0, 3);
        blocks.push(header, Buffer.from(piece));
        headers.push(header);
        total += piece.length;
      }
    } else {
      for (let left = part.zeros; left > 0; left -= BLOCK) {
        const size = Math.min(left, BLOCK);
        const header = Buffer.alloc(4);
        header.writeUIntLE((size << 3) | (1 << 1), 0, 3);
        blocks.push(header);
        headers.push(header);
        total += size;
      }
    }
  }
  headers[headers.length - 1][0] |= 1; // the last block
  const withSize = options.contentSize !== false;
  const head = Buffer.alloc(6 + (withSize ? 8 : 0));
  head.writeUInt32LE(0xfd2fb528, 0);
  head[4] = withSize ? 0xc0 : 0x00;
  head[5] = ((options.windowLog ?? 17) - 10) << 3;
  if (withSize) {
    head.writeBigUInt64LE(BigInt(typeof options.contentSize === 'number' ? options.contentSize : total), 6);
  }
  return Buffer.concat([head, ...blocks]);
}

/** The uncompressed fixture scene. */
export const SCENE = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'blend', 'scene.blend'),
);

/** The offset of the SDNA block (`DNA1`) of a Blender 3.x little-endian 64-bit .blend. */
export function dnaOffset(scene = SCENE) {
  const view = Buffer.from(scene.buffer, scene.byteOffset, scene.byteLength);
  let at = 12;
  while (view.toString('latin1', at, at + 4) !== 'DNA1') at += 24 + view.readInt32LE(at + 4);
  return at;
}

/** A block header declaring `length` bytes. */
export function blockHeader(length, code = 'DATA') {
  const h = Buffer.alloc(24);
  h.write(code, 0, 'latin1');
  h.writeInt32LE(length, 4);
  h.writeBigUInt64LE(0x7f0000000000n, 8);
  h.writeInt32LE(0, 16);
  h.writeInt32LE(1, 20);
  return h;
}

/** The fixture scene split around a huge block inserted before its SDNA: see hostile.d.mts. */
export function sceneWithHugeBlock(zeros, declared = zeros) {
  const at = dnaOffset();
  return {
    before: Buffer.concat([SCENE.subarray(0, at), blockHeader(declared)]),
    after: SCENE.subarray(at),
    at,
  };
}
