/**
 * `@gm/emulator`: a local emulator of the GridMarkets Envoy desktop service for tests, demos and plugin teams.
 *
 * @packageDocumentation
 */
export { DEFAULT_MACHINES, DEFAULT_PRODUCTS, DEMO_USER } from './catalogue.js';
export { startEmulator } from './emulator.js';
export { guardOptionProblems } from './guard.js';
export { openBrowser } from './open.js';
export type {
  EmulatorLoggerOptions,
  EmulatorOptions,
  EmulatorUser,
  MachineCatalogue,
  MachineType,
  ProductVersion,
  RunningEmulator,
} from './types.js';
