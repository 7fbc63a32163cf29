import { gmVitestConfig } from '../../vitest.shared.js';

export default gmVitestConfig({
  typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
});
