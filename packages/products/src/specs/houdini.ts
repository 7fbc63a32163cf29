import { type FieldSpec, nonEmptyString, stringList } from './fields.js';
import type { ProductSpec } from './types.js';

const optional = (hint: string, description: string): FieldSpec => ({
  required: false,
  check: nonEmptyString,
  hint,
  description: `Houdini: ${description}.`,
});

/**
 * Houdini: `.hip`, `.hipnc` and `.hiplc` scenes; a render (default), a batch (ROPs cooked without rendering,
 * e.g. caches) or a simulation of one ROP node, whose outputs are uploaded by pattern.
 */
export const houdiniSpec = {
  code: 'hou',
  codeLabel: 'hou (Houdini)',
  catalogue: {
    name: 'Houdini',
    plugins: {
      htoa: 'Arnold',
      hton: 'Nuke',
      hou_redshift: 'Redshift',
      prman: 'Renderman',
      htot: 'FFMPEG Transcode',
      hou_vray: 'V-Ray',
    },
    operations: ['render', 'batch', 'sim'],
    defaultOperation: 'render',
    extensions: ['.hip', '.hipnc', '.hiplc'],
  },
  fields: {
    take: optional('the take, e.g. "Main"', 'take name'),
    ropNodeType: {
      required: true,
      check: nonEmptyString,
      hint: 'the ROP node type, e.g. "ifd"',
      description: 'Houdini: render operation node type.',
    },
    ropNodePath: {
      required: true,
      check: nonEmptyString,
      hint: 'the ROP node path, e.g. "/out/mantra1"',
      description: 'Houdini: render operation node path.',
    },
    outputUpload: {
      required: true,
      check: stringList,
      hint: 'the output patterns to upload, e.g. ["/my_project/render/.+"]',
      description: 'Houdini: output patterns to upload to long time storage.',
    },
    diskOutputExt: optional('the disk output extension, e.g. ".exr"', 'disk output extension'),
    diskOutputMode: optional('the disk output mode', 'disk output mode'),
    diskOutputParm: optional('the disk output parameter, e.g. "vm_picture"', 'disk output parameter'),
    diskOutputPath: optional('the disk output path', 'disk output path'),
    diskOutputRenderer: optional('the disk output renderer, e.g. "mantra"', 'disk output renderer'),
    diskOutputPathParm: optional('the disk output path parameter', 'disk output path parameter'),
  },
  // Mantra's default ROP, and everything the project renders under `render/` uploaded.
  jobFileDefaults: ({ project }) => ({
    ropNodeType: 'ifd',
    ropNodePath: '/out/mantra1',
    outputUpload: [`/${project}/render/.+`],
  }),
} as const satisfies ProductSpec<'hou'>;
