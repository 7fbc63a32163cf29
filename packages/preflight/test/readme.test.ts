import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's ```ts blocks, each with the heading it stands under. */
function tsBlocks(markdown: string): { heading: string; code: string }[] {
  const blocks: { heading: string; code: string }[] = [];
  let heading = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '');
    if (line.trim() !== '```ts') continue;
    const start = ++i;
    while (i < lines.length && lines[i]?.trim() !== '```') i++;
    blocks.push({ heading, code: lines.slice(start, i).join('\n') });
  }
  return blocks;
}

/** Type-checks each block as its own module (importing `@gm/preflight` from the sources); returns the errors. */
function compile(blocks: readonly { code: string }[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.json could not be read');
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    baseUrl: ROOT,
    paths: { '@gm/preflight': ['./src/index.ts'] },
  };
  const files = new Map(
    blocks.map((b, i) => [join(ROOT, 'test', `readme-block-${i + 1}.ts`), `${b.code}\nexport {};\n`]),
  );
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const text = files.get(f);
    return text === undefined
      ? getSourceFile.call(host, f, language, ...rest)
      : ts.createSourceFile(f, text, language);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return [...files.keys()].flatMap((f) => {
    const source = program.getSourceFile(f);
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
      (d) => {
        const { line } =
          d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0 };
        return `${f.slice(ROOT.length + 1)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      },
    );
  });
}

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
