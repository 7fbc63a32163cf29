/**
 * The streaming splitters of text scenes carry their state across chunks: whatever the chunk boundaries, a text
 * splits into the same units, on the same lines, as when it comes whole.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lines, melStatements, type TextRecord, tclStatements } from '../src/formats/text.js';

async function* chunked(text: string, cuts: number[]): AsyncGenerator<string> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut > at && cut < text.length) {
      yield text.slice(at, cut);
      at = cut;
    }
  }
  yield text.slice(at);
}

async function all(records: AsyncIterable<TextRecord[]>): Promise<TextRecord[]> {
  const out: TextRecord[] = [];
  for await (const batch of records) out.push(...batch);
  return out;
}

const text = fc
  .array(fc.constantFrom(';', '"', '/', '*', '\\', '\n', '{', '}', '[', ']', '#', ' ', 'a', 'Read', 'x'), {
    maxLength: 200,
  })
  .map((parts) => parts.join(''));
const cuts = fc.array(fc.nat(400), { maxLength: 12 });

describe('text splitters', () => {
  for (const [name, split] of [
    ['melStatements', melStatements],
    ['tclStatements', tclStatements],
    ['lines', lines],
  ] as const) {
    it(`${name}: the same units whatever the chunks, and a unit longer than the limit kept as its head`, async () => {
      await fc.assert(
        fc.asyncProperty(text, cuts, fc.integer({ min: 1, max: 50 }), async (t, c, max) => {
          const whole = await all(split(chunked(t, []), 1000));
          const pieces = await all(split(chunked(t, c), 1000));
          expect(pieces).toEqual(whole);
          // Nothing is lost: the units make the text again (lines without their breaks, a last empty line not one).
          if (name === 'lines') expect(whole.map((r) => r.text).join('\n')).toBe(t.replace(/\n$/, ''));
          else expect(whole.map((r) => r.text).join('')).toBe(t);
          const capped = await all(split(chunked(t, c), max));
          expect(capped.map((r) => r.length)).toEqual(whole.map((r) => r.length));
          for (const [i, r] of capped.entries()) {
            if (r.length > max)
              expect(r).toMatchObject({ text: undefined, head: whole[i]!.text!.slice(0, 4096) });
            else expect(r.text).toBe(whole[i]!.text);
          }
        }),
        { numRuns: 300 },
      );
    });
  }
  it('tclStatements with skipEmpty: the same units, less those of only blanks, ";" and comments', async () => {
    await fc.assert(
      fc.asyncProperty(text, cuts, async (t, c) => {
        const whole = await all(tclStatements(chunked(t, []), 1000));
        const kept = await all(tclStatements(chunked(t, c), 1000, { skipEmpty: true }));
        const empty = (r: TextRecord) => /^(?:[ \t\r\n;]|#[^\n]*)*$/.test(r.text ?? '');
        expect(kept).toEqual(whole.filter((r) => !empty(r)));
      }),
      { numRuns: 300 },
    );
  });
});
