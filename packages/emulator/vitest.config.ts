import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@gm/source'] },
  ssr: { resolve: { conditions: ['@gm/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
