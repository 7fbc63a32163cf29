import { gmVitestConfig } from '../vitest.shared.js';

// These tests spawn tsc, node and npm: generous timeouts for a loaded machine.
export default gmVitestConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
