import { writeFile } from 'node:fs/promises';
import path, { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { compareVersions, MachineCategory, matchesVersionPrefix, sortVersions } from '@gm/core';
import {
  type PathMap,
  PreflightError,
  type SceneScan,
  type SceneSettings,
  savedVersion,
  scanScene,
} from '@gm/preflight';
import {
  isProductCode,
  PRODUCT_CODES,
  PRODUCT_SPECS,
  PRODUCTS,
  type ProductCode,
  type ProductSpec,
  productsForFile,
} from '@gm/products';
import type { Command } from 'commander';
import { packagePath } from '../../lib/assets.js';
import { buildJob } from '../../lib/build-project.js';
import { connect } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { CliError, ExitCode, UsageError } from '../../lib/exit-codes.js';
import { type JobSpec, loadJobFile } from '../../lib/job-file.js';
import { parsePathMap, pathMapOption } from '../../lib/preflight.js';
import { safe } from '../../lib/safe.js';
import type { Registry } from '../../registry.js';

/** The options of {@link init}: `gm init`'s flags. */
export interface InitOptions {
  /** The job file to write (`--out`). */
  out: string;
  /** Replace the job file when it exists (`--force`). */
  force?: boolean;
  /** The product code, when the extension does not tell (`--product`). */
  product?: string;
  /** The product version (`--version`); asked of the service when absent. */
  appVersion?: string;
  /** The machine type (`--machine`); the service's default when absent. */
  machine?: string;
  /** Use the default GPU machine (`--gpu`). */
  gpu?: boolean;
  /** The frame range (`--frames`); the scene's own range when absent, else 1-10. */
  frames?: string;
  /** The project name (`--name`); the scene folder's name when absent. */
  name?: string;
  /** Foreign folders mapped onto local ones for the scene scan, `from=to` (`--path-map`). */
  pathMap?: string[];
}

/**
 * A name usable as a project name or file prefix under the shared name rules: refused characters become `_`, no
 * trailing dot or space, not a Windows device name, at most 200 UTF-8 bytes; `project` when nothing is left.
 */
export function safeName(text: string): string {
  let cleaned = text
    .replace(/[\u0000-\u001f\u007f/\\<>:"|?*]/g, '_')
    .trim()
    .replace(/[. ]+$/, '');
  while (Buffer.byteLength(cleaned) > 200)
    cleaned = [...cleaned]
      .slice(0, -1)
      .join('')
      .replace(/[. ]+$/, '');
  if (/^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i.test(cleaned)) cleaned = `${cleaned}_`;
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : 'project';
}

/**
 * The version to render a scene saved with `saved` in, of those the service `offered`: the newest that is `saved`
 * or one of its releases (`2022` gives `2022.3`); else the oldest newer one, the nearest the scene opens in; else
 * the newest. `why` says which, for the job file, when the scene's version is known.
 */
export function versionForScene(
  offered: Iterable<string>,
  saved: string | undefined,
): { version: string | undefined; why?: string } {
  const versions = sortVersions(offered);
  const newest = versions.at(-1);
  if (saved === undefined || newest === undefined) return { version: newest };
  const same = versions.filter((v) => matchesVersionPrefix(v, saved)).at(-1);
  if (same !== undefined) return { version: same, why: `the scene was saved with ${saved}` };
  const newer = versions.find((v) => compareVersions(v, saved) > 0);
  if (newer !== undefined) {
    return {
      version: newer,
      why: `the scene was saved with ${saved}, not offered: the nearest newer version`,
    };
  }
  return {
    version: newest,
    why: `the scene was saved with ${saved}, newer than any offered: check that it opens in ${newest}`,
  };
}

/** A YAML scalar: JSON's double-quoted strings are valid YAML. */
const y = (value: unknown) => JSON.stringify(value);

/**
 * A forward-slash relative path from `from` to `to` (as job files write paths), or `to` itself with forward slashes
 * when there is none (another Windows drive). `paths` is `node:path`, or its `win32` or `posix` flavour in tests.
 */
export function relativePath(from: string, to: string, paths: typeof path = path): string {
  const rel = paths.relative(from, to);
  if (rel === '') return '.';
  return (paths.isAbsolute(rel) ? to : rel).split(paths.sep).join('/');
}

/** `gm init`: writes a job file for a scene file, with the scene's own version (or the nearest offered) and the default machine. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .argument(
      '<scene-file>',
      'the scene file (its extension picks the product: .blend, .c4d, .hip, .ma, .nk, .vrscene)',
    )
    .option('-o, --out <file>', 'the job file to write', 'job.yaml')
    .option('-f, --force', 'replace the job file when it exists')
    .option(
      '--product <code>',
      `product code, when the extension does not tell (${PRODUCT_CODES.join(', ')})`,
    )
    .option(
      '--version, --app-version <version>',
      'product version (default: the one the scene was saved with, or the nearest newer the service offers)',
    )
    .option('--machine <id>', 'machine type (default: the default machine the service names)')
    .option('--gpu', 'use the default GPU machine instead of the default CPU one')
    .option(
      '--frames <range>',
      'frame range to start from (default: the range the scene renders, where it says; else 1 10)',
    )
    .option('--name <project>', "project name (default: the scene folder's name)")
    .addOption(pathMapOption())
    .addHelpText(
      'after',
      `
Asks the service for the version the scene was saved with (Blender, Maya ASCII and Nuke scenes say; else the
nearest newer one, else the newest) and its default machine (give --version and --machine to work offline),
writes the job file with a frame range and output settings to edit and the schema line editors use, and never
replaces a file unless --force. The frame range and output size are the scene's own where it writes them down
(Nuke's Root and Write nodes, Maya's render globals, Houdini's ROP or playbar, V-Ray's SettingsOutput), and so
is the output format where the scene's name for it is the job's (Blender's image formats, Maya's with Maya's own
renderers, V-Ray's image extensions; else PNG, and gm init says why); the job file says where each value came from. \`gm validate <job file>\` accepts what it writes.

Examples:
  gm init scene.blend
  gm init shots/shot_010.c4d --out shot_010.yaml --frames "1 240"
  gm init scene.blend --version 4.2 --machine gm4800 --force
  gm init ./shots/scene.blend --name shots_v2     # for a folder \`gm upload ./shots --name shots_v2\` sent`,
    )
    .action((scene: string, opts: InitOptions) => init(contextOf(command, io, signal), scene, opts));
}

/**
 * What `gm init` runs, callable without the argument parser (see `createContext`): writes a job file for a scene
 * (its product from the extension, its version and machine from the service unless given) and reads it back
 * through `gm validate --offline`'s checks.
 *
 * @throws UsageError (exit 2) for a scene whose product cannot be told, or a job file that exists without `--force`.
 */
export async function init(ctx: Context, scene: string, opts: InitOptions): Promise<void> {
  const { io } = ctx;
  const { out } = ctx;
  const scenePath = resolve(io.cwd, scene);
  const jobPath = resolve(io.cwd, opts.out);
  let product: ProductCode;
  if (opts.product) {
    if (!isProductCode(opts.product)) {
      throw new UsageError(`--product ${opts.product} is not a product code.`, {
        hint: `Products: ${PRODUCT_CODES.join(', ')}.`,
      });
    }
    product = opts.product;
  } else {
    const guesses = productsForFile(scenePath);
    if (guesses.length !== 1) {
      const known = PRODUCT_CODES.flatMap((code) => PRODUCTS[code].extensions).join(', ');
      throw new UsageError(
        `Cannot tell the product of ${basename(scenePath)} from its extension "${extname(scenePath)}".`,
        { hint: `Scene extensions: ${known}; or give --product.` },
      );
    }
    product = guesses[0]!;
  }
  const folder = dirname(scenePath);
  const name = opts.name ?? safeName(basename(folder));
  const stem = safeName(basename(scenePath, extname(scenePath)));
  // The scene's own references (what the project folder must hold), the version it was saved with, and the
  // settings it writes down (frames, size): the job's frames are --frames, else the scene's, else 1-10.
  const pathMap = parsePathMap(opts.pathMap);
  let scan = await sceneFiles(scenePath, folder, opts.frames, pathMap);
  const settings = scan.scan?.settings ?? {};
  const fromScene = opts.frames === undefined ? sceneFrames(settings) : undefined;
  const frames = opts.frames ?? fromScene?.frames ?? DEFAULT_FRAMES;
  // Sequences are counted within the job's frames: scanned again when those came from the scene.
  if (fromScene && scan.scan?.references.some((r) => r.sequence))
    scan = await sceneFiles(scenePath, folder, frames, pathMap);
  let version = opts.appVersion;
  let versionWhy: string | undefined;
  let machine = opts.machine;
  if (!version || !machine) {
    const { client } = await connect(ctx);
    if (!version) {
      const offered = (await client.getProductResolver()).getVersionsByType(product);
      ({ version, why: versionWhy } = versionForScene(offered, scan.scan && savedVersion(scan.scan)));
      if (!version) {
        throw new CliError(`The service offers no version of ${product}.`, ExitCode.SERVICE, {
          hint: '`gm products` lists what it offers; give --version to write the file anyway.',
        });
      }
    }
    if (!machine) {
      const category = opts.gpu ? MachineCategory.GPU : MachineCategory.CPU;
      const machines = await client.getMachines(product, PRODUCTS[product].operations[0], { category });
      machine = (machines.find((m) => m.is_default) ?? machines[0])?.id ?? '';
    }
  }
  const defaults: Record<string, unknown> = {
    ...PRODUCT_SPECS[product].jobFileDefaults({ stem, project: name }),
  };
  // The scene's output size, where the product's job file has one.
  const size = settings.resolution;
  const sized = size !== undefined && 'outputWidth' in defaults && 'outputHeight' in defaults;
  if (sized) {
    defaults.outputWidth = size.value.width;
    defaults.outputHeight = size.value.height;
  }
  // The scene's output format, where the product's job file has one and the scene's name for it is the job's.
  const format =
    'outputFormat' in defaults
      ? sceneOutputFormat(product, settings, String(defaults.outputFormat))
      : undefined;
  if (format?.format !== undefined) defaults.outputFormat = format.format;
  const job: JobSpec = {
    name: stem,
    product,
    appVersion: version,
    file: relativePath(folder, scenePath),
    frames,
    instances: 1,
    machineType: machine,
    ...(opts.gpu ? { gpu: true } : {}),
    ...defaults,
  };
  // What the builders refuse is a bug here, not something to write and leave for `gm validate`.
  buildJob(job, folder, `/${name}`);
  const schemaFile = packagePath(join('schema', 'job-file.schema.json'));
  const lines = [
    `# yaml-language-server: $schema=${relativePath(dirname(jobPath), schemaFile)}`,
    `# Written by \`gm init ${basename(scenePath)}\`: edit, then \`gm validate ${basename(jobPath)}\` and \`gm submit ${basename(jobPath)} --watch\`.`,
    `name: ${y(name)} # project (and remote folder) name`,
    `folder: ${y(relativePath(dirname(jobPath), folder))} # project folder, relative to this file; all of it is uploaded but the job file`,
    'jobs:',
    `  - name: ${y(job.name)}`,
    `    product: ${y(product)}`,
    `    appVersion: ${y(version)} # ${versionWhy ? `${versionWhy}; ` : ''}\`gm products --type ${product}\` lists the versions`,
    `    file: ${y(job.file)} # relative to the project folder`,
    `    frames: ${y(frames)} # ${fromScene ? `from the scene: ${fromScene.from}; ` : ''}start [end] [step], comma separated groups`,
    '    instances: 1 # machines at once',
    `    machineType: ${y(machine)} # \`gm machines ${product}\` lists them; "" is the account default`,
    ...(opts.gpu ? ['    gpu: true'] : []),
    ...Object.entries(defaults).map(
      ([k, v]) =>
        `    ${k}: ${y(v)}${
          sized && (k === 'outputWidth' || k === 'outputHeight')
            ? ` # from the scene: ${size.from}`
            : k === 'outputFormat' && format
              ? ` # ${format.format !== undefined ? `from the scene: ${format.from}` : format.why}`
              : ''
        }`,
    ),
    '    # budget: { value: 50, action: stop } # a credit budget: stop, suspend or alert',
    ...settingsComment(settings),
    ...scan.comment,
    '',
  ];
  try {
    await writeFile(jobPath, lines.join('\n'), { flag: opts.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`${jobPath} exists; gm init does not replace it.`, {
        hint: 'Pass --force to replace it, or --out to write another file.',
      });
    }
    throw error;
  }
  // Read back through the same checks as `gm validate --offline` (schema, files, builders).
  await loadJobFile(jobPath, io.cwd);
  if (out.json) {
    out.printJson({
      path: jobPath,
      product,
      appVersion: version,
      ...(versionWhy ? { appVersionReason: versionWhy } : {}),
      machineType: machine,
      project: name,
      frames,
      framesFrom: fromScene
        ? `the scene: ${fromScene.from}`
        : opts.frames !== undefined
          ? '--frames'
          : 'the default',
      ...(format?.format !== undefined
        ? { outputFormat: format.format, outputFormatFrom: `the scene: ${format.from}` }
        : {}),
      ...(format?.why !== undefined ? { outputFormatReason: format.why } : {}),
      sceneSettings: settings,
      sceneFiles: scan.files,
      ...(scan.note ? { sceneNote: scan.note } : {}),
    });
    return;
  }
  out.print(
    `${out.c.green('✔')} Wrote ${out.c.bold(jobPath)}: ${product} ${version} on ${machine || 'the default machine'}, frames ${frames}.`,
  );
  if (fromScene) out.info(`Frames ${frames}: from the scene (${fromScene.from}).`);
  if (sized) out.info(`Output size ${size.value.width}x${size.value.height}: from the scene (${size.from}).`);
  if (format?.format !== undefined)
    out.info(`Output format ${format.format}: from the scene (${format.from}).`);
  if (format?.why !== undefined) out.info(`Output format ${String(defaults.outputFormat)}: ${format.why}.`);
  if (versionWhy) out.info(`${product} ${version}: ${versionWhy}.`);
  out.info(safe(scan.summary));
  for (const file of scan.files.filter((f) => f.problem)) out.warn(safe(`${file.path}: ${file.problem}`));
  out.info(`Next: edit it, then \`gm validate ${opts.out}\` and \`gm submit ${opts.out} --watch\`.`);
}

/**
 * The job's `outputFormat` from the scene's output format, by the product spec's rule (`outputFormatFromScene`):
 * the scene's own name where it is certainly the job's; else `why` the job keeps `fallback`. `undefined` when the
 * scene names no format.
 */
export function sceneOutputFormat(
  product: ProductCode,
  settings: SceneSettings,
  fallback: string,
): { format: string; from: string; why?: undefined } | { format?: undefined; why: string } | undefined {
  const scene = settings.format;
  if (!scene) return undefined;
  const { value, from } = scene;
  const rule = (PRODUCT_SPECS[product] as ProductSpec).outputFormatFromScene;
  const choice = rule
    ? rule({ format: value, renderer: settings.renderer?.value })
    : { why: `the ${product} job file's outputFormat is not read from scenes` };
  if ('why' in choice) {
    return { why: `the scene's format "${value}" (${from}) is not used: ${choice.why}; ${fallback} instead` };
  }
  return { format: choice.format, from: choice.note === undefined ? from : `${from}, ${choice.note}` };
}

/** The frames a job file starts with when neither --frames nor the scene gives them. */
const DEFAULT_FRAMES = '1 10';

/** The job's frames in Envoy's form (`1001 1100`, `1001 1100 2`) from the scene's settings, and where they were read. */
export function sceneFrames(settings: SceneSettings): { frames: string; from: string } | undefined {
  const f = settings.frames;
  if (!f) return undefined;
  const { start, end, step } = f.value;
  if (![start, end, step].every(Number.isInteger) || start > end || step < 1) return undefined;
  const frames = step === 1 ? `${start} ${end}` : `${start} ${end} ${step}`;
  return { frames, from: f.from };
}

/** Comment lines for the job file: what else the scene says a render needs (output, camera, renderer), and where. */
export function settingsComment(settings: SceneSettings): string[] {
  const lines: string[] = [];
  const say = (what: string, value: string | undefined, from: string | undefined) => {
    if (value !== undefined && from !== undefined)
      lines.push(`#   ${what}: ${JSON.stringify(value)} (${from})`);
  };
  say('output', settings.output?.value, settings.output?.from);
  say('format', settings.format?.value, settings.format?.from);
  const r = settings.resolution;
  say('resolution', r ? `${r.value.width}x${r.value.height}` : undefined, r?.from);
  say('camera', settings.camera?.value, settings.camera?.from);
  say('renderer', settings.renderer?.value, settings.renderer?.from);
  return lines.length === 0 ? [] : ['# What the scene says of its render (check the job matches):', ...lines];
}

/** One file a scene needs, as `gm init` lists it. */
interface SceneFile {
  /** The path as the scene writes it. */
  path: string;
  /** The file relative to the project folder (forward slashes), when it lies inside it. */
  inProject?: string;
  /** Why the job would render without it: missing on disk, outside the project folder, or not resolvable. */
  problem?: string;
}

/**
 * Scans the scene with `@gm/preflight` and lists the files it needs: each one inside the project folder (which is
 * uploaded whole), or a problem to fix before submitting. A scene that cannot be read is a note, not a failure.
 */
async function sceneFiles(
  scenePath: string,
  folder: string,
  frames: string | undefined,
  pathMap: PathMap,
): Promise<{ files: SceneFile[]; comment: string[]; summary: string; note?: string; scan?: SceneScan }> {
  let scan: SceneScan;
  try {
    scan = await scanScene(scenePath, { projectFolder: folder, pathMap, ...(frames ? { frames } : {}) });
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    const note = `The scene could not be scanned for the files it needs: ${error.message}`;
    return { files: [], comment: [`# ${note}`], summary: note, note };
  }
  if (!scan.scanned) {
    const note = `${basename(scenePath)} was not scanned (${scan.notes.join('; ') || 'format not readable'}): add the files it needs to the project folder yourself.`;
    return { files: [], comment: [`# ${note}`], summary: note, note, scan };
  }
  const files: SceneFile[] = scan.references.map((ref) => {
    const within = ref.resolved === undefined ? undefined : relative(folder, ref.resolved);
    const inside = within !== undefined && within !== '' && !within.startsWith('..') && !isAbsolute(within);
    const problem =
      ref.resolved === undefined
        ? `not resolvable here (${ref.unresolved ?? 'unknown'})`
        : !inside
          ? `outside the project folder ${folder}: copy it in and fix the path in the scene`
          : !ref.exists
            ? ref.sequence
              ? `${ref.sequence.missing} file(s) of the sequence missing (${ref.sequence.found} of ${ref.sequence.found + ref.sequence.missing} present)`
              : 'missing on disk'
            : undefined;
    return {
      path: ref.path,
      ...(inside ? { inProject: within.split(sep).join('/') } : {}),
      ...(problem ? { problem } : {}),
    };
  });
  const bad = files.filter((f) => f.problem).length;
  const summary =
    files.length === 0
      ? `${basename(scenePath)} references no other files.`
      : bad === 0
        ? `${basename(scenePath)} needs ${files.length} file(s), all present in the project folder.`
        : `${basename(scenePath)} needs ${files.length} file(s); ${bad} to fix before submitting (\`gm scan ${basename(scenePath)}\` lists them).`;
  const comment =
    files.length === 0
      ? []
      : [
          '# Files the scene needs (found by `gm scan`); the project folder is uploaded whole:',
          ...files.map(
            (f) => `#   ${JSON.stringify(f.inProject ?? f.path)}${f.problem ? `  <- ${f.problem}` : ''}`,
          ),
        ];
  return { files, comment, summary, scan };
}
