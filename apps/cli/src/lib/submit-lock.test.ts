import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { processStart } from '@gm/core/node';
import { build } from 'tsdown';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { type LockHolder, lockKey, lockSubmission } from './submit-lock.js';

/** A folder inside the package, where a bundle's imports (`@gm/core/node`) resolve. */
const CLI_TMP = fileURLToPath(new URL('../../.tmp/', import.meta.url));

let locks: string;
beforeEach(async () => {
  locks = join(await mkdtemp(join(tmpdir(), 'gm-lock-')), 'locks');
});
afterEach(async () => {
  await rm(join(locks, '..'), { recursive: true, force: true });
});

/** A pid that surely runs no process: one that has exited. */
const deadPid = () =>
  Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());

/** The file a process `pid` holds (or waits for) the lock of project `name` with, as another process writes it. */
async function planted(pid: number, body: object | string, kind = 'hold', name = 'shot'): Promise<string> {
  const file = join(
    locks,
    `${lockKey(name)}.${'1'.repeat(16)}.${pid}.${Date.now().toString(36)}.0a1b2c3d.${kind}`,
  );
  await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

/** What a running process `pid` of this host writes: its id, host and start. */
const running = (pid: number) => ({ pid, host: hostname(), start: processStart(pid) });

describe('the submission lock', () => {
  it('is taken, held in a private folder, and released', async () => {
    const release = await lockSubmission(locks, 'shot');
    const [file, ...more] = await readdir(locks);
    expect(more).toEqual([]);
    expect(file).toMatch(new RegExp(`^${lockKey('shot')}\\..*\\.${process.pid}\\..*\\.hold$`));
    expect(JSON.parse(await readFile(join(locks, file as string), 'utf8'))).toEqual(running(process.pid));
    expect((await stat(locks)).mode & 0o777).toBe(0o700);
    // Another project is another lock.
    (await lockSubmission(locks, 'other'))();
    release();
    expect(await readdir(locks)).toEqual([]);
  });

  it('waits while a process that runs holds it, saying who, and takes it once released', async () => {
    await mkdir(locks, { recursive: true, mode: 0o700 });
    // The parent process runs: its lock is live.
    const theirs = await planted(process.ppid, running(process.ppid));
    const said: (LockHolder | undefined)[] = [];
    let taken = false;
    const waiting = lockSubmission(locks, 'shot', { onWait: (h) => said.push(h) }).then((release) => {
      taken = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(taken).toBe(false);
    expect(said).toEqual([expect.objectContaining({ pid: process.ppid, host: hostname() })]);
    await rm(theirs);
    (await waiting)();
    expect(taken).toBe(true);
  });

  // Windows gives no start time to tell a later process by.
  it.skipIf(process.platform === 'win32')(
    'takes at once a lock whose process ended (kill -9) or whose id runs another program now',
    async () => {
      await mkdir(locks, { recursive: true, mode: 0o700 });
      const said: unknown[] = [];
      await planted(deadPid(), running(process.pid));
      await planted(process.ppid, { ...running(process.ppid), start: 'another start' });
      (await lockSubmission(locks, 'shot', { onWait: (h) => said.push(h) }))();
      expect(said).toEqual([]);
      expect(await readdir(locks)).toEqual([]);
    },
  );

  it("a lock of another host's process (a shared config folder) is judged by its age: taken once unrefreshed a minute", async () => {
    await mkdir(locks, { recursive: true, mode: 0o700 });
    const theirs = await planted(process.pid, { pid: process.pid, host: 'render-07', start: 'x' });
    let taken = false;
    const waiting = lockSubmission(locks, 'shot').then((release) => {
      taken = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(taken).toBe(false);
    const old = new Date(Date.now() - 61_000);
    await utimes(theirs, old, old);
    (await waiting)();
    expect(await readdir(locks)).toEqual([]);
  });

  it('files that are not locks do not block it, and a link left behind is removed, never written through', async () => {
    await mkdir(locks, { recursive: true, mode: 0o700 });
    // What an older gm left (one file per project), and garbage.
    await writeFile(join(locks, `${lockKey('shot')}.lock`), JSON.stringify(running(process.ppid)));
    await writeFile(join(locks, 'notes.txt'), 'x');
    const elsewhere = join(locks, '..', 'precious');
    await writeFile(elsewhere, 'keep');
    const link = join(
      locks,
      `${lockKey('shot')}.${'1'.repeat(16)}.${deadPid()}.${Date.now().toString(36)}.0a1b2c3d.hold`,
    );
    await symlink(elsewhere, link);
    (await lockSubmission(locks, 'shot'))();
    expect(await readFile(elsewhere, 'utf8')).toBe('keep');
    expect((await readdir(locks)).sort()).toEqual([`${lockKey('shot')}.lock`, 'notes.txt'].sort());
  });

  it('a release leaves alone the lock of any other process', async () => {
    const release = await lockSubmission(locks, 'shot');
    const theirs = await planted(process.ppid, running(process.ppid), 'wait');
    release();
    expect(await readdir(locks)).toEqual([basename(theirs)]);
  });

  it('a wait ends when its signal aborts, with the signal reason, leaving nothing behind', async () => {
    await mkdir(locks, { recursive: true, mode: 0o700 });
    const theirs = await planted(process.ppid, running(process.ppid));
    const controller = new AbortController();
    const waiting = lockSubmission(locks, 'shot', { signal: controller.signal }).catch((e) => e);
    const reason = new Error('interrupted');
    setTimeout(() => controller.abort(reason), 50);
    expect(await waiting).toBe(reason);
    expect(await readdir(locks)).toEqual([basename(theirs)]);
  });
});

describe('the submission lock between real processes', () => {
  it('several processes racing over locks their killed holders left: never two holders at once', async () => {
    // The lock module as `gm` runs it, for child processes to import.
    await mkdir(CLI_TMP, { recursive: true });
    const bundle = await mkdtemp(join(CLI_TMP, 'lock-child-'));
    onTestFinished(() => rm(bundle, { recursive: true, force: true }));
    const out = join(bundle, 'bundle');
    await build({
      entry: { 'submit-lock': fileURLToPath(new URL('./submit-lock.ts', import.meta.url)) },
      outDir: out,
      format: 'esm',
      dts: false,
      config: false,
      logLevel: 'silent',
      sourcemap: false,
    });
    // A child takes the lock and marks itself inside with an exclusive file (a second holder finds it there: exit
    // 3), or ("crash") takes it and dies holding it, leaving it for the others to judge stale and race to take over.
    const inside = join(locks, '..', 'inside');
    // One process with a slow disk: each rename or removal waits 200 ms before it is done, and a rename 200 ms
    // after too. Whatever it judged left behind, it acts on late, after the others took the lock over.
    const slow = join(out, 'slow-disk.mjs');
    await writeFile(
      slow,
      `import fs from 'node:fs';
       import { syncBuiltinESMExports } from 'node:module';
       const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
       for (const name of ['renameSync', 'rmSync', 'unlinkSync']) {
         const real = fs[name];
         fs[name] = (...args) => {
           pause();
           try {
             return real(...args);
           } finally {
             if (name === 'renameSync') pause();
           }
         };
       }
       syncBuiltinESMExports();`,
    );
    const script = `
      import { rmSync, writeFileSync } from 'node:fs';
      import { setTimeout as sleep } from 'node:timers/promises';
      const { lockSubmission } = await import(${JSON.stringify(pathToFileURL(join(out, 'submit-lock.mjs')).href)});
      const [locks, inside, mode] = process.argv.slice(1);
      const release = await lockSubmission(locks, 'shot');
      if (mode === 'crash') process.exit(0);
      try {
        writeFileSync(inside, String(process.pid), { flag: 'wx' });
      } catch {
        console.error('two holders');
        process.exit(3);
      }
      await sleep(300);
      rmSync(inside);
      release();`;
    const child = (mode: 'crash' | 'race', slowDisk = false) =>
      new Promise<number | null>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          [
            ...(slowDisk ? ['--import', pathToFileURL(slow).href] : []),
            '--input-type=module',
            '-e',
            script,
            locks,
            inside,
            mode,
          ],
          { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'ignore', 'inherit'] },
        );
        p.on('error', reject);
        p.on('exit', (code) => resolve(code));
      });
    await mkdir(locks, { recursive: true, mode: 0o700 });
    const codes: (number | null)[] = [];
    for (let round = 0; round < 6; round++) {
      // A holder killed holding the lock, then four processes at once that all find it left behind.
      expect(await child('crash')).toBe(0);
      codes.push(...(await Promise.all([child('race', true), child('race'), child('race'), child('race')])));
    }
    expect(codes.filter((c) => c !== 0)).toEqual([]);
  }, 300_000);
});
