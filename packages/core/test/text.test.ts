/**
 * Text printed on a terminal cannot act on it, reorder a line or hide part of itself.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { escapeControls } from '../src/text.js';

/** What must never reach a terminal as it is, as Unicode defines the sets (checked by the test, not the code). */
const HIDDEN = /[\p{Cc}\u2028\u2029\p{Bidi_Control}\p{Default_Ignorable_Code_Point}]/u;
const KEPT = /^(?:\u200c|\u200d|\p{Variation_Selector})$/u;

/** The escapes read back: `\xhh`, `\uhhhh`, `\u{h…}`. */
const readBack = (text: string) =>
  text.replace(/\\x([0-9a-f]{2})|\\u\{([0-9a-f]+)\}|\\u([0-9a-f]{4})/g, (_, x, astral, bmp) =>
    String.fromCodePoint(Number.parseInt(x ?? astral ?? bmp, 16)),
  );

/** Any code point, more often one of the hidden, kept or escape-like ones. */
const char = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc
    .constantFrom(
      ...[0x0, 0x1b, 0x7f, 0x9b, 0xad, 0x34f, 0x61c, 0x115f, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f],
      ...[
        0x2028, 0x2029, 0x202a, 0x202e, 0x2060, 0x2066, 0x2069, 0x3164, 0xfe0f, 0xfeff, 0xffa0, 0xe0001,
        0xe0041,
      ],
      ...[0x41, 0xe9, 0x5d0, 0x1f600],
    )
    .map((c) => String.fromCodePoint(c)),
);
const texts = fc.array(char, { maxLength: 40 }).map((cs) => cs.join(''));

describe('escapeControls', () => {
  test('the bidirectional marks and every invisible character show as escapes', () => {
    const cases: [number, string][] = [
      [0x200e, '\\u200e'], // left-to-right mark
      [0x200f, '\\u200f'], // right-to-left mark
      [0x061c, '\\u061c'], // Arabic letter mark
      [0x202a, '\\u202a'],
      [0x202e, '\\u202e'], // right-to-left override
      [0x2066, '\\u2066'],
      [0x2069, '\\u2069'], // pop directional isolate
      [0x2028, '\\u2028'],
      [0x2029, '\\u2029'],
      [0xfeff, '\\ufeff'], // byte order mark
      [0x00ad, '\\xad'], // soft hyphen
      [0x200b, '\\u200b'], // zero-width space
      [0x2060, '\\u2060'], // word joiner
      [0x3164, '\\u3164'], // Hangul filler
      [0xe0041, '\\u{e0041}'], // tag letter A
    ];
    for (const [code, shown] of cases) {
      expect(escapeControls(`shot${String.fromCodePoint(code)}.blend`)).toBe(`shot${shown}.blend`);
    }
    // What words and emoji need stays: joiners and variation selectors.
    for (const kept of ['می\u200cخواهم', '👩\u200d💻', '❤\ufe0f']) expect(escapeControls(kept)).toBe(kept);
    expect(escapeControls('a\nb', true)).toBe('a\nb');
    expect(escapeControls('a\nb')).toBe('a\\x0ab');
  });

  test.prop([texts, fc.boolean()])(
    'nothing hidden is left, and the escapes read back to the text',
    (text, keepNewlines) => {
      const shown = escapeControls(text, keepNewlines);
      for (const c of shown) {
        if (HIDDEN.test(c))
          expect(KEPT.test(c) || (keepNewlines && c === '\n'), `U+${c.codePointAt(0)?.toString(16)}`).toBe(
            true,
          );
      }
      if (!text.includes('\\')) expect(readBack(shown)).toBe(text);
    },
  );
});
