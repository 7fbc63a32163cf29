import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSnippets, tsBlocks } from '../../../readme-snippets.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

const compile = (blocks: readonly { code: string }[]) => compileSnippets(ROOT, '@gm/preflight', blocks);

describe('the README', () => {
  const blocks = tsBlocks(README);

  it('examples compile against the package sources', () => {
    expect(blocks.length).toBe(2);
    expect(compile(blocks)).toEqual([]);
  });

  it('the compile check catches a broken example', () => {
    expect(compile([{ code: "import { scanScene } from '@gm/preflight';\nscanScene(42);" }])).not.toEqual([]);
  });

  it('has a row per scene extension scanScene knows', async () => {
    const { SCENE_EXTENSIONS } = await import('../src/index.js');
    for (const ext of SCENE_EXTENSIONS) expect(README, ext).toContain(`\`${ext}\``);
  });
});
