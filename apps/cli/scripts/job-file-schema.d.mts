// Types of job-file-schema.mjs, for the tests that call it.
import type { ProductSpec } from '@gm/products';

/** The job-file JSON Schema of the given product specs (by default those of `@gm/products`). */
export declare function jobFileSchema(
  specs?: readonly ProductSpec[],
  operations?: readonly string[],
): Record<string, unknown>;

/** A schema as the repository formats JSON: two spaces, short lists of plain values on one line. */
export declare function formatSchema(value: unknown): string;
