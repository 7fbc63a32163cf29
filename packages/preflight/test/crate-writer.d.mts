/** Spec types (SdfSpecType) the writer uses. */
export const SPEC: { attribute: 1; prim: 6; pseudoRoot: 7; variant: 10; variantSet: 11 };

/** An LZ4 buffer as TfFastCompression writes one chunk: a zero byte, then one block of literals. */
export function lz4Literals(bytes: Uint8Array): Buffer;

/** The crate integer coding of `ints`, LZ4-wrapped, with its u64 compressed size first. */
export function compressedInts(ints: readonly number[]): Buffer;

/** `n` as 8 little-endian bytes. */
export function u64(n: number | bigint): Buffer;

/** A value the writer can store in a field. */
export type CrateValue =
  | { asset: string }
  | { assets: string[] }
  | { subLayers: string[] }
  | { references: string[] }
  | { payloads: string[] }
  | { dict: Record<string, CrateValue> }
  | { timeSamples: [number, CrateValue][] }
  | { string: string }
  | { token: string }
  | { double: number }
  | { floats: number };

/** A crate layer under construction. */
export class CrateWriter {
  /** `version`: the crate version written (default `[0, 8, 0]`); before 0.4.0 the sections are not compressed. */
  constructor(options?: { version?: [number, number, number] });
  token(t: string): number;
  string(s: string): number;
  spec(path: string, type: keyof typeof SPEC, fields?: [string, CrateValue][]): this;
  bytes(): Buffer;
}

/** A `.usdz`: a zip archive of `files` (the root layer first), stored, 64-byte aligned. */
export function usdz(files: [string, Uint8Array][]): Buffer;
