import type { PathFlavours } from '../paths.js';

/** What `#platform` gives (one module for Node, Deno and Bun; one for every other runtime). */
export interface Platform {
  /** The path flavours. */
  readonly flavours: PathFlavours;
  /**
   * Envoy's URL from the environment (`GM_ENVOY_URL`, as the command line reads it) where the runtime has one;
   * `undefined` when it is unset or empty, and always where there is no environment (browsers, plugin panels).
   */
  envoyUrlFromEnvironment(): string | undefined;
  /**
   * RE2's own verdict on a watch pattern (the engine's message, or `undefined` when it compiles), given at once
   * where the runtime loads the engine with the package (Node, Deno, Bun); `undefined` where the engine is loaded
   * only when a pattern must be checked before sending (browsers, plugin panels), to keep pages small.
   */
  readonly re2Problem: ((pattern: string) => string | undefined) | undefined;
  /** Every detail of an error's cause as text, to look for secrets in it. */
  describeCause(cause: unknown): string;
}
