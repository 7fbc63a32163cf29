import type { Job } from '@gm/core';
import { PRODUCT_SPECS } from '../specs/index.js';
import { buildJob, type CommonJobOptions, type OutputFileOptions, type OutputSizeOptions } from './common.js';

/** Options of {@link mayaJob}: the common job options plus Maya's own. */
export interface MayaJobOptions extends CommonJobOptions<'maya'>, OutputFileOptions, OutputSizeOptions {
  /** The camera to render (`camera`); omitted: the scene's renderable camera. */
  camera?: string;
  /** The renderer (`renderer`), e.g. `'arnold'`; omitted: the scene's. */
  renderer?: string;
}

/**
 * A Maya (`maya`) render job of a `.ma` or `.mb` file.
 *
 * @example
 * ```ts
 * const job = mayaJob({ name: 'shot 1', appVersion: '2019', path: '/my_project/scene.mb', frames: '1 120',
 *   outputWidth: 1920, outputHeight: 1080, outputPrefix: 'shot1', outputFormat: 'exr', camera: 'shotCam',
 *   renderer: 'arnold', plugins: ['mtoa:3.3.0'] });
 * ```
 * @throws InvalidRequestError (from `@gm/core`) listing every invalid option.
 */
export function mayaJob(options: MayaJobOptions): Job {
  return buildJob('maya', options, PRODUCT_SPECS.maya.fields);
}
