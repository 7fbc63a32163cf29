import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSnippets, tsBlocks } from '../../../readme-snippets.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

const compile = (blocks: readonly { code: string }[]) => compileSnippets(ROOT, '@gm/products', blocks);

describe('the README', () => {
  const blocks = tsBlocks(README);

  it('has a complete example per product, each calling its builder', () => {
    const section = (name: string) => blocks.filter((b) => b.heading.startsWith(name)).map((b) => b.code);
    for (const [heading, builder] of [
      ['Blender', 'blenderJob('],
      ['Cinema 4D', 'cinema4dJob('],
      ['Houdini', 'houdiniJob('],
      ['Maya', 'mayaJob('],
      ['Nuke', 'nukeJob('],
      ['V-Ray', 'vrayJob('],
    ] as const) {
      expect(section(heading).join('\n'), heading).toContain(builder);
    }
  });

  it('examples compile against the package sources', () => {
    expect(blocks.length).toBeGreaterThan(8);
    expect(compile(blocks)).toEqual([]);
  });

  it('the compile check catches a broken example', () => {
    expect(
      compile([{ code: "import { nukeJob } from '@gm/products';\nnukeJob({ name: 'n' });" }]),
    ).not.toEqual([]);
  });
});
