/**
 * Questions on a terminal (email, access key) without a dependency.
 *
 * @module
 */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { Io } from './output.js';

/** Asks one question on the terminal; with `hidden`, what is typed is not echoed. */
export async function ask(io: Io, question: string, hidden = false): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) io.stderr.write(chunk.toString());
      callback();
    },
  });
  const rl = createInterface({ input: io.stdin, output, terminal: io.stdin.isTTY === true });
  try {
    const answer = rl.question(question);
    muted = hidden;
    const text = await answer;
    if (hidden) io.stderr.write('\n');
    return text.trim();
  } finally {
    rl.close();
  }
}
