/**
 * Hostile inputs for the bounds tests and the benchmark, generated small: zstd frames written by hand (raw blocks
 * for real bytes, RLE blocks for runs of zeros: 4 bytes of file per 128 KiB of output) and .blend files with a
 * huge block inserted before the SDNA.
 */
import { readFileSync } from 'node:fs';
import { fixture } from './helpers.js';

/** A part of a zstd frame's content: bytes as they are, or a run of zeros. */
export type ZstdPart = Uint8Array | { zeros: number };

const BLOCK = 128 * 1024;

/**
 * One zstd frame of `parts`: raw blocks for bytes, RLE blocks for zeros. `contentSize` writes the
 * Frame_Content_Size (the real one, or the number given); `windowLog` sets the window asked for (default 17).
 */
export function zstdFrame(
  parts: readonly ZstdPart[],
  options: { contentSize?: boolean | number; windowLog?: number } = {},
): Buffer {
  const blocks: Buffer[] = [];
  const headers: Buffer[] = [];
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
  // Mark the last block.
  headers[headers.length - 1]![0]! |= 1;
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
export const SCENE = readFileSync(fixture('blend', 'scene.blend'));

/** The offset of the SDNA block (`DNA1`) of a Blender 3.x little-endian 64-bit .blend. */
export function dnaOffset(scene: Uint8Array = SCENE): number {
  const view = Buffer.from(scene.buffer, scene.byteOffset, scene.byteLength);
  let at = 12;
  while (view.toString('latin1', at, at + 4) !== 'DNA1') at += 24 + view.readInt32LE(at + 4);
  return at;
}

/** A `DATA` block header declaring `length` bytes. */
export function blockHeader(length: number, code = 'DATA'): Buffer {
  const h = Buffer.alloc(24);
  h.write(code, 0, 'latin1');
  h.writeInt32LE(length, 4);
  h.writeBigUInt64LE(0x7f0000000000n, 8);
  h.writeInt32LE(0, 16);
  h.writeInt32LE(1, 20);
  return h;
}

/**
 * The fixture scene split around a huge block inserted before its SDNA: `before` (header, blocks, the huge
 * block's header), the block's `zeros`, and `after` (SDNA and ENDB). `declared` is what the block header says
 * (default: `zeros`).
 */
export function sceneWithHugeBlock(
  zeros: number,
  declared = zeros,
): { before: Buffer; after: Buffer; at: number } {
  const at = dnaOffset();
  return {
    before: Buffer.concat([SCENE.subarray(0, at), blockHeader(declared)]),
    after: SCENE.subarray(at),
    at,
  };
}
