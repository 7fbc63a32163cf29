// The page's scripts as a web tool would ship them, shared by test/browser.test.ts (which serves them to Chromium
// and counts what it fetched) and bench/browser-bundle.mjs (which measures them without a browser). Plain
// JavaScript so that the benchmark runs it in Node as it is; its types are in scripts.d.mts.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const PAGE = join(HERE, 'page.ts');
const CORE_FOLDER = dirname(createRequire(import.meta.url).resolve('@gm/core/package.json'));

/** The file that holds re2js alone, which the page's import map names: outside the budget of core + transport. */
export const RE2JS_FILE = 're2js.js';

/** Bytes of `text` (minified already) gzipped at zlib's default level. */
export function gzipBytes(text) {
  return gzipSync(text).length;
}

// One working folder, so that the chunks' names (hashes of their paths), and so the bytes, are the same wherever
// the build runs (the test from tests/, the benchmark from the repository's root).
const COMMON = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  minify: true,
  write: false,
  logLevel: 'silent',
  absWorkingDir: HERE,
};

/**
 * The page's scripts: the page bundled with code splitting (a module loaded by `import()` becomes a chunk the page
 * fetches only when it runs that code), minified, and re2js (its own package) in a file of its own, `re2js.js`.
 * File name (`page.js`, chunks) → text. `metafile`: esbuild's account of the page's bundle.
 */
export async function pageScripts() {
  const page = await build({
    ...COMMON,
    entryPoints: { page: PAGE },
    splitting: true,
    outdir: join(HERE, 'page-out'), // nothing is written: the files stay in memory
    external: ['re2js'],
    metafile: true,
  });
  const re2js = await build({
    ...COMMON,
    // re2js as @gm/core depends on it (resolved from the core package's own folder).
    stdin: { contents: "export * from 're2js';", resolveDir: CORE_FOLDER, loader: 'js' },
  });
  const scripts = new Map(
    page.outputFiles.map((file) => [file.path.slice(file.path.lastIndexOf('/') + 1), file.text]),
  );
  scripts.set(RE2JS_FILE, re2js.outputFiles[0]?.text ?? '');
  return { scripts, metafile: page.metafile };
}

/** The files a script imports statically (`import … from "./x.js"`, `import "./x.js"`), not by `import()`. */
export function staticImports(text) {
  return [...text.matchAll(/\bimport\s*(?:[^"'()]*?\bfrom\s*)?["']\.\/([\w.-]+)["']/g)].map((m) => m[1]);
}

/** `page.js` and every chunk it loads before it runs: its static imports, transitively. */
export function upFront(scripts) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || !scripts.has(name)) return;
    seen.add(name);
    for (const next of staticImports(scripts.get(name))) visit(next);
  };
  visit('page.js');
  return [...seen];
}

/**
 * A module bundled whole for the browser (no splitting), as a plugin panel or web tool would bundle it from the
 * packages' built files; `inputs`: the files esbuild put in it, with their minified bytes.
 */
export async function bundle(contents, external = []) {
  const result = await build({
    ...COMMON,
    stdin: { contents, resolveDir: HERE, loader: 'ts' },
    metafile: true,
    external,
  });
  const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs).map(([path, input]) => ({ path, bytes: input.bytesInOutput })),
  );
  return { text: result.outputFiles[0]?.text ?? '', inputs };
}
