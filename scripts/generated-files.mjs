// What every generator of the workspace shares (transport's and the emulator's `scripts/generate.mjs`): where the
// package, the repository and the output folder are, whether to only check, and the one way to write a generated
// file or check it against what is committed.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The options of a generator run from `scriptUrl` (its `import.meta.url`): `--check` writes nothing and compares;
 * `--dir` points at another output folder (tests check a copy of the generated folder).
 */
export function generatorOptions(scriptUrl, argv = process.argv.slice(2)) {
  const pkg = join(dirname(fileURLToPath(scriptUrl)), '..');
  const root = join(pkg, '..', '..');
  const dirIndex = argv.indexOf('--dir');
  return {
    pkg,
    root,
    contractPath: join(root, 'openapi', 'envoy.yaml'),
    check: argv.includes('--check'),
    outDir: dirIndex >= 0 ? argv[dirIndex + 1] : join(pkg, 'src', 'generated'),
  };
}

/**
 * Writes `text` to `path`, or with `check` compares it with the file there: true when it is up to date (or written),
 * false (with a line saying how to fix it) when it differs.
 */
export function writeOrCheck(path, text, check) {
  if (!check) {
    writeFileSync(path, text);
    return true;
  }
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {}
  if (current !== text) {
    console.error(`✘ ${path} differs from openapi/envoy.yaml: run \`pnpm generate\` and commit the result.`);
    return false;
  }
  console.log(`✓ ${path.split(/[\\/]/).pop()} is up to date`);
  return true;
}
