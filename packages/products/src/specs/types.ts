import type { OperationType } from '../catalogue.js';
import type { FieldSpec } from './fields.js';

/** A product's catalogue entry: what `PRODUCTS[code]` holds. */
export interface CatalogueEntry {
  /** The display name, e.g. `'Cinema 4D'`. */
  readonly name: string;
  /** The compatible plugins, code → display name. */
  readonly plugins: Readonly<Record<string, string>>;
  /** The operations the product runs; the first is the default. */
  readonly operations: readonly [OperationType, ...OperationType[]];
  /** The operation a job runs when it names none. */
  readonly defaultOperation: OperationType;
  /** The scene (job file) extensions, with the dot, lower case; the first is the one examples use. */
  readonly extensions: readonly [string, ...string[]];
}

/** What a new job file's product options are made from (see {@link ProductSpec.jobFileDefaults}). */
export interface JobFileContext {
  /** The scene file's name without its extension, made safe as a file prefix. */
  readonly stem: string;
  /** The project (and remote folder) name. */
  readonly project: string;
}

/** A scene's output settings as preflight reads them (see {@link ProductSpec.outputFormatFromScene}). */
export interface SceneOutput {
  /** The scene's own name of its output format, e.g. `'OPEN_EXR'`, `'exr'`. */
  readonly format: string;
  /** The renderer the scene names, if any. */
  readonly renderer?: string | undefined;
}

/**
 * What a new job file's `outputFormat` is, given the scene's: the scene's name, with a note on how it was taken;
 * or why the job file keeps its default.
 */
export type SceneFormatChoice =
  | { readonly format: string; readonly note?: string }
  | { readonly why: string };

/**
 * Everything the client knows of one product, as data: its catalogue entry, its own job options (their
 * rules; each option's wire name is its name in snake case) and what `gm init` writes for it. The catalogue,
 * the builders' checks, `gm init`'s defaults, the CLI's hints and completion values and preflight's product
 * per extension all come from the specs (see `PRODUCT_SPEC_LIST`).
 */
export interface ProductSpec<Code extends string = string> {
  /** The product code Envoy knows it by, e.g. `'c4d'`. */
  readonly code: Code;
  /**
   * How a list of product codes in help names this product when its code does not say it, e.g.
   * `'hou (Houdini)'`; absent: the code alone.
   */
  readonly codeLabel?: string;
  /** The catalogue entry. */
  readonly catalogue: CatalogueEntry;
  /** The product's own job options by model name, and how each is checked. */
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /**
   * The product options a new job file starts with (`gm init`), in the order they are written; every required
   * field of {@link fields} must have a value here (a test holds it), so a new job file validates as written.
   */
  readonly jobFileDefaults: (context: JobFileContext) => Readonly<Record<string, unknown>>;
  /**
   * The `outputFormat` a new job file takes from the scene's (`gm init`), where the scene's name for it is certainly
   * the job's; absent: the job file keeps its default.
   */
  readonly outputFormatFromScene?: (scene: SceneOutput) => SceneFormatChoice;
}
