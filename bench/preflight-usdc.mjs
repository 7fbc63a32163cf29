// Scanning a large USD crate layer (.usdc) with @gm/preflight's scanScene, beside a plain read of the same file,
// measured in the same run, alternating (lib.mjs `alternate`), medians of 5. The layer is written once by the test
// suite's crate writer (packages/preflight/test/crate-writer.mjs, the crate layout of OpenUSD's public source): a
// prim per asset, each with a texture (an asset path), a points array of 4,000 floats (16 KB) (never read by preflight),
// every 10th with a reference and every 100th with a payload and an asset array, as a set's layer holds them.
// Goal: the scan reads only the structural sections and the values that can hold asset paths: ≤ 1× a plain read.
// Usage: node --expose-gc bench/preflight-usdc.mjs [prims=25000] [runs=5] [--json]
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanScene } from '@gm/preflight';
import { CrateWriter } from '../packages/preflight/test/crate-writer.mjs';
import { alternate, emitTimed, note, numberArg } from './lib.mjs';

const prims = numberArg(0, 25_000);
const runs = Math.max(5, numberArg(1, 5));
const target = join(tmpdir(), `gm-bench-set-${prims}.usdc`);

if (!existsSync(target)) {
  note(`creating ${target} (once)...`);
  const w = new CrateWriter().spec('/', 'pseudoRoot', [
    ['subLayers', { subLayers: ['lighting.usda', 'fx.usdc'] }],
  ]);
  w.spec('/Set', 'prim');
  for (let i = 0; i < prims; i++) {
    const prim = `/Set/Asset_${i}`;
    const fields = [];
    if (i % 10 === 0) fields.push(['references', { references: [`assets/asset_${i % 500}.usdc`] }]);
    if (i % 100 === 0) fields.push(['payload', { payloads: [`payloads/p_${i}.usdc`] }]);
    w.spec(prim, 'prim', fields);
    w.spec(`${prim}.inputs:file`, 'attribute', [['default', { asset: `textures/t_${i % 2000}.<UDIM>.exr` }]]);
    w.spec(`${prim}.points`, 'attribute', [['default', { floats: 4000 }]]);
    if (i % 100 === 0) {
      w.spec(`${prim}.inputs:layers`, 'attribute', [
        ['default', { assets: [`maps/a_${i}.png`, `maps/b_${i}.png`] }],
      ]);
    }
  }
  writeFileSync(`${target}.part`, w.bytes());
  renameSync(`${target}.part`, target);
}

const size = statSync(target).size / 1024 / 1024;
const found = await scanScene(target, { followLibraries: false });
note(`file: ${size.toFixed(0)} MiB, ${found.references.length} references`);
const times = await alternate(
  {
    limit: async () => (await readFile(target)).length,
    figure: () => scanScene(target, { followLibraries: false }),
  },
  { runs, warmup: 1 },
);
emitTimed(times, {
  figure: `preflight scanScene of a ${size.toFixed(0)} MiB .usdc (${prims} prims, ${found.references.length} asset paths)`,
  key: 'figure',
  limitKey: 'limit',
  names: { limit: 'plain readFile', cpuLimit: 'plain read', runs: 'scan', limitRuns: 'plain read' },
  goal: '≤ 1×',
  pass: (value, limit) => value / limit <= 1,
});
