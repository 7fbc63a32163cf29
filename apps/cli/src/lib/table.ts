/**
 * Plain text tables for lists.
 *
 * @module
 */
import { stripAnsi } from './colour.js';
import { safe } from './safe.js';

/** One column of a table. */
export interface Column<T> {
  /** The header text. */
  header: string;
  /** The cell text of one row, as it came (control characters are escaped when the table is made). */
  value: (row: T) => string;
  /** Colours a cell after it was made safe, such as `c.cyan`. */
  paint?: (text: string) => string;
  /** Right-align (numbers). */
  align?: 'left' | 'right';
}

/**
 * Formats rows as a table with a header line, columns separated by two spaces, trailing spaces trimmed.
 * Every cell is made terminal-safe ({@link safe}), then painted with its column's `paint`; colour codes do not
 * count toward the width.
 */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[], header?: Paint): string {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const text = safe(c.value(row));
      return c.paint ? c.paint(text) : text;
    }),
  );
  const widths = columns.map((c, i) =>
    Math.max(stripAnsi(c.header).length, ...cells.map((r) => stripAnsi(r[i] ?? '').length)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - stripAnsi(v).length));
        return columns[i]?.align === 'right' ? pad + v : v + pad;
      })
      .join('  ')
      .trimEnd();
  const head = line(columns.map((c) => c.header));
  return [header ? header(head) : head, ...cells.map(line)].join('\n');
}

type Paint = (text: string) => string;

/** Formats a byte count with binary units (`1.5 MiB`). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Formats a credit amount with two decimals. */
export function formatCredits(credits: number): string {
  return (Math.round(credits * 100) / 100).toFixed(2);
}
