/**
 * The vitest settings every package shares: workspace packages resolved to their sources (the `@gm/source`
 * export condition), the test file globs, and a JSON report that `scripts/test-summary.mjs` adds up.
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
      testTimeout: 20_000,
      // Hooks start emulators and servers: room for a loaded machine (the default 10 s is not enough there).
      hookTimeout: 60_000,
      reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
      ...test,
    },
  });
}
