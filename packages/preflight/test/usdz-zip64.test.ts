/**
 * `.usdz` packages in zip64 form. The fixtures are written by Debian's Info-ZIP `zip -fz` and Python's zipfile
 * (fixtures/usd/zip64/make_zip64.sh); the hostile cases change the zip64 fields those tools wrote.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptFileError, PreflightError, scanScene } from '../src/index.js';
import { usdz } from './crate-writer.mjs';
import { fixture, tempDir } from './helpers.js';

const INFOZIP = readFileSync(fixture('usd', 'zip64', 'infozip_fz.usdz'));
const PYTHON = readFileSync(fixture('usd', 'zip64', 'python_zip64.usdz'));
const DIR = tempDir('gm-preflight-zip64-');
let counter = 0;

/** Where the zip64 fields of an archive are, found by walking its records (independently of the reader). */
function zip64Fields(zip: Buffer) {
  const eocd = zip.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1'));
  const locator = eocd - 20;
  expect(zip.readUInt32LE(locator)).toBe(0x07064b50);
  const record = Number(zip.readBigUInt64LE(locator + 8));
  expect(zip.readUInt32LE(record)).toBe(0x06064b50);
  const cdOffset = Number(zip.readBigUInt64LE(record + 48));
  const entries: { name: string; at: number; values: number[] }[] = [];
  for (let p = cdOffset; zip.readUInt32LE(p) === 0x02014b50; ) {
    const nameLength = zip.readUInt16LE(p + 28);
    const extra = zip.readUInt16LE(p + 30);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    const values: number[] = [];
    for (let q = p + 46 + nameLength; q < p + 46 + nameLength + extra; q += 4 + zip.readUInt16LE(q + 2)) {
      if (zip.readUInt16LE(q) !== 1) continue;
      for (let v = 0; v < zip.readUInt16LE(q + 2); v += 8) values.push(q + 4 + v);
    }
    entries.push({ name, at: p, values });
    p += 46 + nameLength + extra + zip.readUInt16LE(p + 32);
  }
  return {
    eocd,
    locator,
    /** The locator's offset of the zip64 end record. */
    recordOffset: locator + 8,
    /** The zip64 end record's entry count, central directory size and offset. */
    count: record + 32,
    cdSize: record + 40,
    cdOffset: record + 48,
    entries,
  };
}

function write(bytes: Uint8Array): string {
  const file = join(DIR, `z${counter++}.usdz`);
  writeFileSync(file, bytes);
  return file;
}

function withU64(zip: Buffer, at: number, value: bigint): Buffer {
  const copy = Buffer.from(zip);
  copy.writeBigUInt64LE(value, at);
  return copy;
}

describe('.usdz in zip64 form, written by other tools', () => {
  for (const [tool, name] of [
    ['Info-ZIP zip -fz', 'infozip_fz.usdz'],
    ['Python zipfile, zip64 records and extra fields', 'python_zip64.usdz'],
  ] as const) {
    it(`reads a package written by ${tool}: its layers, what they name inside, what is missing`, async () => {
      const file = fixture('usd', 'zip64', name);
      const scan = await scanScene(file);
      expect(scan).toMatchObject({
        format: 'usdz',
        scanned: true,
        details: { rootLayer: 'root.usda', files: 4 },
      });
      expect(scan.references.map((r) => [r.location.file, r.path, r.resolved, r.exists])).toEqual([
        [`${file}[root.usda]`, 'textures/missing.png', join(file, 'textures', 'missing.png'), false],
      ]);
      // layers/light.usda, textures/wood.png and, named by the sublayer, textures/sky.png.
      expect(scan.notes).toEqual(['3 file(s) named by the layers are inside the .usdz: they travel with it']);
      expect(scan.settings.frames?.value).toEqual({ start: 1, end: 24, step: 1 });
    });
  }
});

