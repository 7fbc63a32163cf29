import { gmVitestConfig } from '../../vitest.shared.js';

// The end-to-end tests spawn `gm` and emulators, several files at once: generous bounds for a loaded machine
// (no test asserts a duration).
export default gmVitestConfig({ testTimeout: 90_000, hookTimeout: 120_000 });
