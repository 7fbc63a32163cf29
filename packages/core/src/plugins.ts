/** A plugin spec, `'code'` or `'code:version'`, split into its parts. */
export interface PluginSpecParts {
  /** The plugin code, e.g. `'mtoa'`. */
  readonly code: string;
  /** The version after the colon, or `undefined` when none was given. */
  readonly version: string | undefined;
}

/**
 * Splits `'code'` or `'code:version'` at the first colon: the one parser of plugin specs (job plugins, the
 * resolver's `compatible_modules`, billing codes).
 *
 * @example parsePluginSpec('mtoa:4.0.1') // { code: 'mtoa', version: '4.0.1' }
 */
export function parsePluginSpec(spec: string): PluginSpecParts {
  const colon = spec.indexOf(':');
  return colon < 0
    ? { code: spec, version: undefined }
    : { code: spec.slice(0, colon), version: spec.slice(colon + 1) };
}
