/**
 * Typed job builders for GridMarkets Envoy products: the product catalogue, frame ranges, one builder per
 * product returning a `@gm/core` `Job`, and checks against the live service.
 *
 * @packageDocumentation
 */

/** Frame ranges: the parser lives in `@gm/core` (its `Job` checks `params.frames`); re-exported here. */
export {
  countFrames,
  expandFrames,
  type FrameRange,
  FrameRangeError,
  formatFrames,
  normalizeFrames,
  parseFrames,
  parsePluginSpec,
  validateFrames,
} from '@gm/core';
export { type BlenderJobOptions, blenderJob } from './builders/blender.js';
export { type Cinema4dJobOptions, cinema4dJob } from './builders/cinema4d.js';
export type {
  CommonJobOptions,
  OptionNames,
  OutputFileOptions,
  OutputSizeOptions,
} from './builders/common.js';
export {
  type HoudiniJobOptions,
  type HoudiniProjectParams,
  type HoudiniProjectParamsOptions,
  houdiniJob,
  houdiniProjectParams,
} from './builders/houdini.js';
export { type MayaJobOptions, mayaJob } from './builders/maya.js';
export { type NukeJobOptions, nukeJob } from './builders/nuke.js';
export { buildJobOf, JOB_BUILDERS } from './builders/registry.js';
export {
  RT_ENGINE_NAMES,
  RtEngine,
  type RtEngineName,
  type SamplingType,
  type VrayJobOptions,
  vrayJob,
} from './builders/vray.js';
export {
  isPluginOf,
  isProductCode,
  OPERATION_TYPES,
  type OperationOf,
  type OperationType,
  type PluginOf,
  type PluginSpec,
  PRODUCT_CODES,
  PRODUCTS,
  type ProductCode,
  type ProductInfo,
  type ProductName,
  pluginsOf,
  productOf,
  productsForFile,
} from './catalogue.js';
export {
  type CheckableJob,
  type CheckJobOptions,
  checkJob,
  type JobFinding,
} from './check.js';
export {
  type Check,
  type FieldSpec,
  nonEmptyString,
  type OptionSchema,
  OUTPUT_FILE_FIELDS,
  OUTPUT_SIZE_DEFAULTS,
  OUTPUT_SIZE_FIELDS,
  oneOf,
  outputFileDefaults,
  positiveInteger,
  stringList,
} from './specs/fields.js';
export { PRODUCT_SPEC_LIST, PRODUCT_SPECS, type ProductSpecs } from './specs/index.js';
export { type OptionProperty, productCodesInWords, productOptionProperties } from './specs/schema.js';
export { type ProductTables, productTables } from './specs/tables.js';
export type {
  CatalogueEntry,
  JobFileContext,
  ProductSpec,
  SceneFormatChoice,
  SceneOutput,
} from './specs/types.js';
export { didYouMean } from './suggest.js';
