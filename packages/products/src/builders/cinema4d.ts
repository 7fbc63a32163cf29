import type { Job } from '@gm/core';
import { PRODUCT_SPECS } from '../specs/index.js';
import { buildJob, type CommonJobOptions, type OutputFileOptions, type OutputSizeOptions } from './common.js';

/** Options of {@link cinema4dJob}: the common job options plus Cinema 4D's own. */
export interface Cinema4dJobOptions extends CommonJobOptions<'c4d'>, OutputFileOptions, OutputSizeOptions {
  /** The multipass render output file prefix (`output_multipass_prefix`). */
  outputMultipassPrefix?: string;
}

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
  return buildJob('c4d', options, PRODUCT_SPECS.c4d.fields);
}
