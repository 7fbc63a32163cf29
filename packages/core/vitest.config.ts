import { gmVitestConfig } from '../../vitest.shared.js';

// Integration tests start emulators and servers: generous limits for a loaded machine.
export default gmVitestConfig({
  testTimeout: 60_000,
  hookTimeout: 120_000,
  typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
});
