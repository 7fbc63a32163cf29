import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LockHolder, lockPath, lockSubmission } from './submit-lock.js';

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

const holder = (pid: number): LockHolder => ({
  pid,
  host: hostname(),
  started: new Date().toISOString(),
  project: 'shot',
});

describe('the submission lock', () => {
  it('is taken, held in a private folder, and released', async () => {
    const release = await lockSubmission(locks, 'shot');
    const held = JSON.parse(await readFile(lockPath(locks, 'shot'), 'utf8')) as LockHolder;
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), project: 'shot' });
    // Another project is another lock.
    (await lockSubmission(locks, 'other'))();
    release();
    expect(await readdir(locks)).toEqual([]);
  });

  it('waits while a live process holds it, saying who, and takes it once released', async () => {
    // The parent process runs: its lock is live.
    await lockSubmission(locks, 'x'); // makes the folder
    await writeFile(lockPath(locks, 'shot'), JSON.stringify(holder(process.ppid)));
    const said: (LockHolder | undefined)[] = [];
    let taken = false;
    const waiting = lockSubmission(locks, 'shot', { onWait: (h) => said.push(h) }).then((release) => {
      taken = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(taken).toBe(false);
    expect(said).toEqual([expect.objectContaining({ pid: process.ppid })]);
    await rm(lockPath(locks, 'shot'));
    (await waiting)();
    expect(taken).toBe(true);
  });

  it('takes at once a lock whose process ended (kill -9), or that was not refreshed for minutes', async () => {
    await lockSubmission(locks, 'x');
    await writeFile(lockPath(locks, 'shot'), JSON.stringify(holder(deadPid())));
    const said: unknown[] = [];
    (await lockSubmission(locks, 'shot', { onWait: (h) => said.push(h) }))();
    await writeFile(lockPath(locks, 'shot'), JSON.stringify(holder(process.ppid)));
    const old = new Date(Date.now() - 120_000);
    await utimes(lockPath(locks, 'shot'), old, old);
    (await lockSubmission(locks, 'shot', { onWait: (h) => said.push(h) }))();
    expect(said).toEqual([]);
  });

  it('takes a stale lock that is garbage, a folder or a link, and never writes through the link', async () => {
    (await lockSubmission(locks, 'x'))(); // makes the folder
    const path = lockPath(locks, 'shot');
    const old = new Date(Date.now() - 120_000);
    await writeFile(path, 'not json \u0000');
    await utimes(path, old, old);
    (await lockSubmission(locks, 'shot'))();
    await mkdir(join(path, 'inside'), { recursive: true });
    await utimes(path, old, old);
    (await lockSubmission(locks, 'shot'))();
    const elsewhere = join(locks, '..', 'precious');
    await writeFile(elsewhere, 'keep');
    await utimes(elsewhere, old, old);
    await symlink(elsewhere, path);
    (await lockSubmission(locks, 'shot'))();
    expect(await readFile(elsewhere, 'utf8')).toBe('keep');
    expect(await readdir(locks)).toEqual([]);
  });

  it('a release leaves alone a lock another process took meanwhile', async () => {
    const release = await lockSubmission(locks, 'shot');
    const theirs = JSON.stringify(holder(process.ppid));
    await writeFile(lockPath(locks, 'shot'), theirs);
    release();
    expect(await readFile(lockPath(locks, 'shot'), 'utf8')).toBe(theirs);
  });

  it('a wait ends when its signal aborts, with the signal reason', async () => {
    await lockSubmission(locks, 'x');
    await writeFile(lockPath(locks, 'shot'), JSON.stringify(holder(process.ppid)));
    const controller = new AbortController();
    const waiting = lockSubmission(locks, 'shot', { signal: controller.signal }).catch((e) => e);
    const reason = new Error('interrupted');
    setTimeout(() => controller.abort(reason), 50);
    expect(await waiting).toBe(reason);
  });
});
