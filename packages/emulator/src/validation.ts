import { lstat, realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { machineSupports } from './catalogue.js';
import { climbsOut, inside } from './downloads.js';
import { parseFrames } from './frames.js';
import { compileWatchPattern, nameProblem, own } from './names.js';
import type { ProjectRecord } from './store.js';
import type { MachineCatalogue, MachineType, ProductVersion } from './types.js';

/** One problem with one field of a request. */
export interface FieldError {
  field: string;
  message: string;
}

/** An upload set as the wire carries it. */
export interface UploadSetBody {
  localRoot: string;
  remoteRoot: string;
  files: string[];
}

/** A local file checked to lie inside its local folder, with where it lands in the project. */
export interface CheckedFile {
  rel: string;
  source: string;
  size: number;
}

/** The project name of a remote root (`/<project>/...`) and the folders below it, or why it is not one. */
export function splitRemoteRoot(
  remoteRoot: string,
): { project: string; sub: string[] } | { problem: string } {
  const parts = remoteRoot.split('/').filter(Boolean);
  const [project, ...sub] = parts;
  if (!project || !remoteRoot.startsWith('/')) {
    return { problem: 'must be /<project name>, forward slashes' };
  }
  for (const part of parts) {
    const problem = nameProblem(part);
    if (problem) return { problem: `folder ${JSON.stringify(part)}: ${problem}` };
  }
  return { project, sub };
}

/**
 * Checks an upload set: an absolute local folder, a `/<project>` remote root, and every file a regular file
 * inside the local folder (no `..`, no absolute paths, no symlink leading out). Adds problems to `errors`.
 */
export async function checkUploadSet(
  set: UploadSetBody,
  field: string,
  errors: FieldError[],
  options: { needLocal: boolean } = { needLocal: true },
): Promise<{ project: string; files: CheckedFile[] } | null> {
  const split = splitRemoteRoot(set.remoteRoot);
  const root = 'project' in split ? split : null;
  if ('problem' in split) errors.push({ field: `${field}.remoteRoot`, message: split.problem });
  if (!isAbsolute(set.localRoot)) {
    errors.push({ field: `${field}.localRoot`, message: `must be an absolute folder, got ${set.localRoot}` });
    return null;
  }
  const files: CheckedFile[] = [];
  let realRoot: string | null = null;
  if (options.needLocal) {
    try {
      realRoot = await realpath(set.localRoot);
      if (!(await stat(realRoot)).isDirectory()) throw new Error('not a folder');
    } catch {
      errors.push({ field: `${field}.localRoot`, message: `${set.localRoot} is not an existing folder` });
      return null;
    }
  }
  for (const [k, name] of set.files.entries()) {
    const f = `${field}.files[${k}]`;
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\') || isAbsolute(name)) {
      errors.push({ field: f, message: `${name} must be relative to localRoot, with forward slashes` });
      continue;
    }
    if (parts.length === 0 || parts.includes('..')) {
      errors.push({ field: f, message: `${name} leaves localRoot (..)` });
      continue;
    }
    const rel = [...(root?.sub ?? []), ...parts].join('/');
    if (!options.needLocal || !realRoot) {
      files.push({ rel, source: '', size: 0 });
      continue;
    }
    const local = resolve(set.localRoot, ...parts);
    if (!inside(resolve(set.localRoot), local)) {
      errors.push({ field: f, message: `${name} leaves localRoot` });
      continue;
    }
    try {
      await lstat(local);
    } catch {
      errors.push({ field: f, message: `${name} does not exist in ${set.localRoot}` });
      continue;
    }
    let real: string;
    try {
      real = await realpath(local);
    } catch {
      errors.push({ field: f, message: `${name} is a broken link` });
      continue;
    }
    if (!inside(realRoot, real)) {
      errors.push({ field: f, message: `${name} is a link that leads out of localRoot` });
      continue;
    }
    const info = await stat(real);
    if (!info.isFile()) {
      errors.push({ field: f, message: `${name} is not a regular file` });
      continue;
    }
    files.push({ rel, source: real, size: info.size });
  }
  return root ? { project: root.project, files } : null;
}

