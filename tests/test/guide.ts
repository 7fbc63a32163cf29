/**
 * Turns a Markdown guide's TypeScript snippets into one runnable module: the fenced `ts` blocks in order, their
 * `import { ... } from '...'` lines merged at the top (a name imported twice is imported once).
 */
export interface GuideModule {
  /** The module's source. */
  source: string;
  /** How many `ts` blocks it holds. */
  blocks: number;
}

const FENCE = /^```(\w*)\s*\n([\s\S]*?)^```\s*$/gm;
const NAMED_IMPORT = /^import\s+\{([^}]*)\}\s+from\s+'([^']+)';\s*$/;

/** The fenced blocks of one language, in order. */
export function fencedBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(FENCE)].filter((m) => m[1] === language).map((m) => m[2] ?? '');
}

/** The `ts` blocks of `markdown` as one module; throws on an import form it cannot merge. */
export function guideModule(markdown: string): GuideModule {
  const blocks = fencedBlocks(markdown, 'ts');
  const imports = new Map<string, Set<string>>();
  const bodies: string[] = [];
  blocks.forEach((block, index) => {
    const body: string[] = [];
    for (const line of block.split('\n')) {
      if (!line.startsWith('import ')) {
        body.push(line);
        continue;
      }
      const m = NAMED_IMPORT.exec(line);
      if (!m) throw new Error(`block ${index + 1}: only "import { a, b } from 'x';" can be merged: ${line}`);
      const names = imports.get(m[2] ?? '') ?? new Set<string>();
      for (const name of (m[1] ?? '').split(',')) if (name.trim()) names.add(name.trim());
      imports.set(m[2] ?? '', names);
    }
    bodies.push(`// --- block ${index + 1}\n${body.join('\n')}`);
  });
  const head = [...imports].map(([from, names]) => `import { ${[...names].join(', ')} } from '${from}';`);
  return { source: `${head.join('\n')}\n\n${bodies.join('\n')}\nexport {};\n`, blocks: blocks.length };
}

/**
 * The tsconfig.json that compiles snippets as a reader would: strict, Node ESM, Node's types from the workspace's
 * `typeRoots`, emitted into `out`. `sources` are tsconfig `files` or `include` entries.
 */
export function snippetTsconfig(
  typeRoots: string,
  sources: { files: string[] } | { include: string[] },
): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      types: ['node'],
      typeRoots: [typeRoots],
      skipLibCheck: true,
      outDir: 'out',
    },
    ...sources,
  });
}
