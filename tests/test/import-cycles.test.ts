/**
 * No import circles in any published package's source: every module can be imported first, and `#platform`
 * modules are leaves, and a module loaded lazily never imports its loader. Type-only imports are left out of the
 * graph (the compiler erases them).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { circularGroups, describeCycle, importCycles, packageGraph, valueImports } from './import-graph.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packageFolders = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(root, group, name)),
);

describe('the import graph', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'gm-cycles-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function fixture(files: Record<string, string>, manifest: object = {}): string {
    const folder = mkdtempSync(join(scratch, 'pkg-'));
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'fixture', ...manifest }));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(folder, 'src', path)), { recursive: true });
      writeFileSync(join(folder, 'src', path), text);
    }
    return folder;
  }

  it('reads value imports, re-exports and dynamic imports, and leaves type-only ones out', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from './c.js';",
      "import { type E, f } from './e.js';",
      "import './side.js';",
      "export { g } from './g.js';",
      "export type { H } from './h.js';",
      "export * from './star.js';",
      "const lazy = () => import('./lazy.js');",
    ].join('\n');
    expect(valueImports(text)).toEqual(['./a.js', './e.js', './side.js', './g.js', './star.js', './lazy.js']);
  });

  it('finds a circle through a folder index and one through a `#name` import', () => {
    const folder = fixture(
      {
        'index.ts': "export { run } from './commands/index.js';",
        'commands/index.ts': "import { helper } from '../helper.js';\nexport const run = helper;",
        'helper.ts': "import './commands/index.js';\nexport const helper = 1;",
        'walk.ts': "import { disk } from '#platform';\nexport const walk = disk;",
        'platform/node.ts': "import { walk } from '../walk.js';\nexport const disk = walk;",
        'platform/web.ts': 'export const disk = 2;',
        'typed.ts': "import type { T } from './typed-back.js';\nexport type U = T;",
        'typed-back.ts': "import type { U } from './typed.js';\nexport type T = U;",
      },
      {
        imports: {
          '#platform': { '@gm/source': { node: './src/platform/node.ts', default: './src/platform/web.ts' } },
        },
      },
    );
    const cycles = importCycles(packageGraph(folder)).map((cycle) => describeCycle(cycle, folder));
    expect(cycles.sort()).toEqual([
      'src/commands/index.ts → src/helper.ts → src/commands/index.ts',
      'src/platform/node.ts → src/walk.ts → src/platform/node.ts',
    ]);
  });

  it.each(packageFolders.map((folder) => [folder.slice(root.length + 1), folder]))(
    '%s has no import circle',
    (_name, folder) => {
      const graph = packageGraph(folder);
      const groups = circularGroups(graph).map((group) => describeCycle(group, root));
      // Each circle found, shown as a path through it, so a failure says which import to take away.
      expect(
        groups,
        importCycles(graph)
          .map((cycle) => describeCycle(cycle, root))
          .join('\n'),
      ).toEqual([]);
    },
  );
});
