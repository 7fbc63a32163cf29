/**
 * The building blocks of a product spec's option fields: the checks, and the output options several products
 * share (with their rules and their `gm init` defaults). Imports nothing of this package, so every spec and the
 * catalogue can use it.
 *
 * @module
 */
import { describeValue, integerProblem, nonEmptyStringProblem } from '@gm/core/internal';

/**
 * An option's type in the job-file JSON Schema (`apps/cli/schema/job-file.schema.json`, generated from the
 * specs): the JSON type of the values its check takes, and their limits. Its keys are written in this order.
 */
export interface OptionSchema {
  /** The JSON type; absent when {@link enum} mixes types. */
  readonly type?: 'string' | 'integer' | 'array';
  /** The least value of an integer. */
  readonly minimum?: number;
  /** The type of a list's items. */
  readonly items?: { readonly type: 'string' };
  /** The values allowed, when the option takes a few. */
  readonly enum?: readonly (string | number)[];
}

/**
 * Checks a value of a product's own option: a problem message, or `undefined` when it is fine; `schema` is the
 * type of the values it takes, for the job-file JSON Schema.
 */
export interface Check {
  (value: unknown): string | undefined;
  /** The option's type in the job-file JSON Schema. */
  readonly schema: OptionSchema;
}

/** A {@link Check} of the given problem function and schema. */
const check = (problem: (value: unknown) => string | undefined, schema: OptionSchema): Check =>
  Object.assign(problem, { schema });

/**
 * How one product-specific option is checked. The job keeps it under its model name in `Job.productOptions`;
 * `@gm/core`'s `wire.ts` names it on the wire (the model name in snake case, e.g. `outputPrefix` → `output_prefix`).
 */
export interface FieldSpec {
  /** Whether the option must be given. */
  readonly required: boolean;
  /** Checks a given value; absent when `@gm/core`'s `Job` owns the rule (the output prefix and format). */
  readonly check?: Check;
  /** The option's type in the job-file JSON Schema, when not its {@link check}'s (or it has none). */
  readonly schema?: OptionSchema;
  /** What the option is, for the job-file JSON Schema: a sentence, e.g. `'Maya: camera to render.'`. */
  readonly description: string;
  /** Converts a valid value to the form the job keeps (e.g. an engine name to its number); the value itself when absent. */
  readonly toModel?: (value: unknown) => unknown;
  /** What to give, for the "is required" message, e.g. `a string such as "render_"`. */
  readonly hint: string;
}

/** A non-empty string: core's rule. */
export const nonEmptyString: Check = check((v) => nonEmptyStringProblem(v), { type: 'string' });

/** A positive integer: core's rule. */
export const positiveInteger: Check = check((v) => integerProblem(v), { type: 'integer', minimum: 1 });

/** A non-empty list of non-empty strings. */
export const stringList: Check = check(
  (v) =>
    Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.trim() !== '')
      ? undefined
      : 'must be a non-empty list of non-empty strings',
  { type: 'array', items: { type: 'string' } },
);

/** One of the given values (of type string in the schema when they all are strings). */
export const oneOf = (values: readonly (string | number)[]): Check =>
  check(
    (v) =>
      values.includes(v as string | number)
        ? undefined
        : `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')} (got ${describeValue(v)})`,
    values.every((v) => typeof v === 'string') ? { type: 'string', enum: values } : { enum: values },
  );

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
    schema: { type: 'string' },
    hint: 'the output file prefix, e.g. "render_"',
    description: 'Render output file prefix.',
  },
  // Core's `Job` owns the output prefix's and format's rules (file-name safe; a format name, never a path).
  outputFormat: {
    required: true,
    schema: { type: 'string' },
    hint: 'the output format, e.g. "PNG"',
    description: 'Render output format, a format name (for example PNG, EXR, tiff), never a path.',
  },
};

/** How {@link OutputSizeOptions} are checked and sent. */
export const OUTPUT_SIZE_FIELDS: Readonly<Record<keyof OutputSizeOptions, FieldSpec>> = {
  outputHeight: {
    required: true,
    check: positiveInteger,
    hint: 'the output height in pixels, e.g. 1080',
    description: 'Render output height in pixels.',
  },
  outputWidth: {
    required: true,
    check: positiveInteger,
    hint: 'the output width in pixels, e.g. 1920',
    description: 'Render output width in pixels.',
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
