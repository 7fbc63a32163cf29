/**
 * The building blocks of a product spec's option fields: the checks, and the output options several products
 * share (with their rules and their `gm init` defaults). Imports nothing of this package, so every spec and the
 * catalogue can use it.
 *
 * @module
 */
import { describeValue, integerProblem, nonEmptyStringProblem } from '@gm/core/internal';

/** Checks a value of a product's own option: a problem message, or `undefined` when it is fine. */
export type Check = (value: unknown) => string | undefined;

/**
 * How one product-specific option is checked. The job keeps it under its model name in `Job.productOptions`;
 * `@gm/core`'s `wire.ts` names it on the wire (the model name in snake case, e.g. `outputPrefix` → `output_prefix`).
 */
export interface FieldSpec {
  /** Whether the option must be given. */
  readonly required: boolean;
  /** Checks a given value; absent when `@gm/core`'s `Job` owns the rule (the output prefix). */
  readonly check?: Check;
  /** Converts a valid value to the form the job keeps (e.g. an engine name to its number); the value itself when absent. */
  readonly toModel?: (value: unknown) => unknown;
  /** What to give, for the "is required" message, e.g. `a string such as "render_"`. */
  readonly hint: string;
}

/** A non-empty string: core's rule. */
export const nonEmptyString: Check = (v) => nonEmptyStringProblem(v);

/** A positive integer: core's rule. */
export const positiveInteger: Check = (v) => integerProblem(v);

/** A non-empty list of non-empty strings. */
export const stringList: Check = (v) =>
  Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.trim() !== '')
    ? undefined
    : 'must be a non-empty list of non-empty strings';

/** One of the given values. */
export const oneOf =
  (values: readonly (string | number)[]): Check =>
  (v) =>
    values.includes(v as string | number)
      ? undefined
      : `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')} (got ${describeValue(v)})`;

/** The output file options of products that write images. */
export interface OutputFileOptions {
  /** The render output file prefix (`output_prefix`). */
  outputPrefix: string;
  /** The render output file format (`output_format`), e.g. `'png'`, `'exr'` or `'tiff'`. */
  outputFormat: string;
}

/** The output size options of products that render at a given resolution. */
export interface OutputSizeOptions {
  /** The render output width in pixels (`output_width`). */
  outputWidth: number;
  /** The render output height in pixels (`output_height`). */
  outputHeight: number;
}

/** How {@link OutputFileOptions} are checked and sent. */
export const OUTPUT_FILE_FIELDS: Readonly<Record<keyof OutputFileOptions, FieldSpec>> = {
  outputPrefix: {
    required: true,
    hint: 'the output file prefix, e.g. "render_"',
  },
  outputFormat: {
    required: true,
    check: nonEmptyString,
    hint: 'the output format, e.g. "PNG"',
  },
};

/** How {@link OutputSizeOptions} are checked and sent. */
export const OUTPUT_SIZE_FIELDS: Readonly<Record<keyof OutputSizeOptions, FieldSpec>> = {
  outputHeight: {
    required: true,
    check: positiveInteger,
    hint: 'the output height in pixels, e.g. 1080',
  },
  outputWidth: {
    required: true,
    check: positiveInteger,
    hint: 'the output width in pixels, e.g. 1920',
  },
};

/**
 * The output file options a new job file starts with: the scene's name as prefix, PNG images. The frame number
 * comes after the prefix and an underscore Envoy adds (`shot_0001.png`): no underscore of our own.
 */
export const outputFileDefaults = (stem: string) => ({
  outputPrefix: stem,
  outputFormat: 'PNG',
});

/** The output size a new job file starts with: 1920 × 1080. */
export const OUTPUT_SIZE_DEFAULTS = {
  outputWidth: 1920,
  outputHeight: 1080,
} as const satisfies OutputSizeOptions;
