import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@gm/source'] },
  ssr: { resolve: { conditions: ['@gm/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
