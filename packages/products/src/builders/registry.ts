import type { Job } from '@gm/core';
import { PRODUCTS, type ProductCode } from '../catalogue.js';
import { PRODUCT_SPECS, type ProductSpecs } from '../specs/index.js';
import { blenderJob } from './blender.js';
import { cinema4dJob } from './cinema4d.js';
import { buildProductJob, type CommonJobOptions, type OptionNames } from './common.js';
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

/**
 * Builds a job of product `product` from options not typed yet (a parsed job file, a form): the same checks as
 * the product's typed builder in {@link JOB_BUILDERS}, every problem named by its option, in `names` where the
 * caller names an option otherwise (a job file's `file` for `path`).
 *
 * @throws InvalidRequestError (from `@gm/core`) naming each option at fault and how to fix it.
 */
export function buildJobOf(product: ProductCode, options: unknown, names: OptionNames = {}): Job {
  return buildProductJob(product, PRODUCTS[product], PRODUCT_SPECS[product].fields, options, names);
}

/** The options of product `P`'s typed builder that are its own (not those every job takes). */
type OwnOptionsOf<P extends ProductCode> = Exclude<
  keyof Parameters<(typeof JOB_BUILDERS)[P]>[0],
  keyof CommonJobOptions<P> | 'operation'
>;
/** The option names of product `P`'s spec. */
type FieldNamesOf<P extends ProductCode> = keyof ProductSpecs[P]['fields'];
/** The products whose typed builder's own options are not exactly their spec's fields: none, or this fails to compile. */
type BuilderSpecMismatch = {
  [P in ProductCode]: [OwnOptionsOf<P>] extends [FieldNamesOf<P>]
    ? [FieldNamesOf<P>] extends [OwnOptionsOf<P>]
      ? never
      : P
    : P;
}[ProductCode];
/** Compiles only when every builder's options and its spec's fields agree (the error names the product). */
type BuildersMatchSpecs = [BuilderSpecMismatch] extends [never] ? true : { mismatch: BuilderSpecMismatch };
true satisfies BuildersMatchSpecs;
