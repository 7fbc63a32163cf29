/**
 * The one helper every printer of `gm` uses for text it did not compose itself.
 *
 * @module
 */
import { escapeControls } from '@gm/core';

/**
 * Text from Envoy, a file or the command line made safe to print on a terminal: control characters (C0, DEL,
 * C1), bidirectional marks and overrides and invisible characters written as visible escapes, so that an escape
 * sequence in a project or file name cannot retitle the window, clear the screen, reorder or hide text. Newlines are escaped too unless `keepNewlines`: a
 * line break belongs only where `gm` itself puts one. `--json` output never goes through it (JSON escapes
 * control characters itself and stays exact).
 */
export function safe(value: unknown, keepNewlines = false): string {
  return escapeControls(value === undefined || value === null ? '' : String(value), keepNewlines);
}
