import type { Job } from '@gm/core';
import { PRODUCT_SPECS } from '../specs/index.js';
import type { RtEngine, RtEngineName } from '../specs/vray.js';
import { buildJob, type CommonJobOptions, type OutputFileOptions, type OutputSizeOptions } from './common.js';

export { RT_ENGINE_NAMES, RtEngine, type RtEngineName } from '../specs/vray.js';

/** V-Ray's image sampling types (`sampling_type`). */
export type SamplingType = 'progressive' | 'bucket';

/** Options of {@link vrayJob}: the common job options plus V-Ray Standalone's own. */
export interface VrayJobOptions extends CommonJobOptions<'vray'>, OutputFileOptions, OutputSizeOptions {
  /** The RT engine (`rt_engine`, sent as its number): a name such as `'cuda'` or `RtEngine.GpuCuda`. */
  rtEngine?: RtEngine | RtEngineName;
  /** The sampling type (`sampling_type`): `'progressive'` or `'bucket'`. */
  samplingType?: SamplingType;
  /** An XML file mapping absolute paths to server folders (`remap_file`). */
  remapFile?: string;
}

/**
 * A V-Ray Standalone (`vray`) render job of a `.vrscene` file.
 *
 * @example
 * ```ts
 * const job = vrayJob({ name: 'still', appVersion: '4.10.03', path: '/my_project/scene.vrscene', frames: '1',
 *   outputWidth: 3840, outputHeight: 2160, outputPrefix: 'still', outputFormat: 'exr',
 *   rtEngine: 'cuda', samplingType: 'progressive', gpu: true });
 * ```
 * @throws InvalidRequestError (from `@gm/core`) listing every invalid option.
 */
export function vrayJob(options: VrayJobOptions): Job {
  return buildJob('vray', options, PRODUCT_SPECS.vray.fields);
}
