import type { Job } from '@gm/core';
import {
  buildJob,
  type CommonJobOptions,
  type FieldSpec,
  nonEmptyString,
  OUTPUT_FILE_FIELDS,
  OUTPUT_SIZE_FIELDS,
  type OutputFileOptions,
  type OutputSizeOptions,
} from './common.js';

/** Options of {@link cinema4dJob}: the common job options plus Cinema 4D's own. */
export interface Cinema4dJobOptions extends CommonJobOptions<'c4d'>, OutputFileOptions, OutputSizeOptions {
  /** The multipass render output file prefix (`output_multipass_prefix`). */
  outputMultipassPrefix?: string;
}

const FIELDS: Record<string, FieldSpec> = {
  ...OUTPUT_SIZE_FIELDS,
  ...OUTPUT_FILE_FIELDS,
  outputMultipassPrefix: {
    required: false,
    check: nonEmptyString,
    hint: 'the multipass output file prefix, e.g. "passes_"',
  },
};

/**
 * A Cinema 4D (`c4d`) render job of a `.c4d` file.
 *
 * @example
 * ```ts
 * const job = cinema4dJob({ name: 'shot 1', appVersion: 'R19', path: '/my_project/scene.c4d', frames: '0 100',
 *   outputWidth: 1920, outputHeight: 1080, outputPrefix: 'shot1_', outputFormat: 'tiff', plugins: ['redshift'] });
 * ```
 * @throws InvalidRequestError (from `@gm/core`) listing every invalid option.
 */
export function cinema4dJob(options: Cinema4dJobOptions): Job {
  return buildJob('c4d', options, FIELDS);
}
