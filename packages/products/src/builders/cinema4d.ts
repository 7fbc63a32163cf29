import type { Job } from '@gm/core';
import {
  buildJob,
  type CommonJobOptions,
  type FieldSpec,
  nonEmptyString,
  positiveInteger,
} from './common.js';

/** Options of {@link cinema4dJob}: the common job options plus Cinema 4D's own. */
export interface Cinema4dJobOptions extends CommonJobOptions<'c4d'> {
  /** The render output width in pixels (`output_width`). */
  outputWidth: number;
  /** The render output height in pixels (`output_height`). */
  outputHeight: number;
  /** The render output file prefix (`output_prefix`). */
  outputPrefix: string;
  /** The render output file format (`output_format`), e.g. `'tiff'`. */
  outputFormat: string;
  /** The multipass render output file prefix (`output_multipass_prefix`). */
  outputMultipassPrefix?: string;
}

const FIELDS: Record<string, FieldSpec> = {
  outputHeight: {
    wire: 'output_height',
    required: true,
    check: positiveInteger,
    hint: 'the output height in pixels, e.g. 1080',
  },
  outputWidth: {
    wire: 'output_width',
    required: true,
    check: positiveInteger,
    hint: 'the output width in pixels, e.g. 1920',
  },
  outputPrefix: {
    wire: 'output_prefix',
    required: true,
    check: nonEmptyString,
    hint: 'the output file prefix, e.g. "render_"',
  },
  outputFormat: {
    wire: 'output_format',
    required: true,
    check: nonEmptyString,
    hint: 'the output format, e.g. "tiff"',
  },
  outputMultipassPrefix: {
    wire: 'output_multipass_prefix',
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
