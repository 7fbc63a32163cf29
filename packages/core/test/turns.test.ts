/**
 * Turns between processes: Envoy holds one login for the whole machine, so clients of different accounts in
 * different processes (two `gm` commands in two terminals, a plugin beside a pipeline tool) must take turns.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  rename,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { homedir, hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningEmulator, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { InvalidRequestError } from '../src/errors.js';
import { privacyProblem, processStart } from '../src/private.js';
import { STALE_MS, takeTurn, turnsFolder } from '../src/turns.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'gm-turns-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const turn = (account: string, signal?: AbortSignal) =>
  takeTurn('8090', account, signal, { folder, pollMs: [2, 10] });

/** A pid that surely runs no process: one that has exited. */
function deadPid(): number {
  return Number(
    execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString(),
  );
}

describe('takeTurn', () => {
  test('operations of one account run together; another account waits until they end', async () => {
    const a1 = await turn('a@studio.example');
    const a2 = await turn('a@studio.example');
    let bIn = false;
    const b = turn('b@studio.example').then((end) => {
      bIn = true;
      return end;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(bIn).toBe(false);
    a1();
    await new Promise((r) => setTimeout(r, 50));
    expect(bIn).toBe(false);
    a2();
    const endB = await b;
    expect(bIn).toBe(true);
    endB();
    expect(await readdir(folder)).toEqual([]);
  });

  test('the oldest waiter goes first: a stream of one account cannot starve another', async () => {
    const a = await turn('a@studio.example');
    const order: string[] = [];
    const b = turn('b@studio.example').then((end) => {
      order.push('b');
      return end;
    });
    await new Promise((r) => setTimeout(r, 30));
    // Another operation of A arrives while B waits: it waits behind B.
    const a2 = turn('a@studio.example').then((end) => {
      order.push('a2');
      return end;
    });
    await new Promise((r) => setTimeout(r, 30));
    a();
    (await b)();
    (await a2)();
    expect(order).toEqual(['b', 'a2']);
  });

  test('the files of a killed process do not block anyone, and are removed', async () => {
    const stale = `8090.${'0'.repeat(16)}.${deadPid()}.${Date.now().toString(36)}.0a1b2c3d.hold`;
    // Another Envoy's operation (port 8091) is none of this one's business.
    const other = `8091.${'0'.repeat(16)}.${process.pid}.${Date.now().toString(36)}.0a1b2c3d.hold`;
    await writeFile(path.join(folder, stale), '');
    await writeFile(path.join(folder, other), '');
    const end = await turn('a@studio.example');
    expect(existsSync(path.join(folder, stale))).toBe(false);
    expect(existsSync(path.join(folder, other))).toBe(true);
    await rm(path.join(folder, other));
    end();
  });

  // Windows gives no start time to tell a later process by.
  test.skipIf(process.platform === 'win32')(
    'a file whose process id now runs another program (another start) does not block anyone, however fresh',
    async () => {
      // A running process that is not this one: the test runner's parent, but not the process that wrote the file.
      const name = `8090.${'1'.repeat(16)}.${process.ppid}.${Date.now().toString(36)}.0a1b2c3d.hold`;
      const file = path.join(folder, name);
      const started = processStart(process.ppid);
      await writeFile(
        file,
        JSON.stringify({ pid: process.ppid, host: hostname(), start: `${started}-before` }),
      );
      (await turn('a@studio.example'))();
      expect(existsSync(file)).toBe(false);
      // Written by that very process (its start), the same file blocks another account, however long unrefreshed.
      await writeFile(file, JSON.stringify({ pid: process.ppid, host: hostname(), start: started }));
      const old = new Date(Date.now() - STALE_MS - 1_000);
      await utimes(file, old, old);
      let entered = false;
      const waiting = turn('a@studio.example').then((e) => {
        entered = true;
        return e;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(entered).toBe(false);
      await rm(file);
      (await waiting)();
    },
  );

  test('a waiter stopped while it waited (its wait unrefreshed a minute) holds back no one, though its process runs', async () => {
    const name = `8090.${'4'.repeat(16)}.${process.ppid}.${(Date.now() - 120_000).toString(36)}.0a1b2c3d.wait`;
    const file = path.join(folder, name);
    await writeFile(
      file,
      JSON.stringify({ pid: process.ppid, host: hostname(), start: processStart(process.ppid) }),
    );
    // Fresh, it is ahead of a later waiter of another account.
    let entered = false;
    const waiting = turn('a@studio.example').then((e) => {
      entered = true;
      return e;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(entered).toBe(false);
    const old = new Date(Date.now() - STALE_MS - 1_000);
    await utimes(file, old, old);
    (await waiting)();
    expect(existsSync(file)).toBe(false);
  });

  test('where whether its process runs cannot be known (another host, an older client’s file), age decides', async () => {
    const old = new Date(Date.now() - STALE_MS - 1_000);
    const files: [string, string][] = [
      // Another host's process, whatever its id: judged by the file's age alone.
      [
        `8090.${'2'.repeat(16)}.${process.pid}.${Date.now().toString(36)}.0a1b2c3d.hold`,
        JSON.stringify({ pid: process.pid, host: 'render-07', start: 'x' }),
      ],
      // An older client's file: empty, with a running process's id (the test runner's parent).
      [`8090.${'3'.repeat(16)}.${process.ppid}.${Date.now().toString(36)}.0a1b2c3d.hold`, ''],
    ];
    for (const [name, content] of files) {
      const file = path.join(folder, name);
      await writeFile(file, content);
      let entered = false;
      const waiting = turn('a@studio.example').then((e) => {
        entered = true;
        return e;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(entered, name).toBe(false);
      await utimes(file, old, old);
      (await waiting)();
      expect(existsSync(file)).toBe(false);
    }
  });

  test('a holder stopped (kill -STOP) however long keeps its turn; killed, it no longer blocks', async (t) => {
    if (process.platform === 'win32') {
      t.skip(); // No SIGSTOP.
      return;
    }
    const dist = fileURLToPath(new URL('../dist/node.mjs', import.meta.url));
    if (!existsSync(dist)) throw new Error('dist/ is missing: run `pnpm --filter @gm/core build` first');
    const own = await mkdtemp(path.join(tmpdir(), 'gm-turns-stop-'));
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { takeTurn } = await import(${JSON.stringify(dist)});
         await takeTurn('8090', 'a@studio.example', undefined, { folder: ${JSON.stringify(own)} });
         console.log('held');
         setInterval(() => {}, 1000);`,
      ],
      { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((r) => child.on('exit', r));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => String(d).includes('held') && resolve());
        child.on('exit', (code) => reject(new Error(`the holder exited (${code})`)));
      });
      child.kill('SIGSTOP');
      // Stopped for minutes, as it looks: its file unrefreshed far beyond any stale time (injected tiny here).
      const [hold] = await readdir(own);
      const old = new Date(Date.now() - 10 * STALE_MS);
      await utimes(path.join(own, hold as string), old, old);
      let entered = false;
      const b = takeTurn('8090', 'b@studio.example', undefined, {
        folder: own,
        pollMs: [2, 10],
        staleMs: 1,
      }).then((end) => {
        entered = true;
        return end;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(entered).toBe(false);
      expect(await readdir(own)).toContain(hold);
      child.kill('SIGKILL');
      await exited;
      (await b)();
      expect(entered).toBe(true);
      expect(await readdir(own)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await rm(own, { recursive: true, force: true });
    }
  });

  test('a wait ends with the signal’s reason, and leaves no file behind', async () => {
    const a = await turn('a@studio.example');
    const controller = new AbortController();
    const waiting = turn('b@studio.example', controller.signal);
    await new Promise((r) => setTimeout(r, 20));
    const reason = new Error('cancelled by the user');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    a();
    expect(await readdir(folder)).toEqual([]);
  });

  test('a folder others can write to, a link or a file is refused: no one else can block or unblock this user', async () => {
    const refused = async (dir: string, problem: string, fix: string) => {
      const error = await takeTurn('8090', 'a@studio.example', undefined, { folder: dir }).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).fieldErrors[0]?.field).toBe('turns folder');
      expect(error.message).toContain(`${dir} ${problem}`);
      expect(error.message).toContain(fix);
    };
    const open = `${folder}.open`;
    await mkdir(open, { mode: 0o777 });
    await chmod(open, 0o777);
    const link = `${folder}.link`;
    await symlink(open, link);
    const file = `${folder}.file`;
    await writeFile(file, '');
    if (process.platform !== 'win32') {
      const blocker = path.join(
        open,
        `8090.${'1'.repeat(16)}.${process.ppid}.${Date.now().toString(36)}.0a1b2c3d.hold`,
      );
      await writeFile(blocker, '');
      await refused(open, 'is writable by others (mode 0777)', `chmod go-w ${open}`);
      // Nothing was written or removed there.
      expect(await readdir(open)).toEqual([path.basename(blocker)]);
      await chmod(open, 0o770);
      await refused(open, 'is writable by its group (mode 0770)', `chmod go-w ${open}`);
      await chmod(open, 0o700);
      await rm(blocker);
      // The same folder, private again: used.
      (await takeTurn('8090', 'a@studio.example', undefined, { folder: open }))();
    }
    await refused(link, 'is a symbolic link', `rm ${link}`);
    await refused(file, 'is not a folder', `rm ${file}`);
    await rm(link);
    await rm(file);
    await rm(open, { recursive: true });
  });

  test('a folder owned by another user is refused (as root: made with chown)', async (t) => {
    if (process.platform === 'win32' || process.getuid?.() !== 0) {
      t.skip(); // Only root can give a folder to another user.
      return;
    }
    const theirs = `${folder}.theirs`;
    await mkdir(theirs, { mode: 0o700 });
    await chown(theirs, 4242, 4242);
    const error = await takeTurn('8090', 'a@studio.example', undefined, { folder: theirs }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toContain(`${theirs} is owned by another user (uid 4242; you are uid 0)`);
    await rm(theirs, { recursive: true });
  });

  test('a folder that cannot be made (a read-only home) is refused, naming it and the fix: nothing runs without its turn', async () => {
    const file = `${folder}.blocked`;
    await writeFile(file, '');
    // A folder below a file cannot be made, and nothing is there.
    const dir = path.join(file, 'turns');
    const error = await takeTurn('8090', 'a@studio.example', undefined, { folder: dir }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).fieldErrors[0]?.field).toBe('turns folder');
    expect(error.message).toContain(`${dir} cannot be made or written (ENOTDIR)`);
    expect(error.message).toContain(`mkdir -p ${dir} && chmod 700 ${dir}`);
    expect(error.message).toContain('GM_TURNS=off');
    // The way out, said in so many words: a process alone on its Envoy goes on without turns.
    const end = await takeTurn('8090', 'a@studio.example', undefined, {
      folder: dir,
      env: { GM_TURNS: 'off' },
    });
    end();
    await rm(file);
  });

  test('a folder that goes away while an operation waits ends the wait with the same refusal, never a run without its turn', async () => {
    const gone = await mkdtemp(path.join(tmpdir(), 'gm-turns-gone-'));
    const a = await takeTurn('8090', 'a@studio.example', undefined, { folder: gone, pollMs: [2, 10] });
    const waiting = takeTurn('8090', 'b@studio.example', undefined, { folder: gone, pollMs: [2, 10] });
    await new Promise((r) => setTimeout(r, 30));
    // Gone at once (a rename), then removed: a recursive removal alone races the waiter's writes (ENOTEMPTY).
    await rename(gone, `${gone}.removed`);
    const error = await waiting.catch((e) => e);
    await rm(`${gone}.removed`, { recursive: true, maxRetries: 5 });
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toContain(`${gone} cannot be made or written (ENOENT)`);
    a();
  });

  test('on Windows, ownership and modes are not judged (no such modes); a link or a file still is', async () => {
    const open = `${folder}.win`;
    await mkdir(open, { mode: 0o777 });
    await chmod(open, 0o777);
    expect(privacyProblem(open, { platform: 'win32' })).toBeUndefined();
    expect(privacyProblem(open, { platform: 'linux' })?.problem).toBe('is writable by others (mode 0777)');
    expect(privacyProblem(open, { kind: 'file', platform: 'win32' })?.problem).toBe('is not a file');
    await rm(open, { recursive: true });
  });

  test('a private folder inside a folder others can write to is not private: they could swap it for their own', async () => {
    const open = `${folder}.open`;
    const inner = path.join(open, 'gm');
    await mkdir(inner, { recursive: true, mode: 0o700 });
    await chmod(open, 0o777);
    expect(privacyProblem(inner, { platform: 'linux' })).toEqual({
      path: open,
      problem: `is writable by others (mode 0777), and it holds ${inner}`,
      fix: `chmod go-w ${open}`,
    });
    // Sticky, as /tmp is: only an entry's owner may rename it, so what is inside stays the user's.
    await chmod(open, 0o1777);
    expect(privacyProblem(inner, { platform: 'linux' })).toBeUndefined();
    // A folder above owned by another user (and not root) could be changed by them at will (only root can
    // give a folder away, so this part runs as root).
    if (process.getuid?.() === 0) {
      await chmod(open, 0o755);
      await chown(open, 4242, 4242);
      expect(privacyProblem(inner, { platform: 'linux' })?.problem).toBe(
        `is owned by another user (uid 4242; you are uid 0), and it holds ${inner}`,
      );
    }
    await rm(open, { recursive: true });
  });

  test('the default folder is one only the user can make, the same whatever the session variables', () => {
    const host = hostname();
    const linux = path.join(homedir(), '.cache', 'gm', 'envoy-turns', host);
    expect(turnsFolder({}, 'linux')).toBe(linux);
    // A process started without the session's variables (cron, su, a tmux left after logout) must find the same.
    expect(turnsFolder({ XDG_RUNTIME_DIR: '/run/user/1000' }, 'linux')).toBe(linux);
    expect(turnsFolder({ XDG_CACHE_HOME: '/home/me/.cache-elsewhere' }, 'linux')).toBe(linux);
    expect(turnsFolder({ HOME: '/home/me' }, 'linux')).toBe(
      path.join('/home/me', '.cache', 'gm', 'envoy-turns', host),
    );
    expect(turnsFolder({}, 'darwin')).toBe(
      path.join(homedir(), 'Library', 'Caches', 'gm', 'envoy-turns', host),
    );
    expect(
      turnsFolder({ LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local', XDG_RUNTIME_DIR: '/run/x' }, 'win32'),
    ).toBe(path.join('C:\\Users\\me\\AppData\\Local', 'gm', 'envoy-turns', host));
    for (const where of [turnsFolder({}, 'linux'), turnsFolder({}, 'darwin')]) {
      expect(where.startsWith(tmpdir())).toBe(false);
    }
  });
});

describe('clients of different accounts in different processes on one Envoy', () => {
  const USERS = ['a', 'b', 'c'].map((x) => ({
    email: `${x}@studio.example`,
    accessKey: `key-of-${x}`,
    credits: 100,
  }));
  let envoy: RunningEmulator;
  beforeAll(async () => {
    envoy = await startEmulator({ port: 0, users: USERS });
  });
  afterAll(async () => {
    await envoy.close();
  });

  /** Runs one process per user (with its own environment), each asking Envoy who it is 60 times; counts wrong answers. */
  async function whoAmI(envs: NodeJS.ProcessEnv[]): Promise<{ email: string; wrong: number }[]> {
    const dist = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));
    if (!existsSync(dist)) throw new Error('dist/ is missing: run `pnpm --filter @gm/core build` first');
    // Each process asks Envoy who it is, again and again; the client throws when Envoy answers for another.
    const script = `
      const { EnvoyClient } = await import(${JSON.stringify(dist)});
      const [url, email, accessKey] = process.argv.slice(1);
      const client = new EnvoyClient({ url, email, accessKey });
      let wrong = 0;
      for (let i = 0; i < 60; i++) {
        try {
          const me = await client.getUserInfo();
          if (me.email_address !== email) wrong++;
        } catch (error) {
          wrong++;
          console.error(String(error));
        }
      }
      console.log(JSON.stringify({ email, wrong }));`;
    const runs = envs.map(
      (env, i) =>
        new Promise<{ email: string; wrong: number }>((resolve, reject) => {
          const u = USERS[i] as (typeof USERS)[number];
          const child = spawn(
            process.execPath,
            ['--input-type=module', '-e', script, envoy.url, u.email, u.accessKey],
            { env: { ...env, NODE_OPTIONS: '' } },
          );
          let out = '';
          let err = '';
          child.stdout.on('data', (d) => {
            out += d;
          });
          child.stderr.on('data', (d) => {
            err += d;
          });
          child.on('error', reject);
          child.on('close', (code) => {
            if (code !== 0) reject(new Error(`exit ${code}: ${err}`));
            else resolve(JSON.parse(out));
          });
        }),
    );
    return Promise.all(runs);
  }

  test('never read as another account, however their calls interleave', async () => {
    expect(await whoAmI(USERS.map(() => process.env))).toEqual(
      USERS.map((u) => ({ email: u.email, wrong: 0 })),
    );
  });

  test('take turns when started with different session variables (cron, su, a tmux left after logout)', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'gm-turns-home-'));
    const runtime = await mkdtemp(path.join(tmpdir(), 'gm-turns-run-'));
    const cache = await mkdtemp(path.join(tmpdir(), 'gm-turns-cache-'));
    try {
      const base: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home };
      delete base.XDG_RUNTIME_DIR;
      delete base.XDG_CACHE_HOME;
      const envs = [
        { ...base, XDG_RUNTIME_DIR: runtime },
        base,
        { ...base, XDG_RUNTIME_DIR: path.join(runtime, 'gone', 'after', 'logout'), XDG_CACHE_HOME: cache },
      ];
      expect(await whoAmI(envs)).toEqual(USERS.map((u) => ({ email: u.email, wrong: 0 })));
    } finally {
      for (const d of [home, runtime, cache]) await rm(d, { recursive: true, force: true });
    }
  });
});
