import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(CLI_ROOT, 'bin', 'gm.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(join(CLI_ROOT, 'dist', 'index.mjs'))) {
    throw new Error('apps/cli is not built: run `pnpm turbo run build --filter @gm/cli...` first');
  }
}

/** Runs the real `gm` binary. The environment is cleared of GM_* variables unless given. */
export function gm(
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
  cwd?: string,
): Promise<RunResult> {
  const base: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('GM_') && k !== 'FORCE_COLOR') base[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...base, NO_COLOR: '1', ...env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(cwd ? { cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export const tempDir = (prefix: string) => mkdtemp(join(tmpdir(), prefix));

/** The JSON lines of a stream, parsed. */
export const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

export const SAMPLE = join(CLI_ROOT, 'assets', 'sample_project');

/**
 * A job file of one Blender job on the sample project (`frames`, `instances` and extra lines to taste). Results go
 * to `results` when given, else nothing is downloaded (never into the package's own folder).
 */
export function sampleJobFile(
  name: string,
  options: { frames?: string; instances?: number; extra?: string; results?: string } = {},
): string {
  return `name: ${name}
folder: ${JSON.stringify(SAMPLE)}
files: [scene.blend, textures]
${options.results ? `watchFiles:\n  - { pattern: "{results}/.+", folder: ${JSON.stringify(options.results)} }` : 'autoDownload: false'}
jobs:
  - name: beauty
    product: blender
    appVersion: "4.2"
    file: scene.blend
    frames: "${options.frames ?? '1 4'}"
    instances: ${options.instances ?? 2}
    machineType: gm4800
    outputPrefix: beauty
    outputFormat: PNG
${options.extra ?? ''}`;
}
