import type { Job } from '@gm/core';
import { buildJob, type CommonJobOptions, type FieldSpec, nonEmptyString } from './common.js';

/** Options of {@link blenderJob}: the common job options plus Blender's own. */
export interface BlenderJobOptions extends CommonJobOptions<'blender'> {
  /** The render output file prefix (`output_prefix`). */
  outputPrefix: string;
  /** The render output format (`output_format`), e.g. `'PNG'`. */
  outputFormat: string;
  /** The render engine (`engine`), e.g. `'CYCLES'`; omitted: the scene's. */
  engine?: string;
}

const FIELDS: Record<string, FieldSpec> = {
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
    hint: 'the output format, e.g. "PNG"',
  },
  engine: {
    wire: 'engine',
    required: false,
    check: nonEmptyString,
    hint: 'the render engine, e.g. "CYCLES"',
  },
};

/**
 * A Blender (`blender`) render job of a `.blend` file.
 *
 * @example
 * ```ts
 * const job = blenderJob({ name: 'shot 1', appVersion: '2.80', path: '/my_project/scene.blend',
 *   frames: '1 250', outputPrefix: 'shot1_', outputFormat: 'PNG', engine: 'CYCLES' });
 * ```
 * @throws InvalidRequestError (from `@gm/core`) listing every invalid option.
 */
export function blenderJob(options: BlenderJobOptions): Job {
  return buildJob('blender', options, FIELDS);
}
