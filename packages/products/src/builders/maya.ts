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

/** Options of {@link mayaJob}: the common job options plus Maya's own. */
export interface MayaJobOptions extends CommonJobOptions<'maya'>, OutputFileOptions, OutputSizeOptions {
  /** The camera to render (`camera`); omitted: the scene's renderable camera. */
  camera?: string;
  /** The renderer (`renderer`), e.g. `'arnold'`; omitted: the scene's. */
  renderer?: string;
}

const FIELDS: Record<string, FieldSpec> = {
  ...OUTPUT_SIZE_FIELDS,
  ...OUTPUT_FILE_FIELDS,
  camera: { required: false, check: nonEmptyString, hint: 'the camera, e.g. "persp"' },
  renderer: { required: false, check: nonEmptyString, hint: 'the renderer, e.g. "arnold"' },
};

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
  return buildJob('maya', options, FIELDS);
}
