// The emulator bin as a child process, for the emulator benchmarks: start it, call it, stop it.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'packages',
  'emulator',
  'bin',
  'gm-envoy-emulator.js',
);

/**
 * Starts `gm-envoy-emulator` with `args` (plus `--port 0`); resolves with the child and its URL once it listens.
 * `BENCH_CHILD_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to its node.
 */
export function startEmulatorChild(args) {
  const child = spawn(
    process.execPath,
    [...(process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean), BIN, '--port', '0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${err}`)));
  });
}

/** Stops a child started by {@link startEmulatorChild}: SIGTERM when profiling (so it writes its profile), else SIGKILL. */
export async function stopEmulatorChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(process.env.BENCH_CHILD_NODE_ARGS ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await gone;
  clearTimeout(timer);
}

/** One request; resolves with the answer's text and a JSON reader; throws on a status of 300 or more. */
export async function call(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return { text, json: () => JSON.parse(text) };
}
