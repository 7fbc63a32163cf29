/**
 * The errors of `@gm/preflight`: one base class, and one class per way a scene file can fail to be read. Each
 * names the file and, where it applies, the byte offset (binary formats) or the line (text formats).
 */

/** Where in a file a problem was found: a byte offset for binary formats, a line (1-based) for text. */
export interface FilePosition {
  /** Byte offset from the start of the file (of the decompressed data for compressed files). */
  offset?: number;
  /** Line number, 1-based. */
  line?: number;
}

function where(position: FilePosition): string {
  if (position.line !== undefined) return ` at line ${position.line}`;
  if (position.offset !== undefined) return ` at byte ${position.offset}`;
  return '';
}

/** The base of every error `@gm/preflight` throws. */
export class PreflightError extends Error {
  /** The scene file (as given, resolved to an absolute path). */
  readonly file: string;
  /** Byte offset of the problem, when it is in a binary file. */
  readonly offset: number | undefined;
  /** Line of the problem (1-based), when it is in a text file. */
  readonly line: number | undefined;

  /** An error about `file`, at `position` when known. */
  constructor(file: string, message: string, position: FilePosition = {}, options?: { cause?: unknown }) {
    super(`${file}${where(position)}: ${message}`, options);
    this.name = 'PreflightError';
    this.file = file;
    this.offset = position.offset;
    this.line = position.line;
  }
}

/** The scene file does not exist or cannot be read. */
export class SceneNotFoundError extends PreflightError {
  /** The file could not be opened; `cause` holds the system error. */
  constructor(file: string, options?: { cause?: unknown }) {
    const code = (options?.cause as { code?: string } | undefined)?.code;
    super(file, `cannot be read${code ? ` (${code})` : ''}: check the path`, {}, options);
    this.name = 'SceneNotFoundError';
  }
}

/** The file's extension (or content) is not a scene format `@gm/preflight` knows. */
export class UnsupportedFormatError extends PreflightError {
  /** The file is of no known scene format. */
  constructor(file: string, detail: string) {
    super(file, detail);
    this.name = 'UnsupportedFormatError';
  }
}

/** The file ends before its structure does (a partial copy or an interrupted save). */
export class TruncatedFileError extends PreflightError {
  /** The file ended at `position` while `detail` was being read. */
  constructor(file: string, detail: string, position: FilePosition) {
    super(file, `file ends early: ${detail} (a partial copy or an interrupted save?)`, position);
    this.name = 'TruncatedFileError';
  }
}

/** The file's content is not what its format allows (a damaged file, or not a scene at all). */
export class CorruptFileError extends PreflightError {
  /** The content at `position` is not valid: `detail` says what was expected. */
  constructor(file: string, detail: string, position: FilePosition, options?: { cause?: unknown }) {
    super(file, `not a valid file: ${detail}`, position, options);
    this.name = 'CorruptFileError';
  }
}

/** A compressed scene file whose compressed stream is damaged. */
export class DecompressionError extends PreflightError {
  /** Decompressing failed after `position` bytes of output. */
  constructor(file: string, method: 'gzip' | 'zstd', position: FilePosition, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(file, `the ${method} stream is damaged${reason}`, position, options);
    this.name = 'DecompressionError';
  }
}

/** Reading the file would go past one of the scan's bounds (see `ScanLimits`): a compression bomb or the like. */
export class LimitExceededError extends PreflightError {
  /** The name of the limit in `ScanOptions.limits`. */
  readonly limit: string;

  /** At `position`, reading would go past the limit `limit`: `detail` says how. */
  constructor(file: string, limit: string, detail: string, position: FilePosition) {
    super(file, `${detail} (raise limits.${limit} to read it anyway)`, position);
    this.name = 'LimitExceededError';
    this.limit = limit;
  }
}
