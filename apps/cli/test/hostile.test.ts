/**
 * The real `gm` binary against a broken or hostile Envoy (core's test server): every read-only command ends with
 * a typed error and its exit code (6 for an answer that differs from the contract, 5 for one that never arrives
 * whole), and text from Envoy that holds terminal escape sequences is printed escaped (`--json` stays exact).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESCAPES, type Hostility, startHostileEnvoy } from '../../../packages/core/test/hostile-envoy.js';
import { assertBuilt, gm, tempDir } from './helpers.js';

const COMMANDS = [
  ['status', 'shot'],
  ['files', 'shot'],
  ['projects'],
  ['whoami'],
  ['products'],
  ['machines', 'blender', 'render'],
];

let configDir: string;
beforeAll(async () => {
  assertBuilt();
  configDir = await tempDir('gm-hostile-config-');
});

const env = (url: string) => ({
  GM_CONFIG_DIR: configDir,
  GM_ENVOY_URL: url,
  GM_EMAIL: 'artist@studio.example',
  GM_ACCESS_KEY: 'sk-hostile-test-key',
});

/** Raw control characters a terminal acts on (a newline excepted), and bidi or invisible ones. */
const RAW_CONTROL =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

// A dripping answer ends at gm's time-out (30 s a try by default, 3 tries for a read): --timeout, below.
const CASES: [Hostility, number, string][] = [
  ['endless', 6, 'maxAnswerBytes'],
  ['redirect', 6, 'redirect to http://127.0.0.1:'],
  ['invalid-json', 6, 'not JSON'],
  ['html', 6, 'content type text/html'],
  ['cut-off', 5, 'closed the connection'],
  ['deep', 6, 'nested deeper than 64 levels'],
  ['wrong-types', 6, 'the contract says'],
];

describe.each(CASES)('gm against an Envoy whose answers are %s', (hostility, code, said) => {
  let envoy: Awaited<ReturnType<typeof startHostileEnvoy>>;
  beforeAll(async () => {
    envoy = await startHostileEnvoy(hostility);
  });
  afterAll(async () => {
    await envoy?.close();
  });
  it.each(COMMANDS)(`gm %s exits ${code} with a typed error`, async (...args) => {
    const r = await gm(args, env(envoy.url));
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(said);
    expect(r.stderr).not.toMatch(/unexpected error|is not a function/i);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(envoy.stolen()).toBe(0);
  });
});

describe('gm against an Envoy whose answers drip one byte at a time', () => {
  let envoy: Awaited<ReturnType<typeof startHostileEnvoy>>;
  beforeAll(async () => {
    envoy = await startHostileEnvoy('drip');
  });
  afterAll(async () => {
    await envoy?.close();
  });
  it.each(COMMANDS)(
    'gm %s --timeout 0.5 ends (exit 5), the whole answer within the limit or not at all',
    async (...args) => {
      const r = await gm(['--timeout', '0.5', ...args], env(envoy.url));
      expect(r.code, r.stderr).toBe(5);
      expect(r.stderr).toContain('did not answer in time');
      expect(r.stderr).toContain('wait longer with --timeout <seconds>');
      expect(r.stderr).not.toMatch(RAW_CONTROL);
    },
  );
  it('takes the limit from GM_TIMEOUT too, and refuses one that is no time', async () => {
    const r = await gm(['whoami'], { ...env(envoy.url), GM_TIMEOUT: '0.5' });
    expect(r.code).toBe(5);
    const bad = await gm(['whoami', '--timeout', 'soon'], env(envoy.url));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timeout (or GM_TIMEOUT) must be a number of seconds');
  });
});

describe('gm against an Envoy whose names and messages hold escape sequences', () => {
  let envoy: Awaited<ReturnType<typeof startHostileEnvoy>>;
  beforeAll(async () => {
    envoy = await startHostileEnvoy('escapes');
  });
  afterAll(async () => {
    await envoy?.close();
  });
  it.each(COMMANDS)('gm %s prints them escaped', async (...args) => {
    const r = await gm(args, env(envoy.url));
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('\\x1b]0;owned\\x07');
  });
  it.each([
    ['projects', (out: unknown) => (out as { name: string }[])[0]?.name],
    ['whoami', (out: unknown) => (out as { user: { name: string } }).user.name],
  ] as const)('gm %s --json keeps them exact', async (command, pick) => {
    const r = await gm([command, '--json'], env(envoy.url));
    expect(r.code).toBe(0);
    expect(pick(JSON.parse(r.stdout))).toContain(ESCAPES);
  });
});
