/**
 * Text safe to show on a terminal, and the one order of text by code units.
 *
 * @module
 */

/**
 * Control characters a terminal acts on: C0 (tab and newline included), DEL, C1, the Unicode line and paragraph
 * separators, and the bidirectional overrides and isolates that reorder what is shown.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character written as a visible escape (`\x1b`, `\u202e`), so that text from Envoy
 * or from a file cannot move the cursor, clear the screen, retitle the window or reorder a line when printed: an
 * escape sequence (`ESC]0;title BEL`, `ESC[2J`) loses its `ESC` and shows as plain text. With `keepNewlines`,
 * line feeds stay as they are.
 *
 * @example
 * ```ts
 * escapeControls('shot\u001b[2J.blend'); // 'shot\\x1b[2J.blend'
 * ```
 */
export function escapeControls(text: string, keepNewlines = false): string {
  return text.replace(CONTROL, (c) => {
    if (keepNewlines && c === '\n') return c;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** The order of `a` and `b` by UTF-16 code units (as `<` compares strings), whatever the locale. Internal. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
