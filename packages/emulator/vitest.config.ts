import { gmVitestConfig } from '../../vitest.shared.js';

export default gmVitestConfig({
  testTimeout: 30_000,
  hookTimeout: 60_000,
  globalSetup: ['test/global-setup.ts'],
});
