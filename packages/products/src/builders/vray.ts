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
  oneOf,
} from './common.js';

/** V-Ray's RT engines and their wire numbers (`rt_engine`). */
export const RtEngine = {
  /** Regular (production) render: 0. */
  Regular: 0,
  /** RT on the CPU: 1. */
  CpuRt: 1,
  /** RT on the GPU with OpenCL: 3. */
  GpuOpenCl: 3,
  /** RT on the GPU with CUDA: 5. */
  GpuCuda: 5,
} as const;

/** An RT engine's wire number: 0, 1, 3 or 5. */
export type RtEngine = (typeof RtEngine)[keyof typeof RtEngine];

/** The RT engines by the short names {@link vrayJob} also accepts. */
export const RT_ENGINE_NAMES = { regular: 0, cpu: 1, opencl: 3, cuda: 5 } as const;

/** An RT engine's short name: `'regular'`, `'cpu'`, `'opencl'` or `'cuda'`. */
export type RtEngineName = keyof typeof RT_ENGINE_NAMES;

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

const ENGINE_VALUES: readonly (string | number)[] = [
  ...Object.keys(RT_ENGINE_NAMES),
  ...Object.values(RT_ENGINE_NAMES),
];

const FIELDS: Record<string, FieldSpec> = {
  ...OUTPUT_SIZE_FIELDS,
  ...OUTPUT_FILE_FIELDS,
  rtEngine: {
    required: false,
    check: oneOf(ENGINE_VALUES),
    toModel: (v) => (typeof v === 'number' ? v : RT_ENGINE_NAMES[v as RtEngineName]),
    hint: 'an RT engine such as "cuda" or RtEngine.GpuCuda',
  },
  samplingType: {
    required: false,
    check: oneOf(['progressive', 'bucket']),
    hint: '"progressive" or "bucket"',
  },
  remapFile: {
    required: false,
    check: nonEmptyString,
    hint: 'the path remapping XML file',
  },
};

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
  return buildJob('vray', options, FIELDS);
}
