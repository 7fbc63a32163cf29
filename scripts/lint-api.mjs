#!/usr/bin/env node
// `pnpm lint:api`: Redocly's lint of openapi/envoy.yaml (rules in redocly.yaml), its exit code kept. Redocly prints
// a boxed "Node.js 20 support is ending" notice on Node 20, which this project supports (engines >= 20.19): that
// box is left out, every other line is passed on. Redocly's telemetry is off unless the user turned it on.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = createRequire(join(root, 'package.json')).resolve('@redocly/cli/bin/cli.js');
const env = { REDOCLY_TELEMETRY: 'off', ...process.env };
const child = spawn(
  process.execPath,
  [cli, 'lint', join(root, 'openapi', 'envoy.yaml'), ...process.argv.slice(2)],
  {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
  },
);

/** Drops a box (from its ╔ line to its ╚ line) that speaks of Node.js 20's end of life; keeps the rest. */
function withoutNode20Box(text) {
  return text.replace(/^[ \t]*╔[^\n]*\n(?:[^\n]*\n)*?[ \t]*╚[^\n]*\n\n?/gm, (box) =>
    /Node\.js 20 support is ending/.test(box) ? '' : box,
  );
}

let err = '';
child.stderr.setEncoding('utf8').on('data', (chunk) => {
  err += chunk;
});
child.on('close', (code) => {
  process.stderr.write(withoutNode20Box(err));
  process.exit(code ?? 1);
});
