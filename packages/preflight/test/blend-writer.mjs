/**
 * A small .blend writer for tests: the 12-byte header of a 64-bit little-endian file, DATA blocks of structs the
 * caller declares, the SDNA block describing those structs, and ENDB. It writes what Blender's file format holds
 * (block headers: code, length, old address, SDNA index, count; the SDNA: NAME, TYPE, TLEN, STRC), nothing more:
 * the structs are the caller's, with the field names of Blender's DNA headers.
 */

/** Sizes of the basic types of Blender's DNA. */
const BASIC = {
  char: 1,
  uchar: 1,
  int8_t: 1,
  uint8_t: 1,
  short: 2,
  ushort: 2,
  uint16_t: 2,
  int: 4,
  uint32_t: 4,
  float: 4,
  int64_t: 8,
  uint64_t: 8,
  double: 8,
  void: 0,
};

const POINTER = 8;

function isPointer(name) {
  return name.startsWith('*') || name.startsWith('(*');
}

function baseName(name) {
  return name
    .replace(/^\(?\*+/, '')
    .replace(/\).*$/, '')
    .replace(/\[.*$/, '');
}

function arrayCount(name) {
  let n = 1;
  for (const m of name.matchAll(/\[(\d+)\]/g)) n *= Number(m[1]);
  return n;
}

/** The layout of the declared structs: see blend-writer.d.mts. */
export class BlendLayout {
  constructor(structs) {
    this.structs = structs;
    this.types = [...Object.keys(BASIC)];
    this.lengths = new Map(Object.entries(BASIC));
    this.names = [];
    const typeOf = (t) => {
      if (!this.types.includes(t)) this.types.push(t);
      return this.types.indexOf(t);
    };
    const nameOf = (n) => {
      if (!this.names.includes(n)) this.names.push(n);
      return this.names.indexOf(n);
    };
    this.fields = new Map();
    for (const s of structs) {
      typeOf(s.type);
      let offset = 0;
      const fields = new Map();
      for (const [type, name] of s.fields) {
        typeOf(type);
        nameOf(name);
        const size = isPointer(name) ? POINTER : this.sizeOf(type) * arrayCount(name);
        fields.set(baseName(name), { type, name, offset, size, pointer: isPointer(name) });
        offset += size;
      }
      this.lengths.set(s.type, offset);
      this.fields.set(s.type, fields);
    }
    for (const t of this.types) if (!this.lengths.has(t)) this.lengths.set(t, 0);
  }

  sizeOf(type) {
    const size = this.lengths.get(type);
    if (size === undefined) throw new Error(`struct ${type} used before it is declared`);
    return size;
  }

  /** The SDNA index of struct `type`. */
  index(type) {
    const i = this.structs.findIndex((s) => s.type === type);
    if (i < 0) throw new Error(`no struct ${type}`);
    return i;
  }

  /** One struct `type` with `values` by field name (nested structs as objects; pointers as addresses). */
  pack(type, values = {}) {
    const out = Buffer.alloc(this.sizeOf(type));
    this.#fill(out, 0, type, values);
    return out;
  }

  #fill(out, at, type, values) {
    const fields = this.fields.get(type);
    for (const [name, value] of Object.entries(values)) {
      const f = fields.get(name);
      if (!f) throw new Error(`struct ${type} has no field ${name}`);
      const p = at + f.offset;
      if (f.pointer) out.writeBigUInt64LE(BigInt(value), p);
      else if (typeof value === 'string') out.write(value, p, Math.min(f.size, value.length), 'latin1');
      else if (typeof value === 'object') this.#fill(out, p, f.type, value);
      else if (f.size === 1) out.writeInt8(value, p);
      else if (f.size === 2) out.writeInt16LE(value, p);
      else if (f.size === 4) out.writeInt32LE(value | 0, p);
      else if (f.size === 8) out.writeBigInt64LE(BigInt(value), p);
      else throw new Error(`field ${type}.${name} of ${f.size} bytes cannot hold a number`);
    }
  }

  /** The SDNA block's data. */
  sdna() {
    const parts = [];
    const align = () => {
      const len = parts.reduce((n, b) => n + b.length, 0);
      if (len % 4) parts.push(Buffer.alloc(4 - (len % 4)));
    };
    const int = (n) => {
      const b = Buffer.alloc(4);
      b.writeInt32LE(n);
      return b;
    };
    const shorts = (list) => {
      const b = Buffer.alloc(2 * list.length);
      for (const [i, v] of list.entries()) b.writeInt16LE(v, 2 * i);
      return b;
    };
    const strings = (list) => Buffer.concat(list.map((s) => Buffer.from(`${s}\0`, 'latin1')));
    parts.push(Buffer.from('SDNANAME', 'latin1'), int(this.names.length), strings(this.names));
    align();
    parts.push(Buffer.from('TYPE', 'latin1'), int(this.types.length), strings(this.types));
    align();
    parts.push(Buffer.from('TLEN', 'latin1'), shorts(this.types.map((t) => this.lengths.get(t))));
    align();
    parts.push(Buffer.from('STRC', 'latin1'), int(this.structs.length));
    for (const s of this.structs) {
      const list = [this.types.indexOf(s.type), s.fields.length];
      for (const [type, name] of s.fields) list.push(this.types.indexOf(type), this.names.indexOf(name));
      parts.push(shorts(list));
    }
    return Buffer.concat(parts);
  }
}

function blockHeader(code, length, address, sdna, count) {
  const h = Buffer.alloc(24);
  h.write(code, 0, 'latin1');
  h.writeInt32LE(length, 4);
  h.writeBigUInt64LE(BigInt(address), 8);
  h.writeInt32LE(sdna, 16);
  h.writeInt32LE(count, 20);
  return h;
}

/** A whole .blend file: see blend-writer.d.mts. */
export function writeBlend(layout, blocks, version = '404') {
  const parts = [Buffer.from(`BLENDER-v${version}`, 'latin1')];
  for (const b of blocks) {
    const data = typeof b.data === 'string' ? Buffer.from(`${b.data}\0`, 'latin1') : b.data;
    const sdna = b.struct === undefined ? 0 : layout.index(b.struct);
    const count = b.count ?? (b.struct === undefined ? data.length : 1);
    parts.push(blockHeader(b.code ?? 'DATA', data.length, b.address, sdna, count), data);
  }
  const dna = layout.sdna();
  parts.push(blockHeader('DNA1', dna.length, 1, 0, 1), dna);
  parts.push(blockHeader('ENDB', 0, 0, 0, 0));
  return Buffer.concat(parts);
}
