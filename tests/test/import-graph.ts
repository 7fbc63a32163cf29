/**
 * The import graph of the workspace's source: which `src/**\/*.ts` module loads which at run time, and the
 * circles in it. A circle makes the order modules initialise in depend on which one is imported first (a
 * `const` read before its module ran is a `ReferenceError`), so none is allowed.
 *
 * Only value imports count: `import type`, `export type` and imports whose every name is `type` are erased
 * by the compiler and never load the other module, so a circle made only of them is harmless. A dynamic
 * `import('./x.js')` counts: a module loaded lazily that imports its loader back is a circle all the same
 * (harmless only while every load stays lazy, which nothing checks).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One module's value imports, as absolute paths of the workspace's source files. */
export type ImportGraph = Map<string, string[]>;

/** The specifiers a module imports for their values (statically, then by `import()` of a string), in order. */
export function valueImports(sourceText: string, fileName = 'module.ts'): string[] {
  const source = ts.createSourceFile(fileName, sourceText, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const bindings = clause?.namedBindings;
      const onlyTypeNames =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((element) => element.isTypeOnly);
      if (onlyTypeNames) continue;
      if (ts.isStringLiteral(statement.moduleSpecifier)) found.push(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly || !statement.moduleSpecifier) continue;
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause) && clause.elements.length > 0) {
        if (clause.elements.every((element) => element.isTypeOnly)) continue;
      }
      if (ts.isStringLiteral(statement.moduleSpecifier)) found.push(statement.moduleSpecifier.text);
    }
  }
  const dynamic = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      if (specifier && ts.isStringLiteralLike(specifier)) found.push(specifier.text);
    }
    ts.forEachChild(node, dynamic);
  };
  dynamic(source);
  return found;
}

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'generated') files.push(...sourceFiles(path));
    } else if (/\.tsx?$/.test(name) && !/\.(test|test-d|d)\.tsx?$/.test(name)) {
      files.push(path);
    }
  }
  return files;
}

/** Every string target under a package.json `imports` entry's `@gm/source` condition (the source files). */
function sourceTargets(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry];
  if (entry === null || typeof entry !== 'object') return [];
  const conditions = entry as Record<string, unknown>;
  if ('@gm/source' in conditions) return leaves(conditions['@gm/source']);
  return Object.values(conditions).flatMap(sourceTargets);
}

function leaves(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry];
  if (entry === null || typeof entry !== 'object') return [];
  return Object.values(entry).flatMap(leaves);
}

function resolveRelative(from: string, specifier: string, known: Set<string>): string | undefined {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(m|c)?js$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts')]) {
    if (known.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The value-import graph of one package's `src` (tests, type tests and generated code left out): relative
 * specifiers and `#name` specifiers resolved through the package's `imports` field (every file the
 * `@gm/source` condition can pick, so `#platform` points at each platform's module).
 */
export function packageGraph(packageFolder: string): ImportGraph {
  const files = sourceFiles(join(packageFolder, 'src'));
  const known = new Set(files);
  const manifest = JSON.parse(readFileSync(join(packageFolder, 'package.json'), 'utf8')) as {
    imports?: Record<string, unknown>;
  };
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const targets: string[] = [];
    for (const specifier of valueImports(readFileSync(file, 'utf8'), file)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier, known);
        if (target) targets.push(target);
      } else if (specifier.startsWith('#') && manifest.imports?.[specifier] !== undefined) {
        for (const target of sourceTargets(manifest.imports[specifier])) {
          const path = resolve(packageFolder, target);
          if (known.has(path)) targets.push(path);
        }
      }
    }
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The circles of a graph: one per strongly connected component with more than one module (or a module that
 * imports itself), each given as a path that starts and ends at the same module.
 */
export function importCycles(graph: ImportGraph): string[][] {
  return circularGroups(graph).map((group) => cycleWithin(graph, group));
}

/**
 * The groups of modules that import each other in a circle (strongly connected components with more than one
 * module, or a module that imports itself), each sorted, every module of the group on some circle.
 */
export function circularGroups(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components, iterative so a deep graph cannot overflow the stack.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; next: number };
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const target = edges[frame.next++] as string;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent)
        low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((component) => component.sort());
}

/** A shortest circle through the component's first module (in sorted order), found breadth first. */
function cycleWithin(graph: ImportGraph, component: string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) {
          path.splice(1, 0, at);
        }
        path.push(start);
        return path;
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

/** A circle as text, its modules relative to `root` with forward slashes: `a.ts → b.ts → a.ts`. */
export function describeCycle(cycle: string[], root: string): string {
  return cycle.map((file) => relative(root, file).split(sep).join('/')).join(' → ');
}