/** A job of a submit body, as far as the emulator reads it. */
export interface JobBody {
  id: string;
  name: string;
  app: string;
  app_version: string;
  operation: string;
  path: string;
  params: Record<string, unknown> & {
    frames?: string;
    instances?: number;
    machine_type?: string;
    gpu?: boolean;
    plugins?: string[];
    billing_meta?: string[];
    output_dir_name?: string;
    output_prefix?: string;
    output_format?: string;
    credits_budget?: { value: number; action: 'stop' | 'suspend' | 'alert' };
  };
  dependencies?: string[];
}

/** The submit body. */
export interface SubmitBody {
  project_request: { name: string; params?: Record<string, unknown>; jobs: JobBody[] };
  project_files: UploadSetBody;
  watch_files?: Record<string, string>;
  skip_upload?: boolean;
}

/** What a valid job resolves to. */
export interface PlannedJob {
  body: JobBody;
  frames: number[];
  machine: MachineType;
  outputDir: string;
  ext: string;
  path: string;
}

/** Everything the catalogue checks need. */
export interface Catalogue {
  products: readonly ProductVersion[];
  machines: Readonly<MachineCatalogue>;
}

/** Machines of a product and operation, or an error message naming what is unknown. */
export function machinesFor(
  catalogue: Catalogue,
  product: string,
  operation: string,
): { machines: MachineType[] } | { field: 'product' | 'operation'; message: string } {
  const byOp = own(catalogue.machines, product);
  if (!byOp) {
    const known = Object.keys(catalogue.machines).join(', ');
    return { field: 'product', message: `unknown product ${product}; known: ${known}` };
  }
  const machines = own(byOp, operation);
  if (!machines) {
    const known = Object.keys(byOp).join(', ');
    return { field: 'operation', message: `${product} has no operation ${operation}; offered: ${known}` };
  }
  return { machines };
}

const EXT: ReadonlyMap<string, string> = new Map([
  ['jpeg', 'jpg'],
  ['open_exr', 'exr'],
  ['openexr', 'exr'],
  ['targa', 'tga'],
  ['tiff', 'tiff'],
]);

/** Longest file extension an output format may give. */
export const MAX_EXTENSION = 16;

/** File extension for an output format (`png` when none is given or it holds no letter or digit). */
export function extensionFor(format: string | undefined): string {
  const f = (format ?? '').trim().toLowerCase().replace(/^\./, '');
  return EXT.get(f) ?? (f.replace(/[^a-z0-9]/g, '') || 'png');
}

