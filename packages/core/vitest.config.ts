import { gmVitestConfig } from '../../vitest.shared.js';

export default gmVitestConfig();
