// `gm` on a real pseudo-terminal (node-pty): the login prompt (the access key is not echoed) and the progress bar
// redrawn in place with its rate and time left.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_USER, startEmulator } from '@gm/emulator';
import { type IPty, spawn } from '@lydell/node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, sampleJobFile, tempDir } from './helpers.js';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let work: string;

beforeAll(async () => {
  assertBuilt();
  emulator = await startEmulator({ port: 0, dataDir: await tempDir('gm-pty-envoy-'), timeScale: 0.02 });
  work = await tempDir('gm-pty-work-');
});

afterAll(async () => {
  await emulator?.close();
});

/** A `gm` run on a pseudo-terminal: everything it wrote, a way to wait for text, and its exit code. */
function onTerminal(args: string[], env: Record<string, string>) {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('GM_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR') base[k] = v;
  const term: IPty = spawn(process.execPath, [BIN, ...args], {
    name: 'xterm-256color',
    cols: 120,
    rows: 30,
    cwd: work,
    env: { ...base, TERM: 'xterm-256color', ...env },
  });
  let output = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  term.onData((data) => {
    output += data;
    for (const w of waiters.splice(0)) {
      if (output.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return {
    term,
    exited,
    output: () => output,
    /** Resolves once the terminal has shown `text` (no clock: the test's own timeout bounds it). */
    waitFor: (text: string) =>
      new Promise<void>((resolve) => {
        if (output.includes(text)) resolve();
        else waiters.push({ text, resolve });
      }),
  };
}

describe('on a terminal', () => {
  it('gm login asks for the email and the access key, and does not echo the key', async () => {
    const configDir = await tempDir('gm-pty-config-');
    const run = onTerminal(['login'], { GM_CONFIG_DIR: configDir, GM_ENVOY_URL: emulator.url });
    await run.waitFor('Email: ');
    run.term.write(`${DEMO_USER.email}\r`);
    await run.waitFor('Access key: ');
    run.term.write(`${DEMO_USER.accessKey}\r`);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain(DEMO_USER.email);
    expect(run.output()).not.toContain(DEMO_USER.accessKey);
    expect(run.output()).toContain('Logged in as');
    // Colour on a terminal.
    expect(run.output()).toContain('\x1b[');
    const profiles = JSON.parse(await readFile(join(configDir, 'profiles.json'), 'utf8'));
    expect(profiles.profiles.default).toMatchObject({
      email: DEMO_USER.email,
      accessKey: DEMO_USER.accessKey,
    });
  });

  it('gm login --access-key-stdin on a terminal asks for the key without echo', async () => {
    const configDir = await tempDir('gm-pty-config-');
    const run = onTerminal(['login', '--email', DEMO_USER.email, '--access-key-stdin'], {
      GM_CONFIG_DIR: configDir,
      GM_ENVOY_URL: emulator.url,
    });
    await run.waitFor('Access key: ');
    run.term.write(`${DEMO_USER.accessKey}\r`);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).not.toContain(DEMO_USER.accessKey);
    const profiles = JSON.parse(await readFile(join(configDir, 'profiles.json'), 'utf8'));
    expect(profiles.profiles.default.accessKey).toBe(DEMO_USER.accessKey);
  });

  it('gm submit --watch redraws one progress line in place, with the rate and the time left', async () => {
    const file = join(work, 'bar.yaml');
    await writeFile(file, sampleJobFile('pty_bar', { frames: '1 60', instances: 2 }));
    const run = onTerminal(['submit', file, '--watch', '--interval', '40'], {
      GM_CONFIG_DIR: await tempDir('gm-pty-config-'),
      GM_ENVOY_URL: emulator.url,
      GM_EMAIL: DEMO_USER.email,
      GM_ACCESS_KEY: DEMO_USER.accessKey,
    });
    expect(await run.exited, run.output()).toBe(0);
    const output = run.output();
    // Each redraw returns to the line start and clears it, then draws the bar.
    const redraws = output.split('\r\x1b[2K').slice(1);
    expect(redraws.length).toBeGreaterThan(2);
    expect(redraws.every((r) => /^(Frames|Uploading)/.test(r))).toBe(true);
    expect(output).toMatch(/█/);
    expect(output).toMatch(/░/);
    expect(output).toMatch(/frames\/(s|min), \d+(s|m \d\ds) left/);
    expect(output).toMatch(/100%.*60\/60 frames/);
  });
});