/** Default results folder name: `YYYY-MM-DD_HH-MM-SS_micro`. */
export function defaultOutputDir(date = new Date()): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}_${p(date.getHours())}-${p(
    date.getMinutes(),
  )}-${p(date.getSeconds())}_${p(date.getMilliseconds() * 1000, 6)}`;
}

/**
 * Checks every job of a submit against the catalogue, the project's files and each other; returns the plan
 * and adds every problem to `errors`.
 */
export function checkJobs(
  body: SubmitBody,
  project: string,
  knownFiles: ReadonlySet<string>,
  existing: ProjectRecord | undefined,
  catalogue: Catalogue,
  errors: FieldError[],
): PlannedJob[] {
  const plan: PlannedJob[] = [];
  const jobs = body.project_request.jobs;
  const nameIssue = nameProblem(body.project_request.name);
  if (nameIssue) errors.push({ field: 'project_request.name', message: nameIssue });
  const ids = new Set<string>();
  const outputDir = defaultOutputDir();
  for (const [i, job] of jobs.entries()) {
    const f = `project_request.jobs[${i}]`;
    const params = job.params ?? {};
    let ok = true;
    const fail = (field: string, message: string): void => {
      errors.push({ field: `${f}.${field}`, message });
      ok = false;
    };
    if (ids.has(job.id)) fail('id', `job id ${job.id} is used twice`);
    ids.add(job.id);
    // Product and version.
    const versions = catalogue.products.filter((p) => p.app_type === job.app);
    const version = versions.find((p) => p.version === job.app_version);
    if (versions.length === 0) {
      const known = [...new Set(catalogue.products.map((p) => p.app_type))].join(', ');
      fail('app', `unknown product ${job.app}; known: ${known}`);
    } else if (!version) {
      fail(
        'app_version',
        `${job.app} has no version ${job.app_version}; offered: ${versions.map((v) => v.version).join(', ')}`,
      );
    }
    // Plugins, from params.plugins and billing_meta after the app.
    const pluginCodes: string[] = [];
    const checkPlugin = (entry: string, field: string): void => {
      const [code = '', ver] = entry.split(':');
      pluginCodes.push(code);
      if (!version) return;
      const mods = version.compatible_modules.map((m) => {
        const at = m.indexOf(':');
        return { code: m.slice(0, at), version: m.slice(at + 1) };
      });
      const sameCode = mods.filter((m) => m.code === code);
      if (sameCode.length === 0) {
        fail(field, `plugin ${code} is not compatible with ${job.app} ${job.app_version}`);
      } else if (ver !== undefined && !sameCode.some((m) => m.version === ver)) {
        fail(
          field,
          `${code} ${ver} is not compatible with ${job.app} ${job.app_version}; offered: ${sameCode.map((m) => m.version).join(', ')}`,
        );
      }
    };
    for (const [k, p] of (params.plugins ?? []).entries()) checkPlugin(p, `params.plugins[${k}]`);
    (params.billing_meta ?? []).forEach((p, k) => {
      if (k === 0 && p === job.app) return;
      if (p === job.app) return;
      if (params.plugins?.some((q) => q.split(':')[0] === p.split(':')[0])) return;
      checkPlugin(p, `params.billing_meta[${k}]`);
    });
    // Machine type.
    let machine: MachineType | undefined;
    const found = machinesFor(catalogue, job.app, job.operation);
    if ('machines' in found) {
      const wanted = params.machine_type ?? '';
      if (wanted) {
        machine = found.machines.find((m) => m.id === wanted);
        if (!machine) {
          fail(
            'params.machine_type',
            `unknown machine type ${wanted} for ${job.app} ${job.operation}; offered: ${found.machines.map((m) => m.id).join(', ')}`,
          );
        } else if (!machineSupports(machine, pluginCodes)) {
          fail('params.machine_type', `${wanted} does not support the plugins ${pluginCodes.join(', ')}`);
        }
      } else {
        const able = found.machines.filter((m) => machineSupports(m, pluginCodes));
        const gpu = params.gpu === true;
        const pool = able.filter((m) => m.gpu === gpu);
        machine = pool.find((m) => m.is_default) ?? pool[0] ?? able.find((m) => m.is_default) ?? able[0];
        if (!machine)
          fail(
            'params.machine_type',
            `no ${job.app} ${job.operation} machine supports ${pluginCodes.join(', ')}`,
          );
      }
    } else if (found.field === 'operation' && versions.length > 0) {
      fail('operation', found.message);
    }
    // Job file.
    const path = job.path.startsWith('/') ? job.path : `/${job.path}`;
    const prefix = `/${project}/`;
    if (!path.startsWith(prefix) || !knownFiles.has(path.slice(prefix.length))) {
      fail('path', `${job.path} is not a file of project ${project} (uploaded or listed in project_files)`);
    }
    // Frames and instances.
    let frames: number[] = [1];
    if (params.frames !== undefined) {
      const parsed = parseFrames(String(params.frames));
      if (parsed.ok) frames = parsed.frames;
      else fail('params.frames', `malformed frame range: ${parsed.message}`);
    }
    if (params.instances !== undefined && !(Number.isInteger(params.instances) && params.instances >= 1)) {
      fail('params.instances', 'must be an integer of at least 1');
    }
    const dir = params.output_dir_name ?? outputDir;
    const dirProblem = typeof dir === 'string' ? nameProblem(dir, true) : 'must be a string';
    if (dirProblem) fail('params.output_dir_name', dirProblem);
    const prefixName = params.output_prefix;
    // An empty prefix means the default, `frame`.
    if (prefixName !== undefined && prefixName !== '') {
      const problem = typeof prefixName === 'string' ? nameProblem(prefixName, true) : 'must be a string';
      if (problem) fail('params.output_prefix', problem);
    }
    if (
      typeof params.output_format === 'string' &&
      extensionFor(params.output_format).length > MAX_EXTENSION
    ) {
      fail('params.output_format', `gives a file extension longer than ${MAX_EXTENSION} characters`);
    }
    if (ok && machine) {
      plan.push({
        body: job,
        frames,
        machine,
        outputDir: dir,
        ext: extensionFor(params.output_format),
        path,
      });
    }
  }
  // Dependencies: known ids (this request or already in the project), and no cycle.
  const known = new Set([...ids, ...(existing?.jobs.map((j) => j.id) ?? [])]);
  for (const [i, job] of jobs.entries()) {
    (job.dependencies ?? []).forEach((d, k) => {
      if (!known.has(d))
        errors.push({
          field: `project_request.jobs[${i}].dependencies[${k}]`,
          message: `unknown job id ${d}`,
        });
      else if (d === job.id)
        errors.push({
          field: `project_request.jobs[${i}].dependencies[${k}]`,
          message: 'a job cannot depend on itself',
        });
    });
  }
  const cyclic = inCycles(new Map(jobs.map((j) => [j.id, j.dependencies ?? []])));
  for (const [i, job] of jobs.entries()) {
    if (cyclic.has(job.id) && !(job.dependencies ?? []).includes(job.id)) {
      errors.push({
        field: `project_request.jobs[${i}].dependencies`,
        message: `job ${job.id} is part of a dependency cycle`,
      });
    }
  }
  // Watch rules.
  for (const [pattern, folder] of Object.entries(body.watch_files ?? {})) {
    const field = `watch_files[${JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}...` : pattern)}]`;
    const compiled = compileWatchPattern(pattern);
    if ('problem' in compiled) errors.push({ field, message: `the pattern ${compiled.problem}` });
    else if (climbsOut(pattern))
      errors.push({ field, message: `${pattern} holds a .. segment: its matches would leave ${folder}` });
    if (!isAbsolute(folder))
      errors.push({ field, message: `download folder ${folder} must be an absolute path` });
  }
  return plan;
}

