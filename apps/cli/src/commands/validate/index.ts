import {
  countFrames,
  type EnvoyClient,
  type FieldError,
  type Job,
  type Machine,
  MachineCategory,
  type ProductResolver,
  parsePluginSpec,
} from '@gm/core';
import { checkJob } from '@gm/products';
import type { Command } from 'commander';
import { buildProject } from '../../lib/build-project.js';
import { connect } from '../../lib/client.js';
import { type Context, contextOf } from '../../lib/context.js';
import { UsageError } from '../../lib/exit-codes.js';
import { loadJobFile } from '../../lib/job-file.js';
import {
  BLOCKING_KINDS,
  limitHint,
  limitOption,
  parseLimits,
  parsePathMap,
  pathMapOption,
  problemLines,
  scenePreflight,
} from '../../lib/preflight.js';
import { safe } from '../../lib/safe.js';
import { formatCredits, formatTable } from '../../lib/table.js';
import type { Registry } from '../../registry.js';

/** The options of {@link validate}: `gm validate`'s flags. */
export interface ValidateOptions {
  /** Check only what needs no service (`--offline`). */
  offline?: boolean;
  /** Scene references missing or not in the project are warnings (`--allow-missing`). */
  allowMissing?: boolean;
  /** Foreign folders mapped onto local ones for the scene checks, `from=to` (`--path-map`). */
  pathMap?: string[];
  /** Scene scan limits raised (or lowered), `name=value` (`--limit`, repeatable; see `gm scan`). */
  limit?: string[];
}

/** The estimate of one job. */
interface JobEstimate {
  name: string;
  product: string;
  version: string;
  frames: number;
  machine: string | undefined;
  creditRate: number | undefined;
  credits: number | undefined;
  dependsOn: string[];
  budget: { value: number; action: string } | undefined;
}

type PricedMachine = Machine & { credit_rate?: number };

/** Checks one job against the service with `checkJob` (versions, plugins, machine types); returns problems and the machine used. */
async function checkOnline(
  client: EnvoyClient,
  resolver: ProductResolver,
  job: Job,
  index: number,
): Promise<{ problems: FieldError[]; machine: PricedMachine | undefined }> {
  const machines = (await client.getMachines(job.app, job.operation, {
    category: MachineCategory.ALL,
    plugins: job.plugins.map((p) => parsePluginSpec(p).code),
  })) as PricedMachine[];
  const findings = await checkJob(job, { resolver, machines });
  const problems = findings.map((f) => ({
    field: `jobs[${index}].${f.field}`,
    message: f.suggestion === undefined ? f.message : `${f.message} (did you mean ${f.suggestion}?)`,
  }));
  const machine = job.machineType
    ? machines.find((m) => m.id === job.machineType)
    : machines.find((m) => m.is_default && m.gpu === (job.gpu === true));
  return { problems, machine };
}

/** `gm validate`: checks a job file offline and against the service, and estimates frames and credits. */
export function define(command: Command, { io, signal }: Registry): void {
  command
    .argument('<job-file>', 'a YAML or JSON job file')
    .option('--offline', 'check only what needs no service')
    .option(
      '--allow-missing',
      'files a scene references that are missing or not in the project are warnings, as `gm submit --allow-missing` takes them',
    )
    .addOption(pathMapOption())
    .addOption(limitOption())
    .addHelpText(
      'after',
      `
Nothing is uploaded or submitted. Exit code 2 when the file has problems (each one is listed).

Job file (YAML or JSON; JSON Schema: @gm/cli/job-file.schema.json):
  # yaml-language-server: $schema=./node_modules/@gm/cli/schema/job-file.schema.json
  name: sample_project          # project name (default: the folder name)
  folder: .                     # project folder, relative to this file
  files: [scene.blend, tex]     # what to upload (default: the whole folder but the job file)
  jobs:
    - name: beauty
      product: blender
      appVersion: "4.2"
      file: scene.blend
      frames: "1 24"
      outputPrefix: beauty_
      outputFormat: PNG
      budget: { value: 50, action: stop }
    - name: denoise
      product: blender
      appVersion: "4.2"
      file: scene.blend
      frames: "1 24"
      outputPrefix: denoise_
      outputFormat: PNG
      dependsOn: [beauty]

Examples:
  gm validate job.yaml
  gm validate job.yaml --offline --json
  gm validate huge.yaml --limit maxReferences=400000   a large scene you trust`,
    )
    .action((file: string, opts: ValidateOptions) => validate(contextOf(command, io, signal), file, opts));
}

/**
 * What `gm validate` runs, callable without the argument parser (see `createContext`): checks a job file offline
 * and, unless `opts.offline`, against the service, and prints the estimate of frames and credits.
 *
 * @throws UsageError (exit 2) listing every problem of the file, its scenes or its jobs against the service.
 */
