/**
 * The README snippet checks that several packages' tests share: the ```ts blocks of a README, and a type check of
 * each block as its own module against the package's sources.
 */
import { join } from 'node:path';
import ts from 'typescript';

/** The README's ```ts blocks, each with the heading it stands under. */
export function tsBlocks(markdown: string): { heading: string; code: string }[] {
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

/**
 * Type-checks each block as its own module with the package's tsconfig, `name` imported from the package's own
 * sources (`<root>/src/index.ts`); returns the errors, one line each.
 */
export function compileSnippets(root: string, name: string, blocks: readonly { code: string }[]): string[] {
  const ROOT = root;
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
    paths: { [name]: ['./src/index.ts'] },
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