/**
 * The jobs that lie on a dependency cycle (self-dependencies included), found without recursion so that a chain
 * of any length is checked: Kahn's algorithm removes every job whose dependencies can all finish; of the jobs
 * left over, those that no other left-over job depends on are peeled off in turn; what remains is the cycles.
 */
export function inCycles(deps: ReadonlyMap<string, readonly string[]>): Set<string> {
  const waitingOn = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [id, list] of deps) {
    const inside = [...new Set(list)].filter((d) => deps.has(d));
    waitingOn.set(id, inside.length);
    for (const d of inside) {
      const l = dependents.get(d);
      if (l) l.push(id);
      else dependents.set(d, [id]);
    }
  }
  const ready = [...waitingOn].filter(([, n]) => n === 0).map(([id]) => id);
  while (ready.length > 0) {
    const id = ready.pop() as string;
    waitingOn.delete(id);
    for (const next of dependents.get(id) ?? []) {
      const n = (waitingOn.get(next) ?? 0) - 1;
      waitingOn.set(next, n);
      if (n === 0) ready.push(next);
    }
  }
  // Left over: jobs on a cycle and jobs that only wait on one. A job is on a cycle when it can reach itself;
  // walk the leftovers' dependency graph backwards from the ones nothing left over depends on.
  const left = new Set(waitingOn.keys());
  const onlyWaiting = new Set<string>();
  const outDegree = new Map<string, number>();
  for (const id of left) outDegree.set(id, (dependents.get(id) ?? []).filter((x) => left.has(x)).length);
  const leaves = [...left].filter((id) => outDegree.get(id) === 0);
  while (leaves.length > 0) {
    const id = leaves.pop() as string;
    onlyWaiting.add(id);
    for (const d of new Set(deps.get(id) ?? [])) {
      if (!left.has(d) || onlyWaiting.has(d)) continue;
      const n = (outDegree.get(d) ?? 0) - 1;
      outDegree.set(d, n);
      if (n === 0) leaves.push(d);
    }
  }
  return new Set([...left].filter((id) => !onlyWaiting.has(id)));
}
