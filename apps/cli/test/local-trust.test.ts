// End-to-end tests of local trust: one submission of a project at a time across processes, and the folders gm
// trusts (its config folder, the turns folder between processes) being the user's own. The real binary.
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { turnsFolder } from '@gm/core/node';
import { DEMO_USER, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, gm, sampleJobFile, tempDir } from './helpers.js';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let work: string;
/** A server that counts the requests it is sent and answers none of them. */
let silent: { server: Server; url: string; requests: string[] };

const isRoot = process.platform !== 'win32' && process.getuid?.() === 0;

/** Credentials and folders of their own for one test: a config folder and a home (for the turns folder). */
async function account(url = emulator.url): Promise<Record<string, string>> {
  const home = await tempDir('gm-trust-home-');
  return {
    GM_CONFIG_DIR: await tempDir('gm-trust-config-'),
    HOME: home,
    USERPROFILE: home,
    LOCALAPPDATA: join(home, 'AppData', 'Local'),
    GM_ENVOY_URL: url,
    GM_EMAIL: DEMO_USER.email,
    GM_ACCESS_KEY: DEMO_USER.accessKey,
  };
}

beforeAll(async () => {
  assertBuilt();
  emulator = await startEmulator({
    port: 0,
    dataDir: await tempDir('gm-trust-envoy-'),
    timeScale: 0.01,
    users: [{ ...DEMO_USER, credits: 1_000_000 }],
  });
  work = await tempDir('gm-trust-work-');
  const requests: string[] = [];
  const server = createServer((req) => {
    requests.push(`${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  silent = { server, url: `http://127.0.0.1:${port}`, requests };
});

afterAll(async () => {
  silent?.server.closeAllConnections();
  await new Promise((r) => silent?.server.close(r));
  await emulator?.close();
});

describe('one submission of a project at a time', () => {
  it('two gm submit of one job file started at once charge once: the second sees the first in the rerun check', async () => {
    const env = await account();
    const file = join(work, 'race.yaml');
    await writeFile(file, sampleJobFile('race_project'));
    const runs = await Promise.all([gm(['submit', file], env), gm(['submit', file], env)]);
    const codes = runs.map((r) => r.code).sort();
    expect(codes, runs.map((r) => r.stderr).join('\n---\n')).toEqual([0, 2]);
    const refused = runs.find((r) => r.code === 2)!;
    expect(refused.stderr).toContain('Project "race_project" already exists');
    expect(refused.stderr).toContain('--again');
    // One job in Envoy: submitted (and charged) once.
    const status = JSON.parse((await gm(['status', 'race_project', '--json'], env)).stdout);
    expect(status.Jobs).toHaveLength(1);
    // The lock is gone with its holders.
    expect(await readdir(join(env.GM_CONFIG_DIR!, 'locks'))).toEqual([]);
  }, 60_000);

  it('a lock whose holder was killed (kill -9) does not block the next submit', async () => {
    const env = await account();
    const file = join(work, 'killed.yaml');
    await writeFile(file, sampleJobFile('killed_project'));
    // The first submit talks to a server that never answers: it holds the lock until it is killed.
    const child = spawn(process.execPath, [BIN, 'submit', file], {
      env: { ...process.env, ...env, GM_ENVOY_URL: silent.url, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const locks = join(env.GM_CONFIG_DIR!, 'locks');
    for (;;) {
      const names = await readdir(locks).catch(() => [] as string[]);
      if (names.some((n) => n.endsWith('.hold'))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const closed = new Promise((r) => child.on('close', r));
    child.kill('SIGKILL');
    await closed;
    expect((await readdir(locks)).filter((n) => n.endsWith('.hold'))).toHaveLength(1);
    const next = await gm(['submit', file, '--json'], env);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ project: 'killed_project' });
    expect(next.stderr).not.toContain('Waiting for another gm submit');
    expect(await readdir(locks)).toEqual([]);
  }, 60_000);
});

describe('the config folder must be the user own', () => {
  it('a config folder others can write to is refused with its path and the fix; nothing is sent', async () => {
    const env = await account(silent.url);
    const dir = env.GM_CONFIG_DIR!;
    // The profile names a URL the credentials would be posted to.
    await writeFile(
      join(dir, 'profiles.json'),
      JSON.stringify({ profiles: { default: { email: 'a@b.c', accessKey: 'secret', url: silent.url } } }),
      { mode: 0o600 },
    );
    const { GM_EMAIL: _e, GM_ACCESS_KEY: _k, GM_ENVOY_URL: _u, ...profileOnly } = env;
    const before = silent.requests.length;
    if (process.platform !== 'win32') {
      await chmod(dir, 0o777);
      const r = await gm(['whoami'], profileOnly);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`gm will not use ${dir}: it is writable by others (mode 0777)`);
      expect(r.stderr).toContain(`chmod go-w ${dir}`);
      // The same with the credentials from the environment, and for gm login (which would write there).
      expect((await gm(['whoami'], env)).code).toBe(2);
      const login = await gm(['login', '--email', 'a@b.c', '--access-key-stdin'], profileOnly, 'key\n');
      expect(login.code).toBe(2);
      expect(login.stderr).toContain(`chmod go-w ${dir}`);
      await chmod(dir, 0o700);
      // profiles.json itself writable by others.
      await chmod(join(dir, 'profiles.json'), 0o666);
      const file = await gm(['whoami'], profileOnly);
      expect(file.code).toBe(2);
      expect(file.stderr).toContain(
        `gm will not use ${join(dir, 'profiles.json')}: it is writable by others`,
      );
      expect(file.stderr).toContain(`chmod go-w ${join(dir, 'profiles.json')}`);
    }
    expect(silent.requests.length).toBe(before);
  });

  it('a config folder owned by another user is refused (needs root to make; skipped otherwise)', async (t) => {
    if (!isRoot) {
      t.skip(); // Only root can give a folder to another uid: run the tests as root to cover this case.
      return;
    }
    const env = await account(silent.url);
    const dir = env.GM_CONFIG_DIR!;
    await chown(dir, 4242, 4242);
    const before = silent.requests.length;
    const r = await gm(['whoami'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `gm will not use ${dir}: it is owned by another user (uid 4242; you are uid 0)`,
    );
    expect(r.stderr).toContain(`chown 0 ${dir}`);
    expect(silent.requests.length).toBe(before);
  });
});

describe('the turns folder between processes must be the user own', () => {
  it('a turns folder made by someone else, writable by others, is refused with a clear error; nothing is sent', async (t) => {
    if (process.platform === 'win32') {
      t.skip(); // Ownership and modes are not checked on Windows.
      return;
    }
    const env = await account(silent.url);
    const turns = turnsFolder(env, process.platform);
    await mkdir(dirname(turns), { recursive: true });
    await mkdir(turns, { mode: 0o777 });
    await chmod(turns, 0o777);
    const before = silent.requests.length;
    const r = await gm(['whoami'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`turns folder: ${turns} is writable by others (mode 0777)`);
    expect(r.stderr).toContain(`chmod go-w ${turns}`);
    if (isRoot) {
      await chmod(turns, 0o700);
      await chown(turns, 4242, 4242);
      const theirs = await gm(['whoami'], env);
      expect(theirs.code).toBe(2);
      expect(theirs.stderr).toContain(
        `turns folder: ${turns} is owned by another user (uid 4242; you are uid 0)`,
      );
    }
    expect(silent.requests.length).toBe(before);
    // Made by gm itself, where only the user can make it: used.
    const own = await account();
    const ok = await gm(['whoami', '--json'], own);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await readdir(dirname(turnsFolder(own, process.platform)))).toEqual([
      basename(turnsFolder(own, process.platform)),
    ]);
  });
});

describe('inputs that were accepted though wrong: exit 2 naming the field, nothing sent', () => {
  /** Submits `yaml` (in a folder of its own) against the server that counts requests; none may arrive. */
  async function refused(yaml: string, files: Record<string, string> = {}) {
    const env = await account(silent.url);
    const dir = await tempDir('gm-trust-input-');
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await writeFile(join(dir, 'job.yaml'), yaml);
    const before = silent.requests.length;
    const r = await gm(['submit', join(dir, 'job.yaml'), '--allow-missing'], env);
    expect(r.code, r.stderr).toBe(2);
    expect(silent.requests.length, silent.requests.join(', ')).toBe(before);
    return { ...r, dir };
  }

  const blender = (extra = '', top = '') => `${top}folder: .
files: [scene.blend]
jobs:
  - name: beauty
    product: blender
    appVersion: "4.2"
    file: scene.blend
    frames: "1 2"
    outputPrefix: beauty
    outputFormat: PNG
${extra}`;
  const scene = { 'scene.blend': 'BLENDER-v402' };

  it('a project name with ":" (Envoy makes a folder of it, on Windows too)', async () => {
    const r = await refused(blender('', 'name: "a:b"\n'), scene);
    expect(r.stderr).toContain('name: cannot name a project: "a:b" contains ":"');
    expect(r.stderr).toContain('rename it');
  });

  it('a watch folder that is a regular file (the project used to end Failed)', async () => {
    const r = await refused(
      blender('', 'watchFiles:\n  - { pattern: "{results}/.+", folder: ./not-a-folder }\n'),
      { ...scene, 'not-a-folder': 'a file' },
    );
    expect(r.stderr).toContain('watchFiles[0].downloadPath');
    expect(r.stderr).toContain(`${join(r.dir, 'not-a-folder')} is a file`);
  });

  it('NUL in a watch pattern', async () => {
    const r = await refused(
      blender('', 'watchFiles:\n  - { pattern: "{results}/.+\\0", folder: ./results }\n'),
      scene,
    );
    expect(r.stderr).toContain('watchFiles[0].pattern');
    expect(r.stderr).toContain('U+0000');
  });

  it('an output format that is a path', async () => {
    const r = await refused(blender().replace('outputFormat: PNG', 'outputFormat: "../png"'), scene);
    expect(r.stderr).toContain('jobs[0].outputFormat');
    expect(r.stderr).toContain('is a path, not a format name');
  });

  it('a V-Ray remap file that climbs out of the project', async () => {
    const r = await refused(
      `folder: .
files: [scene.vrscene]
jobs:
  - name: still
    product: vray
    appVersion: "5.20.02"
    file: scene.vrscene
    frames: "1"
    outputWidth: 640
    outputHeight: 360
    outputPrefix: still
    outputFormat: exr
    remapFile: ../../etc/passwd
`,
      { 'scene.vrscene': '// a scene\n' },
    );
    expect(r.stderr).toContain('jobs[0].remapFile');
    expect(r.stderr).toContain('/my_project/remap.xml');
  });
});
