// Writes USD crate files (`.usdc`, version 0.8.0) from the layout OpenUSD's public source describes (bootstrap,
// table of contents, TOKENS/STRINGS/FIELDS/FIELDSETS/PATHS/SPECS sections, LZ4 buffers behind a chunk-count byte,
// integers as differences with 2-bit size codes), and `.usdz` packages (zip, entries stored). The LZ4 blocks it
// writes hold literals only, and every integer takes the 4-byte code: both are valid forms any crate reader must
// accept. Used by the fixtures' maker (fixtures/usd/make_crate.mjs), the tests of bounds and the benchmark.

/** Spec types (SdfSpecType). */
export const SPEC = { attribute: 1, prim: 6, pseudoRoot: 7, variant: 10, variantSet: 11 };

/** An LZ4 buffer as TfFastCompression writes one chunk: a zero byte, then one block of literals. */
export function lz4Literals(bytes) {
  const n = bytes.length;
  const head = [Math.min(n, 15) << 4];
  if (n >= 15) {
    let rest = n - 15;
    while (rest >= 255) {
      head.push(255);
      rest -= 255;
    }
    head.push(rest);
  }
  return Buffer.concat([Buffer.from([0, ...head]), Buffer.from(bytes)]);
}

/** The crate integer coding of `ints` (every one as a 4-byte difference), LZ4-wrapped, with its u64 size first. */
export function compressedInts(ints) {
  const n = ints.length;
  if (n === 0) return u64(0);
  const codes = Math.floor((n * 2 + 7) / 8);
  const out = Buffer.alloc(4 + codes + n * 4);
  out.writeInt32LE(0, 0);
  for (let i = 0; i < n; i++) out[4 + (i >> 2)] |= 3 << ((i & 3) * 2);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    out.writeInt32LE((ints[i] - prev) | 0, 4 + codes + i * 4);
    prev = ints[i];
  }
  const lz = lz4Literals(out);
  return Buffer.concat([u64(lz.length), lz]);
}

export function u64(n) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}
function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function i64(n) {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return b;
}
function rep(type, { array = false, inlined = false, payload = 0 } = {}) {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(payload % 2 ** 32, 0);
  const hi =
    (array ? 0x80000000 : 0) |
    (inlined ? 0x40000000 : 0) |
    ((type & 0xff) << 16) |
    Math.floor(payload / 2 ** 32);
  b.writeUInt32LE(hi >>> 0, 4);
  return b;
}

/** `/World/Tex.inputs:file` → `[['World', false], ['Tex', false], ['inputs:file', true]]`; `{v=x}` is an element. */
function elements(path) {
  const out = [];
  for (const m of path.matchAll(/\/([^/{.]+)|(\{[^}]*\})|\.(.+)$/g)) {
    if (m[1] !== undefined) out.push([m[1], false]);
    else if (m[2] !== undefined) out.push([m[2], false]);
    else out.push([m[3], true]);
  }
  return out;
}

/**
 * A crate layer under construction. Values: `{ asset }`, `{ assets: [] }`, `{ subLayers: [] }`,
 * `{ references: [] }`, `{ payloads: [] }`, `{ dict: { key: value } }`, `{ timeSamples: [[time, value]] }`,
 * `{ string }`, `{ token }`, `{ double }`, `{ floats: count }` (an array of floats, never read by preflight).
 */
export class CrateWriter {
  #version;
  #tokens = new Map();
  #strings = new Map();
  #data = [];
  #at = 88;
  #specs = [];

  /** `version`: the crate version written, `[0, 8, 0]` by default; before 0.4.0 the sections are not compressed. */
  constructor({ version = [0, 8, 0] } = {}) {
    this.#version = version;
  }

