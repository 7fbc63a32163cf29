import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SceneReference, SceneScan } from '../src/index.js';

/** The fixtures folder. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A fixture's absolute path. */
export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'gm-preflight-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The one reference whose location name is `name` (fails the test when there is not exactly one). */
export function refNamed(scan: SceneScan, name: string): SceneReference {
  const found = scan.references.filter((r) => r.location.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one reference at "${name}", found ${found.length}: ${scan.references.map((r) => r.location.name).join(', ')}`,
    );
  }
  return found[0]!;
}
