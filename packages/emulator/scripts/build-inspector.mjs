// Builds the inspector page into dist/inspector: app.ts bundled and minified for browsers (no CDN, no
// runtime dependency), beside its HTML and CSS. Run by `pnpm build` after tsdown.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'inspector');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(root, 'inspector', 'app.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
for (const name of ['index.html', 'style.css'])
  await copyFile(join(root, 'inspector', name), join(out, name));
let total = 0;
for (const name of ['index.html', 'style.css', 'app.js']) total += (await stat(join(out, name))).size;
console.log(`inspector page: ${total} bytes (dist/inspector)`);
