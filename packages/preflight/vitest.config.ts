import { gmVitestConfig } from '../../vitest.shared.js';

export default gmVitestConfig({ testTimeout: 60_000 });