export async function validate(ctx: Context, file: string, opts: ValidateOptions): Promise<void> {
  const { io } = ctx;
  const pathMap = parsePathMap(opts.pathMap);
  const limits = parseLimits(opts.limit);
  const loaded = await loadJobFile(file, io.cwd);
  const { project } = await buildProject(loaded);
  // The scenes' own references: missing, outside the project folder, or not among its files.
  const preflight = await scenePreflight(project, pathMap, limits);
  if (opts.allowMissing) {
    preflight.warnings.unshift(...preflight.blocking);
    preflight.blocking = [];
  }
  if (preflight.blocking.length > 0) {
    throw new UsageError(`${file}: the job scenes need files the project does not have.`, {
      details: problemLines(preflight.blocking),
      hint: `Add the files to the project folder (and to \`files:\` when it lists them), or fix the paths in the scene; \`gm scan <scene>\` lists every reference, --allow-missing accepts them.${limitHint(preflight.blocking, limits)}`,
    });
  }
  const machines = new Map<string, PricedMachine | undefined>();
  if (!opts.offline) {
    const { client } = await connect(ctx);
    const resolver = await client.getProductResolver();
    const problems: FieldError[] = [];
    for (const [i, spec] of loaded.spec.jobs.entries()) {
      const job = project.jobs.find((j) => j.name === spec.name)!;
      const result = await checkOnline(client, resolver, job, i);
      problems.push(...result.problems);
      machines.set(job.name, result.machine);
    }
    if (problems.length > 0) {
      throw new UsageError(`${file} does not match what the service offers.`, {
        details: problems.map((p) => `${p.field}: ${p.message}`),
      });
    }
  }
  const estimates: JobEstimate[] = loaded.spec.jobs.map((spec) => {
    const job = project.jobs.find((j) => j.name === spec.name)!;
    // The job's frames, parsed once when it was made and kept in canonical form.
    const frames = countFrames(String(job.params.frames));
    const machine = machines.get(job.name);
    const rate = typeof machine?.credit_rate === 'number' ? machine.credit_rate : undefined;
    return {
      name: job.name,
      product: job.app,
      version: job.appVersion,
      frames,
      machine: machine?.id ?? (job.machineType || undefined),
      creditRate: rate,
      credits: rate === undefined ? undefined : rate * frames,
      dependsOn: spec.dependsOn ?? [],
      budget: spec.budget,
    };
  });
  const totalFrames = estimates.reduce((s, e) => s + e.frames, 0);
  const priced = estimates.every((e) => e.credits !== undefined);
  const totalCredits = priced ? estimates.reduce((s, e) => s + (e.credits ?? 0), 0) : undefined;
  const { out } = ctx;
  if (out.json) {
    out.printJson({
      valid: true,
      offline: opts.offline === true,
      project: project.name,
      folder: project.localRoot,
      files: project.files.length,
      jobs: estimates,
      totalFrames,
      estimatedCredits: totalCredits,
      preflight: { references: preflight.references, warnings: preflight.warnings.map((w) => w.message) },
    });
    return;
  }
  const { c } = out;
  const allowed = preflight.warnings.filter((w) => BLOCKING_KINDS.has(w.kind)).length;
  const unchecked = preflight.warnings.filter((w) => w.kind !== 'version').length - allowed;
  out.print(
    `${c.green('✔')} ${c.bold(file)} is valid${opts.offline ? ' (offline checks only)' : ''}: project ${c.cyan(project.name)}, ${project.files.length} file(s), ${estimates.length} job(s).`,
  );
  out.print(
    allowed > 0
      ? `${c.yellow('!')} Preflight: ${preflight.references} scene reference(s), ${allowed} missing or not in the project (allowed by --allow-missing)${unchecked > 0 ? `; ${unchecked} could not be checked` : ''}.`
      : `${c.green('✔')} Preflight: ${preflight.references} scene reference(s), all present${unchecked > 0 ? `; ${unchecked} could not be checked` : ''}.`,
  );
  for (const warning of preflight.warnings) out.info(c.yellow(`  ! ${safe(warning.message)}`));
  out.print();
  out.print(
    formatTable(
      estimates,
      [
        { header: 'JOB', value: (e) => e.name, paint: c.cyan },
        { header: 'PRODUCT', value: (e) => `${e.product} ${e.version}` },
        { header: 'FRAMES', value: (e) => String(e.frames), align: 'right' },
        { header: 'MACHINE', value: (e) => e.machine ?? 'default' },
        {
          header: 'EST. CREDITS',
          value: (e) => (e.credits === undefined ? '-' : formatCredits(e.credits)),
          align: 'right',
        },
        { header: 'BUDGET', value: (e) => (e.budget ? `${e.budget.value} (${e.budget.action})` : '') },
        { header: 'AFTER', value: (e) => e.dependsOn.join(', ') },
      ],
      c.bold,
    ),
  );
  out.print();
  out.print(
    `Total: ${totalFrames} frames${totalCredits === undefined ? (opts.offline ? '' : ', credits unknown (no credit rate)') : `, about ${formatCredits(totalCredits)} credits`}.`,
  );
  out.info(`Next: \`gm submit ${file} --watch\`.`);
}
