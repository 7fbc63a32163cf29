import { inflateSync } from 'node:zlib';
import { crc32, PNG_SIGNATURE } from '../src/png.js';

/** Checks a PNG fully (signature, chunk CRCs, IHDR/IDAT/IEND, pixel data size); returns width and height. */
export function checkPng(buf: Buffer): { width: number; height: number } {
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('bad signature');
  let at = 8;
  const types: string[] = [];
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  while (at < buf.length) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('ascii', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    const crc = buf.readUInt32BE(at + 8 + len);
    if (crc32(buf.subarray(at + 4, at + 8 + len)) !== crc) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    }
    if (type === 'IDAT') idat.push(data);
    types.push(type);
    at += 12 + len;
  }
  if (types[0] !== 'IHDR' || types.at(-1) !== 'IEND' || idat.length === 0)
    throw new Error(`bad chunks ${types}`);
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== (width * 3 + 1) * height) throw new Error('bad pixel data size');
  return { width, height };
}
