/** A part of a zstd frame's content: bytes as they are, or a run of zeros. */
export type ZstdPart = Uint8Array | { zeros: number };

/**
 * One zstd frame of `parts`: raw blocks for bytes, RLE blocks for zeros. `contentSize` writes the
 * Frame_Content_Size (`true`, the default: the real one; a number: that number; `false`: none); `windowLog` sets
 * the window asked for (default 17, 128 KiB).
 */
export function zstdFrame(
  parts: readonly ZstdPart[],
  options?: { contentSize?: boolean | number; windowLog?: number },
): Buffer;

/** The uncompressed fixture scene (Blender 3.4, little-endian, 64-bit). */
export const SCENE: Buffer;

/** The offset of the SDNA block (`DNA1`) of a Blender 3.x little-endian 64-bit .blend. */
export function dnaOffset(scene?: Uint8Array): number;

/** A block header (24 bytes) declaring `length` bytes. */
export function blockHeader(length: number, code?: string): Buffer;

/**
 * The fixture scene split around a huge block inserted before its SDNA: `before` (header, blocks, the huge block's
 * header), then the block's `zeros` (not included), and `after` (SDNA and ENDB); `at` is the huge block's offset.
 * `declared` is what the block header says (default: `zeros`).
 */
export function sceneWithHugeBlock(
  zeros: number,
  declared?: number,
): { before: Buffer; after: Buffer; at: number };