describe('hostile zip64 headers give a CorruptFileError naming the field', () => {
  const fields = zip64Fields(INFOZIP);
  const python = zip64Fields(PYTHON);

  async function rejects(bytes: Buffer, message: RegExp): Promise<void> {
    const file = write(bytes);
    const error = await scanScene(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CorruptFileError);
    expect((error as CorruptFileError).file).toBe(file);
    expect((error as Error).message).toMatch(message);
  }

  it('a zip64 end record offset out of range, or pointing at no record', async () => {
    await rejects(
      withU64(INFOZIP, fields.recordOffset, 2n ** 64n - 1n),
      /zip64 end record's offset is 18446744073709551615, beyond the file's 939 bytes/,
    );
    await rejects(
      withU64(INFOZIP, fields.recordOffset, BigInt(fields.locator - 10)),
      /does not lie before its locator/,
    );
    await rejects(withU64(INFOZIP, fields.recordOffset, 0n), /no zip64 end record at byte 0/);
  });

  it('a central directory size, offset or count beyond the file', async () => {
    await rejects(
      withU64(INFOZIP, fields.cdSize, 2n ** 63n),
      /central directory size is 9223372036854775808, beyond/,
    );
    await rejects(
      withU64(INFOZIP, fields.cdOffset, 2n ** 40n),
      /central directory offset is 1099511627776, beyond/,
    );
    await rejects(withU64(INFOZIP, fields.count, 5000n), /entry count is 5000, beyond/);
    await rejects(
      withU64(INFOZIP, fields.count, 500n),
      /central directory \(500 entries, .*\) does not fit the file/,
    );
  });

  it('an end record deferring to zip64 with no locator', async () => {
    const copy = Buffer.from(INFOZIP);
    copy.writeUInt32LE(0, fields.locator);
    await rejects(copy, /defers to a zip64 end record, but no zip64 locator precedes it/);
  });

  it('entry sizes beyond the file, or running into the next entry', async () => {
    const wood = python.entries.find((e) => e.name === 'textures/wood.png')!;
    // Python's extra field: size, stored size, header offset.
    await rejects(
      withU64(PYTHON, wood.values[1]!, 2n ** 64n - 1n),
      /entry textures\/wood.png's stored size is 18446744073709551615, beyond the file's 995 bytes/,
    );
    await rejects(
      withU64(PYTHON, wood.values[2]!, 2n ** 53n),
      /entry textures\/wood.png's header offset is 9007199254740992, beyond/,
    );
    await rejects(
      withU64(PYTHON, wood.values[1]!, 500n),
      /entries textures\/wood.png \(500 bytes at byte 410\) and textures\/sky.png \(at byte 481\) overlap/,
    );
    const root = python.entries.find((e) => e.name === 'root.usda')!;
    // The root layer's stored size reaches into the next entry's local header.
    await rejects(
      withU64(PYTHON, root.values[1]!, 210n),
      /entry root.usda \(210 bytes from byte \d+\) runs past the next entry/,
    );
  });

  it('overlapping entries: two entries at one header offset', async () => {
    const light = python.entries.find((e) => e.name === 'layers/light.usda')!;
    await rejects(
      withU64(PYTHON, light.values[2]!, 0n),
      /entries (root\.usda|layers\/light\.usda) .* overlap/,
    );
  });

  it('a zip64 mark with no zip64 extra field, or one too short', async () => {
    const sky = python.entries.find((e) => e.name === 'textures/sky.png')!;
    const noExtra = Buffer.from(PYTHON);
    noExtra.writeUInt16LE(0x9999, sky.values[0]! - 4); // the extra field's id
    await rejects(
      noExtra,
      /entry textures\/sky.png marks its sizes or offset as zip64 but has no zip64 extra field/,
    );
    const short = Buffer.from(PYTHON);
    short.writeUInt16LE(8, sky.values[0]! - 2); // its length: one value of the three
    await rejects(short, /zip64 extra field is too short/);
  });

  it("a plain (not zip64) package whose second entry claims the first one's header", async () => {
    const zip = usdz([
      ['root.usda', Buffer.from('#usda 1.0\n(\n    subLayers = [@sub.usda@]\n)\n')],
      ['sub.usda', Buffer.from('#usda 1.0\n')],
    ]);
    const central = Buffer.from('PK\x01\x02', 'latin1');
    const second = zip.indexOf(central, zip.indexOf(central) + 4);
    const copy = Buffer.from(zip);
    copy.writeUInt32LE(0, second + 42); // its local header offset
    await rejects(copy, /entries (root|sub)\.usda .* overlap/);
  });

  it('any 64-bit values in the zip64 fields: a result or a typed error, never another error', async () => {
    const targets = [
      ...[fields.recordOffset, fields.count, fields.cdSize, fields.cdOffset].map(
        (at) => ['infozip', at] as const,
      ),
      ...fields.entries.flatMap((e) => e.values.map((at) => ['infozip', at] as const)),
      ...[python.recordOffset, python.count, python.cdSize, python.cdOffset].map(
        (at) => ['python', at] as const,
      ),
      ...python.entries.flatMap((e) => e.values.map((at) => ['python', at] as const)),
    ];
    const value = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.bigInt({ min: 0n, max: 1200n }),
      fc.constantFrom(0n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...targets), value), { minLength: 1, maxLength: 4 }),
        async (changes) => {
          const source = changes[0]![0][0] === 'infozip' ? INFOZIP : PYTHON;
          let bytes: Buffer = Buffer.from(source);
          for (const [[tool, at], v] of changes) {
            if ((tool === 'infozip') === (source === INFOZIP)) bytes = withU64(bytes, at, v);
          }
          const file = write(bytes);
          try {
            const scan = await scanScene(file);
            // Whatever is listed is one of the four paths the package's layers name.
            for (const r of scan.references) {
              expect([
                'layers/light.usda',
                'textures/wood.png',
                'textures/missing.png',
                '../textures/sky.png',
              ]).toContain(r.path);
            }
          } catch (error) {
            if (!(error instanceof PreflightError)) throw error;
            expect(error.file).toBe(file);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
