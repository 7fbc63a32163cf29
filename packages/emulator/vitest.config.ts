import { gmVitestConfig } from '../../vitest.shared.js';

export default gmVitestConfig({
  testTimeout: 120_000,
  hookTimeout: 60_000,
  globalSetup: ['test/global-setup.ts'],
  // The handler table's types: a handler that breaks the contract must not compile.
  typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
});
