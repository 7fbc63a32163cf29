import { gmVitestConfig } from '../../vitest.shared.js';

// The end-to-end tests spawn the real binary many times: generous limits for a loaded machine.
export default gmVitestConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
