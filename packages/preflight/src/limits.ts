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

/** `options` over the defaults; a limit that is not a positive number keeps its default. */
export function limitsOf(options: Partial<ScanLimits> | undefined): ScanLimits {
  const out: ScanLimits = { ...DEFAULT_LIMITS };
  if (!options) return out;
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ScanLimits)[]) {
    const value = options[key];
    if (typeof value === 'number' && value > 0) out[key] = value;
  }
  return out;
}

/** `1048576` → `1 MiB`, `65536` → `64 KiB`, `1000` → `1000 bytes`. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
