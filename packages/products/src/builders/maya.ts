import type { Job } from '@gm/core';
import {
  buildJob,
  type CommonJobOptions,
  type FieldSpec,
  nonEmptyString,
  positiveInteger,
} from './common.js';

/** Options of {@link mayaJob}: the common job options plus Maya's own. */
export interface MayaJobOptions extends CommonJobOptions<'maya'> {
  /** The render output width in pixels (`output_width`). */
  outputWidth: number;
  /** The render output height in pixels (`output_height`). */
  outputHeight: number;
  /** The render output file prefix (`output_prefix`). */
  outputPrefix: string;
  /** The render output format (`output_format`), e.g. `'exr'`. */
  outputFormat: string;
  /** The camera to render (`camera`); omitted: the scene's renderable camera. */
  camera?: string;
  /** The renderer (`renderer`), e.g. `'arnold'`; omitted: the scene's. */
  renderer?: string;
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
    hint: 'the output format, e.g. "exr"',
  },
  camera: { wire: 'camera', required: false, check: nonEmptyString, hint: 'the camera, e.g. "persp"' },
  renderer: { wire: 'renderer', required: false, check: nonEmptyString, hint: 'the renderer, e.g. "arnold"' },
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
