/**
 * The bounds every scene reader works within, so that no scene file (damaged, hostile, or a compression bomb)
 * can make a scan take unbounded time or memory. Each has a default; {@link ScanOptions.limits} changes them.
 */
import type { ScanLimits } from './types.js';

/** The defaults of {@link ScanLimits}. */
export const DEFAULT_LIMITS: Readonly<ScanLimits> = Object.freeze({
  maxValueLength: 64 * 1024,
  maxRecordLength: 1024 * 1024,
  maxReferences: 100_000,
  maxSections: 200_000,
  maxLibraries: 256,
  maxLibraryDepth: 16,
  maxExpansion: 100,
  maxDecompressedBytes: 1024 * 1024 * 1024,
  maxZstdWindow: 32 * 1024 * 1024,
});

/**
 * `options` over the defaults. A limit left out (or `undefined`) keeps its default.
 *
 * @throws RangeError naming the limit when one is not a positive number, or is not a limit at all.
 */
export function limitsOf(options: Partial<ScanLimits> | undefined): ScanLimits {
  const out: ScanLimits = { ...DEFAULT_LIMITS };
  if (!options) return out;
  for (const [key, value] of Object.entries(options)) {
    if (!(key in DEFAULT_LIMITS)) {
      throw new RangeError(
        `limits.${key} is not a scan limit (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`,
      );
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) {
      throw new RangeError(`limits.${key} must be a positive number, not ${String(value)}`);
    }
    out[key as keyof ScanLimits] = value;
  }
  return out;
}

/** `1048576` → `1 MiB`, `65536` → `64 KiB`, `1000` → `1000 bytes`. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
