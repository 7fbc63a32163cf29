import type { Job } from '@gm/core';
import { PRODUCT_SPECS } from '../specs/index.js';
import { buildJob, type CommonJobOptions } from './common.js';

/** Options of {@link nukeJob}: the common job options (Nuke has no options of its own, and no plugins). */
export interface NukeJobOptions extends CommonJobOptions<'nuke'> {}

/**
 * A Nuke (`nuke`) render job of a `.nk` script.
 *
 * @example
 * ```ts
 * const job = nukeJob({ name: 'comp', appVersion: '11.3', path: '/my_project/comp.nk', frames: '1001 1100' });
 * ```
 * @throws InvalidRequestError (from `@gm/core`) listing every invalid option.
 */
export function nukeJob(options: NukeJobOptions): Job {
  return buildJob('nuke', options, PRODUCT_SPECS.nuke.fields);
}
