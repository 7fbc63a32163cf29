/** One struct as Blender's DNA declares it: its type name and its fields as `[type, name]` (`*ptr`, `arr[4]`). */
export interface StructSpec {
  type: string;
  fields: readonly (readonly [type: string, name: string])[];
}

/** A value of a field: a number, text for `char[]`, an address for a pointer, an object for a nested struct. */
export type FieldValue = number | bigint | string | { [field: string]: FieldValue };

/** The layout of the declared structs (64-bit pointers, little-endian), and the SDNA describing them. */
export class BlendLayout {
  constructor(structs: readonly StructSpec[]);
  /** Bytes of struct or basic type `type`. */
  sizeOf(type: string): number;
  /** The SDNA index of struct `type`. */
  index(type: string): number;
  /** One struct `type` with `values` by field name; the rest zero. */
  pack(type: string, values?: Record<string, FieldValue>): Buffer;
  /** The data of the SDNA block (`DNA1`). */
  sdna(): Buffer;
}

/** A block: data (a string is written NUL-terminated), the struct it holds (none: SDNA index 0), its address. */
export interface BlockSpec {
  code?: string;
  struct?: string;
  address: number | bigint;
  data: Uint8Array | string;
  /** Elements the block header declares (default: 1 for a struct, the length for a string). */
  count?: number;
}

/** A 64-bit little-endian .blend of version `version` (three digits, default `404`): header, blocks, SDNA, ENDB. */
export function writeBlend(layout: BlendLayout, blocks: readonly BlockSpec[], version?: string): Buffer;
