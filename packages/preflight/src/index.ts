/**
 * `@gm/preflight`: every file a scene needs, found before anything is uploaded. {@link scanScene} reads Blender,
 * Nuke, Maya ASCII, V-Ray, USD ASCII and Houdini scene files outside their applications and lists their external
 * references, resolved and checked on disk.
 *
 * @packageDocumentation
 */
export {
  CorruptFileError,
  DecompressionError,
  type FilePosition,
  LimitExceededError,
  PreflightError,
  SceneNotFoundError,
  TruncatedFileError,
  UnsupportedFormatError,
} from './errors.js';
export { DEFAULT_LIMITS } from './limits.js';
export {
  addSceneDependencies,
  type DependencyTarget,
  type JobPreflight,
  type PreflightJob,
  type PreflightOptions,
  type PreflightProblem,
  type PreflightProject,
  type ProjectPreflight,
  preflightProject,
  type SceneDependencies,
} from './project.js';
export { SCENE_EXTENSIONS, type ScanInternals, savedVersion, scanScene } from './scan.js';
export type {
  PathMap,
  ReferenceKind,
  ReferenceLocation,
  ScanLimits,
  ScanOptions,
  SceneFormat,
  SceneReference,
  SceneScan,
  SceneSetting,
  SceneSettings,
  SequenceMatch,
} from './types.js';
