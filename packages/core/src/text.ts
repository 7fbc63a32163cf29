/**
 * Text safe to show on a terminal, and the one order of text by code units.
 *
 * @module
 */

/**
 * What a terminal acts on or shows as nothing:
 * - control characters (`Cc`): C0 (tab and newline included), DEL and C1;
 * - the Unicode line and paragraph separators (U+2028, U+2029);
 * - every `Bidi_Control` character (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which reorder a line;
 * - every `Default_Ignorable_Code_Point` (soft hyphen U+00AD, zero-width space U+200B, word joiner U+2060,
 *   byte order mark U+FEFF, Hangul fillers, tags U+E0000–U+E0FFF…), shown as nothing, which could make two names
 *   look alike or hide text.
 *
 * Kept as they are, because text needs them and they only join or vary what is shown: the zero-width non-joiner
 * and joiner (U+200C, U+200D: Persian and Indic words, emoji sequences) and the variation selectors
 * (`Variation_Selector`: emoji presentation, Mongolian, CJK variants).
 */
const HIDDEN = /[\p{Cc}\u2028\u2029\p{Bidi_Control}\p{Default_Ignorable_Code_Point}]/gu;
const KEPT = /^(?:\u200c|\u200d|\p{Variation_Selector})$/u;

/**
 * `text` with every control, bidirectional and invisible character (see above) written as a visible escape
 * (`\x1b`, `\u202e`, `\u{e0041}`), so that text from Envoy or from a file cannot move the cursor, clear the screen,
 * retitle the window, reorder a line or hide part of itself when printed: an escape sequence (`ESC]0;title BEL`,
 * `ESC[2J`) loses its `ESC` and shows as plain text. With `keepNewlines`, line feeds stay as they are.
 *
 * @example
 * ```ts
 * escapeControls('shot\u001b[2J.blend'); // 'shot\\x1b[2J.blend'
 * escapeControls('shot\u200f.blend'); // 'shot\\u200f.blend'
 * ```
 */
export function escapeControls(text: string, keepNewlines = false): string {
  return text.replace(HIDDEN, (c) => {
    if ((keepNewlines && c === '\n') || KEPT.test(c)) return c;
    const code = c.codePointAt(0) as number;
    if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
    return code < 0x10000 ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** The order of `a` and `b` by UTF-16 code units (as `<` compares strings), whatever the locale. Internal. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
