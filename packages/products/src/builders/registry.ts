import type { Job } from '@gm/core';
import type { ProductCode } from '../catalogue.js';
import { blenderJob } from './blender.js';
import { cinema4dJob } from './cinema4d.js';
import { houdiniJob } from './houdini.js';
import { mayaJob } from './maya.js';
import { nukeJob } from './nuke.js';
import { vrayJob } from './vray.js';

/**
 * The job builder of each product, by product code: what a job file's `product` picks.
 *
 * @example
 * ```ts
 * const job = JOB_BUILDERS.blender({ name: 'shot', appVersion: '4.2', path: '/p/scene.blend', frames: '1 10',
 *   outputPrefix: 'shot_', outputFormat: 'PNG' });
 * ```
 */
export const JOB_BUILDERS = Object.freeze({
  blender: blenderJob,
  c4d: cinema4dJob,
  hou: houdiniJob,
  maya: mayaJob,
  nuke: nukeJob,
  vray: vrayJob,
}) satisfies { readonly [P in ProductCode]: (options: never) => Job };
