import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createColours, shouldColour, stripAnsi } from './colour.js';
import { cacheDir } from './completion-cache.js';
import { configDir, getProfile, readProfiles, removeProfile, saveProfile } from './config.js';
import { createOutput, type Io } from './output.js';
import { formatDuration, ProgressBar, renderBar } from './progress.js';
import { formatBytes, formatCredits, formatTable } from './table.js';

const sink = (isTTY = false) => {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 100, write: (t: string) => chunks.push(t) } };
};

describe('colour', () => {
  it('follows NO_COLOR, FORCE_COLOR, TERM=dumb, --no-color and the TTY', () => {
    expect(shouldColour({ isTTY: true }, {})).toBe(true);
    expect(shouldColour({ isTTY: false }, {})).toBe(false);
    expect(shouldColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColour({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldColour({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColour({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColour({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(shouldColour({ isTTY: true }, { FORCE_COLOR: '1' }, false)).toBe(false);
  });

  it('wraps text only when enabled', () => {
    expect(createColours(false).red('x')).toBe('x');
    expect(createColours(true).red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(stripAnsi(createColours(true).bold('hi'))).toBe('hi');
  });
});

describe('tables and numbers', () => {
  it('aligns columns, ignoring colour codes, and right-aligns numbers', () => {
    const c = createColours(true);
    const text = formatTable(
      [
        { n: 'a', v: 1 },
        { n: 'longer', v: 100 },
      ],
      [
        { header: 'NAME', value: (r) => r.n, paint: c.cyan },
        { header: 'V', value: (r) => String(r.v), align: 'right' },
      ],
    );
    expect(text).toContain(c.cyan('longer'));
    expect(stripAnsi(text).split('\n')).toEqual(['NAME      V', 'a         1', 'longer  100']);
  });

  it('escapes control characters in every cell before painting it', () => {
    const c = createColours(true);
    const text = formatTable(
      [{ n: 'shot\u001b]0;owned\u0007\u001b[2J\u009b\nx' }],
      [{ header: 'NAME', value: (r) => r.n, paint: c.cyan }],
    );
    const plain = stripAnsi(text);
    expect(plain.split('\n')).toEqual(['NAME', String.raw`shot\x1b]0;owned\x07\x1b[2J\x9b\x0ax`]);
    expect(plain).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('formats bytes and credits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(formatCredits(12.345)).toBe('12.35');
    expect(formatCredits(3)).toBe('3.00');
  });
});

describe('progress', () => {
  it('renders bars of the given width, clamped', () => {
    expect(renderBar(0.5, 4)).toBe('██░░');
    expect(renderBar(2, 3)).toBe('███');
    expect(renderBar(Number.NaN, 2)).toBe('░░');
  });

  it('redraws in place on a terminal', () => {
    const { chunks, stream } = sink(true);
    const bar = new ProgressBar(stream, { label: 'Up', total: 10 });
    bar.update(5);
    bar.update(10);
    bar.done();
    expect(chunks.filter((c) => c.startsWith('\r\x1b[2K')).length).toBe(3);
    expect(chunks.at(-1)).toBe('\n');
    expect(chunks.at(-2)).toContain('100%');
  });

  it('writes plain lines at steps on a non-terminal, and no carriage returns', () => {
    const { chunks, stream } = sink(false);
    const bar = new ProgressBar(stream, { label: 'Frames', total: 100 });
    for (let i = 0; i <= 100; i += 5) bar.update(i);
    bar.done();
    expect(chunks.join('')).not.toContain('\r');
    expect(chunks.map((c) => c.match(/(\d+)%/)?.[1])).toEqual(['0', '25', '50', '75', '100']);
  });
});

describe('progress rate and time left', () => {
  it('shows the rate and the time left once measurable, from a clock it is given', () => {
    const { chunks, stream } = sink(false);
    let now = 0;
    const bar = new ProgressBar(stream, {
      label: 'Frames',
      total: 100,
      lineStepPercent: 10,
      format: (d, t) => `${d}/${t} frames`,
      rate: (r) => `${r.toFixed(1)} frames/s`,
      now: () => now,
    });
    bar.update(0);
    expect(bar.rate).toBeUndefined();
    expect(chunks.at(-1)).toBe('Frames 0% 0/100 frames\n');
    now = 5_000;
    bar.update(10);
    expect(bar.rate).toBe(2);
    expect(bar.secondsLeft).toBe(45);
    expect(chunks.at(-1)).toBe('Frames 10% 10/100 frames  2.0 frames/s, 45s left\n');
    now = 10_000;
    bar.update(30);
    expect(chunks.at(-1)).toBe('Frames 30% 30/100 frames  3.0 frames/s, 23s left\n');
    // The rate looks back 10 seconds, not to the start: 10 frames in the last second.
    now = 30_000;
    bar.update(40);
    now = 31_000;
    bar.update(50);
    expect(bar.rate).toBe(10);
    bar.done();
    expect(chunks.join('')).not.toMatch(/[█░\r]/);
  });

  it('work that ends short of its total (a budget stop): no second final line, no time left after the end', () => {
    let now = 0;
    const plain = sink(false);
    const bar = new ProgressBar(plain.stream, { label: 'Frames', total: 10, now: () => now });
    bar.update(0);
    now = 2_000;
    bar.update(5);
    expect(plain.chunks.at(-1)).toBe('Frames 50% 5/10  2.5/s, 2s left\n');
    bar.done();
    expect(plain.chunks.filter((c) => c.includes('50%'))).toHaveLength(1);
    const tty = sink(true);
    now = 0;
    const drawn = new ProgressBar(tty.stream, { label: 'Frames', total: 10, now: () => now });
    drawn.update(0);
    now = 2_000;
    drawn.update(5);
    expect(tty.chunks.at(-1)).toContain('left');
    drawn.done();
    expect(tty.chunks.at(-2)).toContain('5/10');
    expect(tty.chunks.at(-2)).not.toContain('left');
  });

  it('formats durations and forgets the past when the amount goes back', () => {
    expect(formatDuration(0.4)).toBe('0s');
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(65)).toBe('1m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
    let now = 0;
    const bar = new ProgressBar(sink(true).stream, { label: 'x', total: 10, now: () => now });
    bar.update(5);
    now = 1000;
    bar.update(8);
    expect(bar.rate).toBe(3);
    now = 2000;
    bar.update(1, 10);
    expect(bar.rate).toBeUndefined();
  });
});

describe('output', () => {
  const io = (): Io & { out: string[]; err: string[] } => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      stdin: process.stdin,
      env: {},
      cwd: '/',
    };
  };

  it('prints text, or only JSON with --json', () => {
    const plain = io();
    createOutput(plain).print('hello');
    expect(plain.out).toEqual(['hello\n']);
    const json = io();
    const o = createOutput(json, { json: true });
    o.print('hidden');
    o.printJson({ a: 1 });
    o.event({ event: 'x', b: 2 });
    expect(json.out[0]).toBe('{\n  "a": 1\n}\n');
    // An event: its name, then the time it was printed at, then its fields, on one line.
    const event = JSON.parse(json.out[1] ?? '');
    expect(Object.keys(event)).toEqual(['event', 'time', 'b']);
    expect(new Date(event.time).toISOString()).toBe(event.time);
    expect(json.out[1]).toMatch(/^\{"event":"x","time":"[^"]+","b":2\}\n$/);
  });

  it('keeps progress off stdout and silent with --json or --quiet', () => {
    const s = io();
    createOutput(s, { quiet: true }).progress({ label: 'x', total: 1 }).update(1);
    createOutput(s, { json: true }).progress({ label: 'x', total: 1 }).update(1);
    expect(s.err).toEqual([]);
    expect(s.out).toEqual([]);
  });
});

describe('profiles', () => {
  it('finds the config folder per platform', () => {
    expect(configDir({ GM_CONFIG_DIR: '/c' }, 'linux')).toBe('/c');
    expect(configDir({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe(join('/x', 'gm'));
    expect(configDir({ APPDATA: 'C:/Users/a/AppData/Roaming' }, 'win32')).toBe(
      join('C:/Users/a/AppData/Roaming', 'gm'),
    );
    expect(configDir({ HOME: '/h' }, 'darwin').endsWith(join('.config', 'gm'))).toBe(true);
  });

  it('ignores a relative XDG_CONFIG_HOME or XDG_CACHE_HOME (profiles never land in the folder gm runs in)', () => {
    expect(configDir({ XDG_CONFIG_HOME: '.config' }, 'linux')).toBe(join(homedir(), '.config', 'gm'));
    expect(cacheDir({ XDG_CACHE_HOME: 'cache' }, 'linux')).toBe(join(homedir(), '.cache', 'gm'));
    expect(cacheDir({ XDG_CACHE_HOME: '/x' }, 'linux')).toBe(join('/x', 'gm'));
  });

  it('saves with mode 0600, reads back and removes profiles', async () => {
    const env = { GM_CONFIG_DIR: await mkdtemp(join(tmpdir(), 'gm-profiles-')) };
    const path = await saveProfile('default', { email: 'a@b.c', accessKey: 'k' }, env);
    await saveProfile('work', { email: 'w@b.c', accessKey: 'k2', url: 'http://x' }, env);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await getProfile('work', env)).toEqual({ email: 'w@b.c', accessKey: 'k2', url: 'http://x' });
    expect(Object.keys((await readProfiles(env)).profiles)).toEqual(['default', 'work']);
    expect(await removeProfile('work', env)).toBe(true);
    expect(await removeProfile('work', env)).toBe(false);
    expect(JSON.parse(await readFile(path, 'utf8')).profiles.work).toBeUndefined();
    expect(await getProfile('toString', env)).toBeUndefined();
  });

  it('stores a profile under any name, "__proto__" and "constructor" included', async () => {
    const env = { GM_CONFIG_DIR: await mkdtemp(join(tmpdir(), 'gm-profiles-')) };
    for (const name of ['__proto__', 'constructor']) {
      await saveProfile(name, { email: `${name}@b.c`, accessKey: 'k' }, env);
    }
    expect(await getProfile('__proto__', env)).toEqual({ email: '__proto__@b.c', accessKey: 'k' });
    expect(await getProfile('constructor', env)).toEqual({ email: 'constructor@b.c', accessKey: 'k' });
    expect(await removeProfile('__proto__', env)).toBe(true);
    expect(await getProfile('__proto__', env)).toBeUndefined();
    expect(await getProfile('constructor', env)).toBeDefined();
  });
});
