import {
  DEFAULT_LIMITS,
  LimitExceededError,
  PreflightError,
  type ScanLimits,
  type SceneReference,
  scanScene,
} from '@gm/preflight';
import { validateFrames } from '@gm/products';
import type { Command } from 'commander';
import { type Context, contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import { limitOption, parseLimits, parsePathMap, pathMapOption } from '../../lib/preflight.js';
import { safe } from '../../lib/safe.js';
import { formatTable } from '../../lib/table.js';
import type { Registry } from '../../registry.js';

/** The options of {@link scan}: `gm scan`'s flags. */
export interface ScanOptions {
  /** Count sequence frames within this range (`--frames`). */
  frames?: string;
  /** Foreign folders mapped onto local ones, `from=to` (`--path-map`). */
  pathMap?: string[];
  /** Also look for relative paths here (`--project-folder`). */
  projectFolder?: string;
  /** Follow linked libraries and referenced scenes (`false` with `--no-libraries`). */
  libraries?: boolean;
  /** Exit 2 when a reference is missing or cannot be checked, or the scene was not scanned (`--strict`). */
  strict?: boolean;
  /** Scan limits raised (or lowered) for this scan, `name=value` (`--limit`, repeatable). */
  limit?: string[];
}

/** A reference's state in words: found, missing, unresolved, or how much of a sequence is on disk ("4 of 5 frames"). */
export function state(ref: SceneReference): string {
  if (ref.unresolved !== undefined) return 'unresolved';
  const seq = ref.sequence;
  if (seq && seq.found + seq.missing === 0) return 'missing';
  if (seq && /^<(UDIM|UVTILE)>$/i.test(seq.token)) return `${seq.found} tile(s) found`;
  if (seq)
    return `${seq.found} of ${seq.found + seq.missing} frames${ref.partial ? ' (partly present)' : ''}`;
  return ref.exists ? 'found' : 'missing';
}

/** `gm scan`: the external files a scene references, found and missing. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .argument('<scene>', 'a scene file: .blend, .nk, .ma, .vrscene, .usda, .hip, .hipnc, .hiplc')
    .option('--frames <range>', 'count sequence frames within this range, e.g. "1 100"')
    .addOption(pathMapOption())
    .option('--project-folder <dir>', 'also look for relative paths here')
    .option('--no-libraries', 'do not follow linked libraries and referenced scenes')
    .option(
      '--strict',
      'exit 2 when a reference is missing or cannot be checked, or the scene was not scanned (for CI)',
    )
    .addOption(limitOption())
    .addHelpText(
      'after',
      `
Nothing is uploaded. Exit code 2 when the scene cannot be read, and with --strict when a reference is missing
or cannot be checked.

Examples:
  gm scan scene.blend
  gm scan comp.nk --frames "1001 1100" --json
  gm scan shot.ma --path-map 'X:/show/=/mnt/show'
  gm scan shot.blend --strict --json     in CI: the report, and exit 2 unless every file is there
  gm scan huge.usda --limit maxReferences=400000`,
    )
    .action((scene: string, opts: ScanOptions) => scan(contextOf(command, io, signal), scene, opts));
}

/**
 * What `gm scan` runs, callable without the argument parser (see `createContext`): lists the external files a
 * scene references, found and missing.
 */
export async function scan(ctx: Context, scene: string, opts: ScanOptions): Promise<void> {
  const pathMap = parsePathMap(opts.pathMap);
  const frameError = opts.frames === undefined ? undefined : validateFrames(opts.frames);
  if (frameError) throw new UsageError(`--frames: ${frameError.message.replace(/^frames: /, '')}`);
  const limits = parseLimits(opts.limit);
  let scan: Awaited<ReturnType<typeof scanScene>>;
  try {
    scan = await scanScene(scene, {
      pathMap,
      ...(opts.frames ? { frames: opts.frames } : {}),
      ...(opts.projectFolder ? { projectFolder: opts.projectFolder } : {}),
      followLibraries: opts.libraries !== false,
      limits,
    });
  } catch (error) {
    if (error instanceof LimitExceededError) {
      const now = limits[error.limit as keyof ScanLimits] ?? DEFAULT_LIMITS[error.limit as keyof ScanLimits];
      throw new UsageError(error.message, {
        cause: error,
        hint: `If you trust the file, raise the bound: gm scan ${safe(JSON.stringify(scene))} --limit ${error.limit}=${now * 4} (now ${now}).`,
      });
    }
    if (error instanceof PreflightError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  const { out } = ctx;
  const missing = scan.references.filter((r) => !r.exists);
  // --strict: the report as usual, then a failure unless every reference was checked and found.
  const strictFailure = () => {
    if (!opts.strict) return;
    if (missing.length > 0) {
      throw new UsageError(
        `${scene}: ${missing.length} of ${scan.references.length} reference(s) missing or not checkable (--strict).`,
        {
          hint: 'Fix the paths in the scene or add the files; --path-map maps folders of another machine.',
        },
      );
    }
    if (!scan.scanned) throw new UsageError(`${scene} could not be scanned (--strict).`);
  };
  if (out.json) {
    out.printJson({
      ...scan,
      summary: {
        references: scan.references.length,
        missing: missing.length,
        partial: scan.references.filter((r) => r.partial).length,
      },
    });
    strictFailure();
    return;
  }
  const { c } = out;
  const partial = scan.references.filter((r) => r.partial).length;
  const details = Object.entries(scan.details)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.print(
    `${c.bold(safe(scan.file))}: ${scan.product ?? scan.format}${details ? ` (${safe(details)})` : ''}`,
  );
  if (scan.references.length > 0) {
    out.print();
    out.print(
      formatTable(
        scan.references,
        [
          { header: 'KIND', value: (r) => r.kind },
          { header: 'WHERE', value: (r) => r.location.name },
          { header: 'PATH', value: (r) => r.path },
          {
            header: 'STATE',
            value: (r) => {
              const s = state(r);
              return r.exists ? c.green(s) : r.partial ? c.yellow(s) : c.red(s);
            },
          },
        ],
        c.bold,
      ),
    );
  }
  out.print();
  for (const ref of missing) {
    const seq = ref.sequence;
    const why =
      ref.unresolved ??
      (seq && seq.found > 0
        ? `${seq.found} of ${seq.found + seq.missing} frames present; frames ${seq.missingFrames.join(', ')}${seq.missing > seq.missingFrames.length ? ', ...' : ''} missing (${ref.resolved})`
        : seq
          ? `no file matches ${ref.resolved}`
          : `looked for ${ref.resolved}`);
    out.print(`  ${ref.partial ? c.yellow('~') : c.red('✗')} ${safe(ref.path)}: ${safe(why)}`);
  }
  for (const note of scan.notes) out.print(`  ${c.dim(safe(note))}`);
  out.print(
    scan.scanned
      ? `${scan.references.length} reference(s), ${missing.length === 0 ? c.green('all present') : c.red(`${missing.length} missing${partial > 0 ? ` (${partial} partly present)` : ''}`)}.`
      : c.yellow('Not scanned: check this scene’s references in its application.'),
  );
  strictFailure();
}
