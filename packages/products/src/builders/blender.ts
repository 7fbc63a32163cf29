import type { Job } from '@gm/core';
import { PRODUCT_SPECS } from '../specs/index.js';
import { buildJob, type CommonJobOptions, type OutputFileOptions } from './common.js';

/** Options of {@link blenderJob}: the common job options plus Blender's own. */
export interface BlenderJobOptions extends CommonJobOptions<'blender'>, OutputFileOptions {
  /** The render engine (`engine`), e.g. `'CYCLES'`; omitted: the scene's. */
  engine?: string;
}

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
  return buildJob('blender', options, PRODUCT_SPECS.blender.fields);
}
