import { gmVitestConfig } from '../../vitest.shared.js';

export default gmVitestConfig({
  testTimeout: 120_000,
  hookTimeout: 60_000,
  globalSetup: ['test/global-setup.ts'],
});
