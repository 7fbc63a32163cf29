import {
  nonEmptyString,
  OUTPUT_FILE_FIELDS,
  OUTPUT_SIZE_DEFAULTS,
  OUTPUT_SIZE_FIELDS,
  oneOf,
  outputFileDefaults,
} from './fields.js';
import type { ProductSpec } from './types.js';

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

/** The RT engines by the short names `vrayJob` also accepts. */
export const RT_ENGINE_NAMES = { regular: 0, cpu: 1, opencl: 3, cuda: 5 } as const;

/** An RT engine's short name: `'regular'`, `'cpu'`, `'opencl'` or `'cuda'`. */
export type RtEngineName = keyof typeof RT_ENGINE_NAMES;

const ENGINE_VALUES: readonly (string | number)[] = [
  ...Object.keys(RT_ENGINE_NAMES),
  ...Object.values(RT_ENGINE_NAMES),
];

/** The image files V-Ray writes, by the extension of `SettingsOutput.img_file` (which picks the format). */
const VRAY_IMAGE_EXTENSIONS = new Set('bmp exr hdr jpeg jpg png sgi rgb tga tif tiff vrimg vrst'.split(' '));

/** V-Ray Standalone: `.vrscene` scenes, output size and file options, RT engine, sampling type, path remapping. */
export const vraySpec = {
  code: 'vray',
  catalogue: {
    name: 'V-Ray',
    plugins: {},
    operations: ['render'],
    defaultOperation: 'render',
    extensions: ['.vrscene'],
  },
  fields: {
    ...OUTPUT_SIZE_FIELDS,
    ...OUTPUT_FILE_FIELDS,
    rtEngine: {
      required: false,
      check: oneOf(ENGINE_VALUES),
      toModel: (v: unknown) => (typeof v === 'number' ? v : RT_ENGINE_NAMES[v as RtEngineName]),
      // The schema lists the wire numbers first.
      schema: { enum: [...Object.values(RT_ENGINE_NAMES), ...Object.keys(RT_ENGINE_NAMES)] },
      hint: 'an RT engine such as "cuda" or RtEngine.GpuCuda',
      description: 'V-Ray: RT engine: regular (0), cpu (1), opencl (3) or cuda (5).',
    },
    samplingType: {
      required: false,
      check: oneOf(['progressive', 'bucket']),
      hint: '"progressive" or "bucket"',
      description: 'V-Ray: sampling type.',
    },
    remapFile: {
      required: false,
      check: nonEmptyString,
      hint: 'the path remapping XML file',
      description:
        'V-Ray: XML file mapping absolute paths to server paths, a file of the project: relative to the project folder (for example `remap.xml`), or a remote path `/<project name>/…`; never with `..`.',
    },
  },
  jobFileDefaults: ({ stem }) => ({ ...OUTPUT_SIZE_DEFAULTS, ...outputFileDefaults(stem) }),
  outputFormatFromScene: ({ format }) =>
    VRAY_IMAGE_EXTENSIONS.has(format) ? { format } : { why: 'not an image file extension V-Ray writes' },
} as const satisfies ProductSpec<'vray'>;
