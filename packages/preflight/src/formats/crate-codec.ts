/**
 * The two codings of USD crate files (`.usdc`), written from the layout described in OpenUSD's public source
 * (`TfFastCompression` and `Usd_IntegerCompression`): LZ4 blocks, optionally split in chunks behind a one-byte
 * chunk count, and 32-bit integers stored as differences from the previous value with a 2-bit size code each
 * (the most common difference, or 1, 2 or 4 bytes), the whole LZ4-compressed. Every output size is checked before
 * anything is allocated: `fail` is called (and must throw) on any inconsistency.
 */

/** Throws: the detail says what is wrong, `at` where (an offset the caller knows how to place). */
export type CodecFail = (detail: string) => never;

/** Decodes one LZ4 block of `src` into `out` (which bounds it); returns the bytes written. */
export function lz4Block(src: Uint8Array, out: Uint8Array, outStart: number, fail: CodecFail): number {
  let s = 0;
  let d = outStart;
  const end = src.length;
  while (s < end) {
    const token = src[s++]!;
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (s >= end) fail('an LZ4 literal length runs past its block');
        b = src[s++]!;
        literals += b;
      } while (b === 255);
    }
    if (s + literals > end) fail('LZ4 literals run past their block');
    if (d + literals > out.length) fail('an LZ4 block decompresses to more than it declares');
    out.set(src.subarray(s, s + literals), d);
    s += literals;
    d += literals;
    if (s >= end) break; // the last sequence has literals only
    if (s + 2 > end) fail('an LZ4 match offset is cut short');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0 || offset > d - outStart)
      fail(`an LZ4 match refers ${offset} bytes back, before its data`);
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (s >= end) fail('an LZ4 match length runs past its block');
        b = src[s++]!;
        length += b;
      } while (b === 255);
    }
    length += 4;
    if (d + length > out.length) fail('an LZ4 block decompresses to more than it declares');
    let m = d - offset;
    if (offset >= length) {
      out.copyWithin(d, m, m + length);
      d += length;
    } else {
      for (let i = 0; i < length; i++) out[d++] = out[m++]!;
    }
  }
  return d - outStart;
}

/** The largest input of one LZ4 chunk in `TfFastCompression` (LZ4_MAX_INPUT_SIZE). */
const LZ4_MAX_INPUT = 0x7e000000;

/**
 * Decompresses a `TfFastCompression` buffer into at most `size` bytes (the size the file declares, already
 * checked against the limits by the caller); returns the bytes written.
 */
export function fastDecompress(src: Uint8Array, size: number, fail: CodecFail): Uint8Array {
  if (src.length === 0) fail('a compressed buffer is empty');
  const out = new Uint8Array(size);
  const chunks = (src[0]! << 24) >> 24; // a signed char, as written
  let written = 0;
  if (chunks === 0) {
    written = lz4Block(src.subarray(1), out, 0, fail);
  } else {
    if (chunks < 0) fail(`a compressed buffer declares ${chunks} chunks`);
    let p = 1;
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    for (let i = 0; i < chunks; i++) {
      if (p + 4 > src.length) fail('an LZ4 chunk header is cut short');
      const n = view.getInt32(p, true);
      p += 4;
      if (n < 0 || p + n > src.length) fail(`an LZ4 chunk of ${n} bytes runs past its buffer`);
      const room = Math.min(LZ4_MAX_INPUT, size - written);
      written += lz4Block(src.subarray(p, p + n), out.subarray(0, written + room), written, fail);
      p += n;
    }
  }
  return out.subarray(0, written);
}

/** Bytes of the integer coding of `n` 32-bit integers at most (before LZ4). */
export function encodedIntsSize(n: number): number {
  return n === 0 ? 0 : 4 + Math.floor((n * 2 + 7) / 8) + n * 4;
}

/**
 * Decodes `n` integers of the crate integer coding from `data` (the LZ4-decompressed buffer), as signed 32-bit
 * values (callers read indexes as unsigned with `>>> 0`).
 */
export function decodeInts(data: Uint8Array, n: number, fail: CodecFail): Int32Array {
  const out = new Int32Array(n);
  if (n === 0) return out;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 4) fail('coded integers are cut short');
  const common = view.getInt32(0, true);
  const codes = 4;
  let ints = 4 + Math.floor((n * 2 + 7) / 8);
  if (ints > data.length) fail('coded integers are cut short');
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const code = (data[codes + (i >> 2)]! >> ((i & 3) * 2)) & 3;
    if (code === 0) {
      prev = (prev + common) | 0;
    } else if (code === 1) {
      if (ints + 1 > data.length) fail('coded integers are cut short');
      prev = (prev + view.getInt8(ints)) | 0;
      ints += 1;
    } else if (code === 2) {
      if (ints + 2 > data.length) fail('coded integers are cut short');
      prev = (prev + view.getInt16(ints, true)) | 0;
      ints += 2;
    } else {
      if (ints + 4 > data.length) fail('coded integers are cut short');
      prev = (prev + view.getInt32(ints, true)) | 0;
      ints += 4;
    }
    out[i] = prev;
  }
  return out;
}
