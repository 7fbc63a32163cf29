import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `gm-envoy-emulator` bin. */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'gm-envoy-emulator.js');

/** Every child spawned by a test file, for {@link killAll}. */
export const children: ChildProcess[] = [];

/** Spawns the built bin and resolves with its URL once it prints it. */
export function spawnEmulator(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${err}`)));
  });
}

/** Kills a child with SIGKILL (kill -9) and waits for it to be gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Kills every child still running. */
export async function killAll(): Promise<void> {
  for (const c of children.splice(0)) await killHard(c);
}