  #atLeast(a, b, c) {
    const [x, y, z] = this.#version;
    return x !== a ? x > a : y !== b ? y > b : z >= c;
  }

  token(t) {
    if (!this.#tokens.has(t)) this.#tokens.set(t, this.#tokens.size);
    return this.#tokens.get(t);
  }
  string(s) {
    const t = this.token(s);
    if (!this.#strings.has(t)) this.#strings.set(t, this.#strings.size);
    return this.#strings.get(t);
  }
  #write(bytes) {
    const at = this.#at;
    this.#data.push(bytes);
    this.#at += bytes.length;
    return at;
  }
  #align() {
    if (this.#at % 8) this.#write(Buffer.alloc(8 - (this.#at % 8)));
  }

  /** The value rep of `value`, its data written. */
  value(value) {
    if ('asset' in value) return rep(12, { inlined: true, payload: this.token(value.asset) });
    if ('string' in value) return rep(10, { inlined: true, payload: this.string(value.string) });
    if ('token' in value) return rep(11, { inlined: true, payload: this.token(value.token) });
    if ('double' in value && Math.fround(value.double) === value.double) {
      // A double a float holds exactly is inlined as that float, as OpenUSD's writer does.
      const f = Buffer.alloc(4);
      f.writeFloatLE(value.double);
      return rep(9, { inlined: true, payload: f.readUInt32LE(0) });
    }
    this.#align();
    if ('double' in value) {
      const d = Buffer.alloc(8);
      d.writeDoubleLE(value.double);
      return rep(9, { payload: this.#write(d) });
    }
    if ('assets' in value) {
      const count = this.#atLeast(0, 7, 0)
        ? u64(value.assets.length)
        : Buffer.concat([...(this.#atLeast(0, 5, 0) ? [] : [u32(1)]), u32(value.assets.length)]);
      const at = this.#write(Buffer.concat([count, ...value.assets.map((a) => u32(this.string(a)))]));
      return rep(12, { array: true, payload: at });
    }
    if ('floats' in value) {
      const at = this.#write(Buffer.concat([u64(value.floats), Buffer.alloc(value.floats * 4, 0x3f)]));
      return rep(8, { array: true, payload: at });
    }
    if ('subLayers' in value) {
      const at = this.#write(
        Buffer.concat([u64(value.subLayers.length), ...value.subLayers.map((a) => u32(this.string(a)))]),
      );
      return rep(50, { payload: at });
    }
    if ('references' in value || 'payloads' in value) {
      const items = value.references ?? value.payloads;
      const parts = [Buffer.from([32]), u64(items.length)]; // prepended items
      const offset = Buffer.alloc(16);
      offset.writeDoubleLE(1, 8);
      for (const item of items) {
        parts.push(u32(this.string(item)), u32(0));
        if (value.references || this.#atLeast(0, 8, 0)) parts.push(offset); // payloads have one from 0.8.0
        if (value.references) parts.push(u64(0)); // no custom data
      }
      return rep(value.references ? 35 : 55, { payload: this.#write(Buffer.concat(parts)) });
    }
    if ('dict' in value) {
      const entries = Object.entries(value.dict).map(([k, v]) => [this.string(k), this.value(v)]);
      this.#align();
      const parts = [u64(entries.length)];
      for (const [k, r] of entries) parts.push(u32(k), i64(8), r);
      return rep(31, { payload: this.#write(Buffer.concat(parts)) });
    }
    if ('timeSamples' in value) {
      const times = Buffer.alloc(value.timeSamples.length * 8);
      for (const [i, [t]] of value.timeSamples.entries()) times.writeDoubleLE(t, i * 8);
      const timesAt = this.#write(Buffer.concat([u64(value.timeSamples.length), times]));
      const reps = value.timeSamples.map(([, v]) => this.value(v));
      this.#align();
      const at = this.#write(
        Buffer.concat([i64(8), rep(48, { payload: timesAt }), i64(8), u64(reps.length), ...reps]),
      );
      return rep(46, { payload: at });
    }
    throw new Error(`no such value: ${JSON.stringify(value)}`);
  }

  /** Adds a spec at `path` of `type` (a key of SPEC) with `fields` (`[name, value]`). */
  spec(path, type, fields = []) {
    this.#specs.push({
      path,
      type: SPEC[type],
      fields: fields.map(([name, v]) => [this.token(name), this.value(v)]),
    });
    return this;
  }

  /** The crate file's bytes. */
  bytes() {
    // Paths: every spec path and its ancestors, as a tree in depth-first order.
    const root = { children: new Map(), index: 0, token: 0, prop: false };
    let count = 1;
    const pathIndex = new Map([['/', 0]]);
    for (const { path } of this.#specs) {
      let node = root;
      let text = '';
      for (const [name, prop] of elements(path)) {
        text += prop ? `.${name}` : name.startsWith('{') ? name : `/${name}`;
        if (!node.children.has(name)) {
          node.children.set(name, { children: new Map(), index: count++, token: this.token(name), prop });
          pathIndex.set(text, count - 1);
        }
        node = node.children.get(name);
      }
    }
    const order = [];
    const visit = (node) => {
      const entry = { node, jump: -2, pos: order.length };
      order.push(entry);
      const kids = [...node.children.values()];
      const kidEntries = kids.map((k) => visit(k));
      if (kids.length > 0) entry.jump = -1;
      for (let i = 0; i < kidEntries.length; i++) {
        const e = kidEntries[i];
        const hasSibling = i + 1 < kidEntries.length;
        const hasChild = e.node.children.size > 0;
        if (hasSibling) e.jump = hasChild ? kidEntries[i + 1].pos - e.pos : 0;
      }
      return entry;
    };
    visit(root);
    // Fields and field sets.
    const fieldTokens = [];
    const fieldReps = [];
    const fieldSets = [];
    const specs = this.#specs.map((s) => {
      const set = fieldSets.length;
      for (const [t, r] of s.fields) {
        fieldSets.push(fieldTokens.length);
        fieldTokens.push(t);
        fieldReps.push(r);
      }
      fieldSets.push(0xffffffff | 0);
      return [pathIndex.get(s.path), set, s.type];
    });
    const sections = [];
    const section = (name, bytes) => {
      this.#align();
      sections.push([name, this.#write(bytes), bytes.length]);
    };
    const tokens = [...this.#tokens.keys()];
    const chars = Buffer.from(`${tokens.join('\0')}\0`);
    const strings = Buffer.concat([u64(this.#strings.size), ...[...this.#strings.keys()].map((t) => u32(t))]);
    if (!this.#atLeast(0, 4, 0)) {
      // Plain sections: vectors as a u64 count and their items; the paths as a tree of headers, a header that has
      // both a child and a sibling followed by the sibling's file offset. 0.0.1 puts 4 bytes of padding first.
      const pad = this.#atLeast(0, 1, 0) ? [] : [u32(0)];
      section('TOKENS', Buffer.concat([u64(tokens.length), u64(chars.length), chars]));
      section('STRINGS', strings);
      section(
        'FIELDS',
        Buffer.concat([
          u64(fieldTokens.length),
          ...fieldTokens.flatMap((t, i) => [u32(0), u32(t), fieldReps[i]]),
        ]),
      );
      section('FIELDSETS', Buffer.concat([u64(fieldSets.length), ...fieldSets.map((f) => u32(f))]));
      this.#align();
      const parts = [u64(count)];
      let at = this.#at + 8;
      const level = (nodes) => {
        nodes.forEach((node, i) => {
          const kids = [...node.children.values()];
          const sibling = i + 1 < nodes.length;
          const h = Buffer.alloc(12);
          h.writeUInt32LE(node.index, 0);
          h.writeUInt32LE(node.token, 4);
          h[8] = (kids.length ? 1 : 0) | (sibling ? 2 : 0) | (node.prop ? 4 : 0);
          parts.push(...pad, h);
          at += pad.length * 4 + 12;
          let jump;
          if (kids.length && sibling) {
            jump = Buffer.alloc(8);
            parts.push(jump);
            at += 8;
          }
          if (kids.length) level(kids);
          jump?.writeBigInt64LE(BigInt(at)); // the next sibling's header comes after the children
        });
      };
      level([root]);
      section('PATHS', Buffer.concat(parts));
      section(
        'SPECS',
        Buffer.concat([
          u64(specs.length),
          ...specs.flatMap((sp) => [...pad, u32(sp[0]), u32(sp[1]), u32(sp[2])]),
        ]),
      );
    } else {
      const lzTokens = lz4Literals(chars);
      section(
        'TOKENS',
        Buffer.concat([u64(tokens.length), u64(chars.length), u64(lzTokens.length), lzTokens]),
      );
      section('STRINGS', strings);
      const lzReps = lz4Literals(Buffer.concat(fieldReps));
      section(
        'FIELDS',
        Buffer.concat([u64(fieldTokens.length), compressedInts(fieldTokens), u64(lzReps.length), lzReps]),
      );
      section('FIELDSETS', Buffer.concat([u64(fieldSets.length), compressedInts(fieldSets)]));
      section(
        'PATHS',
        Buffer.concat([
          u64(count),
          u64(order.length),
          compressedInts(order.map((e) => e.node.index)),
          compressedInts(order.map((e) => (e.node.prop ? -e.node.token : e.node.token))),
          compressedInts(order.map((e) => e.jump)),
        ]),
      );
      section(
        'SPECS',
        Buffer.concat([
          u64(specs.length),
          compressedInts(specs.map((sp) => sp[0])),
          compressedInts(specs.map((sp) => sp[1])),
          compressedInts(specs.map((sp) => sp[2])),
        ]),
      );
    }
    this.#align();
    const toc = [u64(sections.length)];
    for (const [name, start, size] of sections) {
      const n = Buffer.alloc(16);
      n.write(name, 'latin1');
      toc.push(n, i64(start), i64(size));
    }
    const tocAt = this.#write(Buffer.concat(toc));
    const boot = Buffer.alloc(88);
    boot.write('PXR-USDC', 'latin1');
    boot.set(this.#version, 8);
    boot.writeBigInt64LE(BigInt(tocAt), 16);
    return Buffer.concat([boot, ...this.#data]);
  }
}

/** A `.usdz`: a zip archive of `files` (`[name, bytes]`, the root layer first), stored, 64-byte aligned. */
export function usdz(files) {
  const parts = [];
  const central = [];
  let at = 0;
  for (const [name, bytes] of files) {
    const nameBytes = Buffer.from(name);
    // USDZ aligns each file's data to 64 bytes, with padding in the local header's extra field.
    const pad = (64 - ((at + 30 + nameBytes.length + 4) % 64)) % 64;
    const extra = Buffer.alloc(4 + pad);
    extra.writeUInt16LE(0x1986, 0);
    extra.writeUInt16LE(pad, 2);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(bytes.length, 18);
    local.writeUInt32LE(bytes.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt32LE(bytes.length, 20);
    c.writeUInt32LE(bytes.length, 24);
    c.writeUInt16LE(nameBytes.length, 28);
    c.writeUInt32LE(at, 42);
    central.push(c, nameBytes);
    parts.push(local, nameBytes, extra, bytes);
    at += 30 + nameBytes.length + extra.length + bytes.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(at, 16);
  return Buffer.concat([...parts, cd, end]);
}
