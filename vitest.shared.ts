/**
 * The vitest settings every package shares: workspace packages resolved to their sources (the `@gm/source`
 * export condition), the test file globs, and a JSON report that `scripts/test.mjs` adds up.
 */
import { defineConfig, type ViteUserConfig } from 'vitest/config';

type TestOptions = NonNullable<ViteUserConfig['test']>;

/** A package's vitest config: the shared settings with `test` options of its own on top. */
export function gmVitestConfig(test: TestOptions = {}): ViteUserConfig {
  return defineConfig({
    resolve: { conditions: ['@gm/source'] },
    ssr: { resolve: { conditions: ['@gm/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 60_000,
      // Tests spawn commands and hooks start emulators: room for a loaded machine (2 cores shared by many runs).
      hookTimeout: 60_000,
      reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
      ...test,
    },
  });
}
