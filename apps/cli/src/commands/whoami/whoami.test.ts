/**
 * `gm whoami`'s work is a plain function: called here with a context made without the argument parser, against
 * an emulator in this process, it prints the account behind the credentials, as JSON and as text, and a wrong
 * access key is refused.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError } from '@gm/core';
import { DEMO_USER, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../../test/io.js';
import { createContext, type GlobalOptions } from '../../lib/context.js';
import { whoami } from './index.js';

let emulator: Awaited<ReturnType<typeof startEmulator>>;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'gm-whoami-envoy-')),
    users: [{ ...DEMO_USER, credits: 1234 }],
  });
});

afterAll(async () => {
  await emulator?.close();
});

/** An `Io` with a config folder of its own. */
const capture = () =>
  captureIo(tmpdir(), { GM_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'gm-whoami-config-')) });

/** The global options of the demo account on the emulator (the access key given). */
const demo = (extra: GlobalOptions = {}): GlobalOptions => ({
  url: emulator.url,
  email: DEMO_USER.email,
  accessKey: DEMO_USER.accessKey,
  ...extra,
});

describe('whoami, called without the argument parser', () => {
  it('prints the account, its credits, the URL and the profile as JSON', async () => {
    const io = capture();
    await whoami(createContext(io, demo({ json: true })));
    const report = JSON.parse(io.out());
    expect(report).toMatchObject({ profile: 'default', url: emulator.url });
    expect(report.user).toMatchObject({ name: DEMO_USER.name, email_address: DEMO_USER.email });
    expect(Number(report.user.credits_available)).toBe(1234);
  });

  it('prints the account as lines of text', async () => {
    const io = capture();
    await whoami(createContext(io, demo({ color: false })));
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Name\\s+${DEMO_USER.name}$`));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Email\\s+${DEMO_USER.email}$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^Credits available\s+1,?234/));
    expect(lines).toContainEqual(`${'Envoy'.padEnd(18)} ${emulator.url}`);
  });

  it('refuses a wrong access key', async () => {
    const error = await whoami(
      createContext(capture(), demo({ accessKey: 'not-the-key', json: true })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
  });
});
