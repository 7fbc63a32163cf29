/**
 * The build every package shares: `src/index.ts` to ESM and CommonJS with declarations, for Node 20.
 * A package passes what differs (more entries, ESM only, ...).
 */
import { defineConfig, type UserConfig } from 'tsdown';

/** A package's tsdown config: the shared settings with its own on top. */
export function gmTsdownConfig(overrides: UserConfig = {}): UserConfig {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    clean: true,
    ...overrides,
  }) as UserConfig;
}
