import { Readable } from 'node:stream';
import type { Io } from '../src/lib/output.js';

/**
 * An `Io` for calling a command's function without the argument parser: no terminal, empty stdin, stderr
 * dropped, stdout kept as text (`out()`).
 */
export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}): Io & { out: () => string } {
  let stdout = '';
  const sink = (write: (text: string) => void) => ({
    write: (chunk: string | Uint8Array) => {
      write(String(chunk));
      return true;
    },
    isTTY: false,
  });
  return {
    stdout: sink((t) => {
      stdout += t;
    }),
    stderr: sink(() => {}),
    stdin: Readable.from([]),
    env,
    cwd,
    out: () => stdout,
  } as Io & { out: () => string };
}
