// End-to-end tests of `gm` for daily use (issue 14): exit codes and hints, safe pipes, help, tables, progress,
// completion, config, init and login from standard input; the real binary against an emulator.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMO_USER, startEmulator } from '@gm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, gm, jsonLines, SAMPLE, sampleJobFile, tempDir } from './helpers.js';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let work: string;
let env: Record<string, string>;
let creds: Record<string, string>;

beforeAll(async () => {
  assertBuilt();
  // Credits enough for every test here, the long project of the pipe test included.
  emulator = await startEmulator({
    port: 0,
    dataDir: await tempDir('gm-daily-envoy-'),
    timeScale: 0.01,
    users: [{ ...DEMO_USER, credits: 1_000_000 }],
  });
  work = await tempDir('gm-daily-work-');
  env = { GM_CONFIG_DIR: await tempDir('gm-daily-config-'), GM_ENVOY_URL: emulator.url };
  creds = { ...env, GM_EMAIL: DEMO_USER.email, GM_ACCESS_KEY: DEMO_USER.accessKey };
  // One finished project for the lists below.
  const file = join(work, 'done.yaml');
  await writeFile(file, sampleJobFile('daily_done', { results: join(work, 'results-done') }));
  const r = await gm(['submit', file, '--watch', '--interval', '50'], creds);
  if (r.code !== 0) throw new Error(r.stderr);
});

afterAll(async () => {
  await emulator?.close();
});

const errorOf = (stdout: string) => (JSON.parse(stdout) as { error: Record<string, unknown> }).error;

describe('exit codes and hints', () => {
  it('an unknown project is bad input (2), pointing at gm projects and at the nearest name', async () => {
    const r = await gm(['status', 'no_such_project'], creds);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Envoy has no project named "no_such_project"');
    expect(r.stderr).toContain('`gm projects`');
    const near = await gm(['status', 'daily_dne', '--json'], creds);
    expect(near.code).toBe(2);
    expect(errorOf(near.stdout)).toMatchObject({ exitCode: 2, hint: expect.stringContaining('daily_done') });
    const watch = await gm(['status', 'no_such_project', '--watch'], creds);
    expect(watch.code).toBe(2);
    const files = await gm(['files', 'no_such_project'], creds);
    expect(files.code).toBe(2);
    expect(files.stderr).toContain('`gm projects`');
  });

  it('an unknown product type is bad input (2) with "did you mean"', async () => {
    const r = await gm(['products', '--type', 'blendr'], creds);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Did you mean blender?');
    const ok = await gm(['products', '--type', 'blender'], creds);
    expect(ok.code).toBe(0);
    expect(ok.stdout.split('\n')).toContain('4.2');
  });

  it('a URL that is not http(s) is bad input (2), naming where it came from', async () => {
    const flag = await gm(['whoami', '--url', 'notaurl'], creds);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('"notaurl" (from --url)');
    const fromEnv = await gm(['whoami'], { ...creds, GM_ENVOY_URL: 'ftp://example.com' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('(from GM_ENVOY_URL)');
    const noScheme = await gm(['projects', '--url', 'localhost:8090'], creds);
    expect(noScheme.code).toBe(2);
    expect(noScheme.stderr).toContain('Did you mean http://localhost:8090?');
  });

  it('the emulator on a busy port says the port is taken and suggests --port 0 (2)', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const { port } = busy.address() as { port: number };
    try {
      const r = await gm(['emulator', '--port', String(port)], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Port ${port} on 127.0.0.1 is taken`);
      expect(r.stderr).toContain('--port 0');
      expect(r.stderr).not.toContain('unexpected');
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('gm machines with an unknown product says so once and points at gm products', async () => {
    const r = await gm(['machines', 'blendr'], creds);
    expect(r.code).toBe(2);
    expect(r.stderr.match(/blendr/g)).toHaveLength(1);
    expect(r.stderr).toContain('Did you mean blender?');
    expect(r.stderr).toContain('gm products');
    expect(r.stderr).not.toContain('gm validate');
  });
});

describe('pipes and interruptions', () => {
  it('gm status --watch --json | head -1 ends quietly when the reader goes away', async () => {
    const file = join(work, 'long.yaml');
    await writeFile(file, sampleJobFile('daily_long', { frames: '1 1000', instances: 1 }));
    const submitted = await gm(['submit', file], creds);
    expect(submitted.code, submitted.stderr).toBe(0);
    const child = spawn(
      process.execPath,
      [BIN, 'status', 'daily_long', '--watch', '--json', '--interval', '20'],
      { env: { ...process.env, ...creds, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let first = '';
    child.stdout.on('data', (d) => {
      first += d;
      // Like `head -1`: read one line, then close the pipe while gm keeps writing.
      if (first.includes('\n')) child.stdout.destroy();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(JSON.parse(first.split('\n')[0]!)).toMatchObject({ event: 'status', project: 'daily_long' });
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(code).toBe(0);
  });
});

describe('help', () => {
  it('every command help lists the global options', async () => {
    for (const command of ['login', 'status', 'submit', 'init', 'config']) {
      const r = await gm([command, '--help']);
      expect(r.code).toBe(0);
      for (const option of ['--url', '--profile', '--json', '--no-color', '--quiet'])
        expect(r.stdout, command).toContain(option);
    }
    const viaHelp = await gm(['help', 'login']);
    expect(viaHelp.stdout).toContain('--access-key-stdin');
    expect(viaHelp.stdout).toContain('--profile');
  });
});

describe('lists', () => {
  it('gm projects shows each project state', async () => {
    const r = await gm(['projects'], creds);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/daily_done\s+Completed\s+\d+/);
    const json = JSON.parse((await gm(['projects', '--json'], creds)).stdout) as {
      name: string;
      state: string;
    }[];
    expect(json.find((p) => p.name === 'daily_done')?.state).toBe('Completed');
  });

  it('gm files lists files sorted, with the SHA-256 of each', async () => {
    const r = await gm(['files', 'daily_done'], creds);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/FILE\s+SIZE\s+MODIFIED\s+CHECKSUM/);
    const keys = rows.slice(1).map((l) => l.split(/\s+/)[0]!);
    expect(keys).toEqual([...keys].sort());
    const scene = rows.find((l) => l.startsWith('/daily_done/scene.blend'))!;
    const sha = createHash('sha256')
      .update(await readFile(join(SAMPLE, 'scene.blend')))
      .digest('hex');
    expect(scene.split(/\s+/).at(-1)).toBe(sha);
  });

  it('gm products lists products before plugins', async () => {
    const r = await gm(['products'], creds);
    const kinds = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => (/\splugin\s/.test(l) ? 'plugin' : 'product'));
    expect(kinds[0]).toBe('product');
    expect(kinds.indexOf('plugin')).toBeGreaterThan(kinds.lastIndexOf('product'));
  });

  it('default submission names use a 12-hour clock with AM/PM', async () => {
    const file = join(work, 'named.yaml');
    await writeFile(file, sampleJobFile('daily_named'));
    const r = await gm(['submit', file, '--dry-run'], creds);
    const name = (JSON.parse(r.stdout) as { project_request: { name: string } }).project_request.name;
    expect(name).toMatch(/^daily_named \d{4}-[A-Z][a-z]{2}-\d{2} (0[1-9]|1[0-2]):[0-5]\d:[0-5]\d (AM|PM)$/);
  });
});

describe('progress', () => {
  it('without a terminal, progress is plain lines with a rate and no bar characters', async () => {
    const file = join(work, 'plain.yaml');
    // One instance of 10 ms frames: 400 ms of rendering, long enough for the rate (sampled over 200 ms or more)
    // to be known before the last lines whatever the emulator's own overhead.
    await writeFile(file, sampleJobFile('daily_plain', { frames: '1 40', instances: 1 }));
    const r = await gm(['submit', file, '--watch', '--interval', '30'], creds);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/[█░\r]/);
    expect(r.stderr).toMatch(/^Frames \d+% \d+\/40 frames/m);
    expect(r.stderr).toMatch(/frames\/(s|min)/);
    expect(r.stderr).toMatch(/\d+(s|m \d\ds) left/);
  });
});

describe('gm completion', () => {
  /** A folder with `gm` and `gridmarkets` on it, as an installed command line puts them on PATH. */
  let shims: string;
  beforeAll(async () => {
    shims = await tempDir('gm-daily-shims-');
    for (const name of ['gm', 'gridmarkets']) await symlink(BIN, join(shims, name));
  });
  const complete = async (
    script: string,
    line: string[],
    options: { env?: Record<string, string>; cwd?: string } = {},
  ) => {
    const file = join(work, 'gm-completion.bash');
    await writeFile(file, script);
    const words = line.map((w) => `'${w}'`).join(' ');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        'bash',
        [
          '-c',
          `source "$1"; COMP_WORDS=(${words}); COMP_CWORD=${line.length - 1}; _gm_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
          'bash',
          file,
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
          cwd: options.cwd ?? work,
          env: { ...process.env, PATH: `${shims}${delimiter}${process.env.PATH ?? ''}`, ...options.env },
        },
      );
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(0);
    return r.out.split('\n').filter(Boolean);
  };

  it('bash completes commands, options, option values and product codes', async () => {
    const r = await gm(['completion', 'bash']);
    expect(r.code).toBe(0);
    expect(await complete(r.stdout, ['gm', 'ma'])).toEqual(['machines']);
    expect(await complete(r.stdout, ['gm', 'machines', 'b'])).toEqual(['blender']);
    expect(await complete(r.stdout, ['gm', 'login', '--access-key-'])).toEqual(['--access-key-stdin']);
    expect(await complete(r.stdout, ['gm', '--json', 'submit', '--budget-action', ''])).toEqual([
      'stop',
      'suspend',
      'alert',
    ]);
    expect(await complete(r.stdout, ['gm', 'submit', '--product', 'c'])).toEqual(['c4d']);
    expect(await complete(r.stdout, ['gm', 'completion', 'z'])).toEqual(['zsh']);
    expect(await complete(r.stdout, ['gm', 'status', '--'])).toContain('--watch');
    // The same program under its long name completes the same way.
    expect(await complete(r.stdout, ['gridmarkets', 'ma'])).toEqual(['machines']);
    expect(r.stdout).toMatch(/^complete .*-F _gm_completion gm gridmarkets$/m);
  });

  it('bash completes project names, machine types, types and plugins from Envoy, and scene files for init', async () => {
    const script = (await gm(['completion', 'bash'])).stdout;
    const live = { env: { ...creds, GM_CACHE_DIR: await tempDir('gm-daily-cache-') } };
    expect(await complete(script, ['gm', 'status', 'daily_d'], live)).toEqual(['daily_done']);
    expect(await complete(script, ['gridmarkets', 'files', 'daily_d'], live)).toEqual(['daily_done']);
    expect(await complete(script, ['gm', 'products', '--type', 'hou_r'], live)).toEqual(['hou_redshift']);
    expect(await complete(script, ['gm', 'submit', '--plugin', 'hou_r'], live)).toEqual(['hou_redshift']);
    const machines = await complete(script, ['gm', 'submit', '--product', 'blender', '--machine', ''], live);
    expect(machines).toContain('gm4800');
    expect(machines.every((m) => /^[\w.-]+$/.test(m))).toBe(true);
    const scenes = join(work, 'scenes');
    await mkdir(join(scenes, 'shots'), { recursive: true });
    for (const f of ['a.blend', 'b.nk', 'notes.txt', 'c.hipnc']) await writeFile(join(scenes, f), '');
    expect((await complete(script, ['gm', 'init', ''], { cwd: scenes })).sort()).toEqual([
      'a.blend',
      'b.nk',
      'c.hipnc',
      'shots',
    ]);
    // No Envoy: nothing to offer, no error at the prompt (and no wait past the short time limit).
    const down = {
      env: { ...creds, GM_ENVOY_URL: 'http://127.0.0.1:9', GM_CACHE_DIR: await tempDir('gm-daily-cache-') },
    };
    expect(await complete(script, ['gm', 'status', ''], down)).toEqual([]);
    // The values command is for the scripts: not in help, nor offered as a command.
    expect((await gm(['--help'])).stdout).not.toContain('__complete');
    expect(await complete(script, ['gm', '__'])).toEqual([]);
  });

  it('gm __complete prints only printable values, and keeps answers for a while in the cache folder', async () => {
    const cache = await tempDir('gm-daily-cache-');
    const env = { ...creds, GM_CACHE_DIR: cache };
    const first = await gm(['__complete', 'projects', 'daily_do'], env);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n')).toContain('daily_done');
    const file = join(cache, 'completion.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // A fresh cached answer is used as it is: a value only the cache holds is offered; control characters never.
    const cached = JSON.parse(await readFile(file, 'utf8')) as Record<string, { values: string[] }>;
    const [key] = Object.keys(cached).filter((k) => k.endsWith('\u0000projects'));
    expect(key).toContain(emulator.url);
    cached[key!]!.values.push('daily_do_cached_only', 'daily_do_\u001b]0;evil\u0007');
    await writeFile(file, JSON.stringify(cached));
    const again = await gm(['__complete', 'projects', 'daily_do'], env);
    expect(again.stdout.split('\n').filter(Boolean)).toEqual(['daily_do_cached_only', 'daily_done']);
    const bad = await gm(['__complete', 'colours'], env);
    expect(bad.code).toBe(2);
  });

  it('bash offers values from Envoy as one quoted word each: no command, glob or space in a name acts', async () => {
    const script = (await gm(['completion', 'bash'])).stdout;
    const cache = await tempDir('gm-daily-cache-');
    const env = { ...creds, GM_CACHE_DIR: cache };
    expect((await gm(['__complete', 'projects', 'daily_d'], env)).code).toBe(0);
    // Project names may hold ; $ ( ) * and spaces (Envoy makes folders of them): a name must not end the command.
    const file = join(cache, 'completion.json');
    const cached = JSON.parse(await readFile(file, 'utf8')) as Record<string, { values: string[] }>;
    const [key] = Object.keys(cached).filter((k) => k.endsWith('\u0000projects'));
    cached[key!]!.values = ['daily_x;touch pwned', 'daily_$(id)', 'daily_*', 'daily_a b'];
    await writeFile(file, JSON.stringify(cached));
    const here = await tempDir('gm-daily-here-');
    await writeFile(join(here, 'daily_file'), '');
    const offered = await complete(script, ['gm', 'status', 'daily_'], { env, cwd: here });
    expect(offered.sort()).toEqual([
      'daily_\\$\\(id\\)',
      'daily_\\*',
      'daily_a\\ b',
      'daily_x\\;touch\\ pwned',
    ]);
  });

  it('zsh and fish scripts name every command, its options and the product codes', async () => {
    const zsh = await gm(['completion', 'zsh']);
    const fish = await gm(['completion', 'fish']);
    expect(zsh.stdout.startsWith('#compdef gm gridmarkets\n')).toBe(true);
    expect(fish.stdout).toContain('complete -c gridmarkets -w gm');
    expect(zsh.stdout).toContain("'init:write a job file");
    expect(zsh.stdout).toContain("'--access-key-stdin:read the access key");
    expect(zsh.stdout).toContain('compadd -- blender c4d hou maya nuke vray');
    expect(fish.stdout).toContain("complete -c gm -n __fish_use_subcommand -a completion -d 'print a shell");
    expect(fish.stdout).toContain(
      "complete -c gm -n '__fish_seen_subcommand_from login' -l access-key-stdin",
    );
    expect(fish.stdout).toContain("-l budget-action -x -a 'stop suspend alert'");
    // Values from Envoy through the program the user typed (gm may be GraphicsMagick where gridmarkets is ours).
    // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh's own parameter syntax, not a template
    expect(zsh.stdout).toContain('"${words[1]}" __complete "$1"');
    expect(zsh.stdout).toContain('status) if [[ "$cur" == -* ]]; then');
    expect(zsh.stdout).toMatch(
      /init\) .*_files -g '\*\.\(blend\|c4d\|hip\|hipnc\|hiplc\|ma\|mb\|nk\|vrscene\)'/,
    );
    expect(fish.stdout).toContain("-l machine -x -a '(__gm_values machines)'");
    expect(fish.stdout).toContain(
      "complete -c gm -n '__fish_seen_subcommand_from status' -x -a '(__gm_values projects)'",
    );
    expect(fish.stdout).toContain('$words[1] __complete $argv[1]');
    const bad = await gm(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bash, zsh, fish');
  });
});

describe('gm config', () => {
  it('shows the profile, the URL and where it came from, and the config file', async () => {
    const configDir = await tempDir('gm-daily-cfg-');
    const base = { GM_CONFIG_DIR: configDir };
    const none = JSON.parse((await gm(['config', '--json'], base)).stdout);
    expect(none).toMatchObject({
      profile: { name: 'default', source: 'default', stored: false },
      url: { value: 'http://localhost:8090', source: 'default' },
      accessKey: { set: false },
      configFile: { path: join(configDir, 'profiles.json'), exists: false },
    });
    const login = await gm(
      ['login', '--url', emulator.url, '--email', DEMO_USER.email, '--profile', 'work', '--access-key-stdin'],
      base,
      `${DEMO_USER.accessKey}\n`,
    );
    expect(login.code, login.stderr).toBe(0);
    const stored = JSON.parse((await gm(['config', '--json', '--profile', 'work'], base)).stdout);
    expect(stored).toMatchObject({
      profile: { name: 'work', source: 'flag', stored: true },
      url: { value: emulator.url, source: 'profile' },
      email: { value: DEMO_USER.email, source: 'profile' },
      accessKey: { set: true, source: 'profile' },
      configFile: { exists: true, profiles: ['work'] },
    });
    expect(JSON.stringify(stored)).not.toContain(DEMO_USER.accessKey);
    const fromEnv = await gm(['config'], { ...base, GM_PROFILE: 'work', GM_ENVOY_URL: 'http://127.0.0.1:1' });
    expect(fromEnv.stdout).toMatch(/Envoy URL\s+http:\/\/127\.0\.0\.1:1 \(from GM_ENVOY_URL\)/);
    expect(fromEnv.stdout).toMatch(/Profile\s+work \(from the environment\)/);
    expect(fromEnv.stdout).toContain(join(configDir, 'profiles.json'));
    const flag = await gm(['config', '--url', 'http://example.test:9'], base);
    expect(flag.stdout).toMatch(/Envoy URL\s+http:\/\/example\.test:9 \(from --url\)/);

    // A URL with a password is shown redacted, and its problem is said, in text and in JSON.
    const secret = await gm(['config', '--url', 'http://me:pa55word@example.test:9'], base);
    expect(secret.stdout).toMatch(/Envoy URL\s+http:\/\/\[REDACTED\]@example\.test:9 \(from --url\) refused/);
    expect(secret.stdout).toContain('holds a user name or password');
    const secretJson = await gm(['config', '--json', '--url', 'http://me:pa55word@example.test:9'], base);
    expect(JSON.parse(secretJson.stdout).url).toMatchObject({
      value: 'http://[REDACTED]@example.test:9',
      problem: expect.stringContaining('holds a user name or password'),
    });
    expect(secret.stdout + secret.stderr + secretJson.stdout + secretJson.stderr).not.toContain('pa55word');
  });
});

describe('gm login --access-key-stdin', () => {
  it('reads the key from standard input; refuses a wrong one (3), none (2) and no email (2)', async () => {
    const configDir = await tempDir('gm-daily-stdin-');
    const base = { GM_CONFIG_DIR: configDir, GM_ENVOY_URL: emulator.url };
    const ok = await gm(
      ['login', '--email', DEMO_USER.email, '--access-key-stdin'],
      base,
      `${DEMO_USER.accessKey}\n`,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('');
    expect(ok.stderr).toContain(`Logged in as ${DEMO_USER.email}`);
    // -q: nothing to say when all went well.
    const quiet = await gm(
      ['login', '-q', '--email', DEMO_USER.email, '--access-key-stdin'],
      base,
      `${DEMO_USER.accessKey}\n`,
    );
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(`${quiet.stdout}${quiet.stderr}`).toBe('');
    const profiles = JSON.parse(await readFile(join(configDir, 'profiles.json'), 'utf8'));
    expect(profiles.profiles.default).toMatchObject({
      email: DEMO_USER.email,
      accessKey: DEMO_USER.accessKey,
    });
    const whoami = await gm(['whoami', '--json'], base);
    expect(whoami.code).toBe(0);
    const wrong = await gm(
      ['login', '--email', DEMO_USER.email, '--access-key-stdin', '--profile', 'x'],
      base,
      'nope\n',
    );
    expect(wrong.code).toBe(3);
    const empty = await gm(
      ['login', '--email', DEMO_USER.email, '--access-key-stdin', '--profile', 'x'],
      base,
      '',
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no access key');
    const noEmail = await gm(['login', '--access-key-stdin'], base, `${DEMO_USER.accessKey}\n`);
    expect(noEmail.code).toBe(2);
    expect(noEmail.stderr).toContain('--email');
  });
});

describe('gm init', () => {
  it('writes a job file gm validate accepts, and refuses to overwrite it without --force', async () => {
    const dir = join(work, 'init');
    await mkdir(join(dir, 'shot'), { recursive: true });
    await writeFile(join(dir, 'shot', 'shot 10.blend'), await readFile(join(SAMPLE, 'scene.blend')));
    await cp(join(SAMPLE, 'textures'), join(dir, 'shot', 'textures'), { recursive: true });
    const r = await gm(['init', 'shot/shot 10.blend', '--frames', '1 5'], { ...creds }, undefined, dir);
    expect(r.code, r.stderr).toBe(0);
    // The scan of the scene lists the files it needs, all inside the project folder.
    expect(r.stderr).toContain('needs 3 file(s), all present in the project folder');
    const text = await readFile(join(dir, 'job.yaml'), 'utf8');
    for (const texture of ['checker.png', 'metal.png', 'wood.png']) {
      expect(text).toContain(`#   "textures/${texture}"`);
    }
    expect(text.split('\n')[0]).toMatch(
      /^# yaml-language-server: \$schema=.*schema\/job-file\.schema\.json$/,
    );
    // The sample scene was saved with Blender 3.4, which the emulator does not offer: the nearest newer one.
    expect(text).toContain(
      'appVersion: "3.6" # the scene was saved with 3.4, not offered: the nearest newer version',
    );
    expect(r.stderr).toContain('blender 3.6: the scene was saved with 3.4');
    expect(text).toContain('machineType: "gm4800"');
    expect(text).toContain('frames: "1 5"');
    expect(text).toContain('outputFormat: "PNG"');
    const schemaLine = text.split('\n')[0]!.replace('# yaml-language-server: $schema=', '');
    expect((await stat(join(dir, schemaLine))).isFile()).toBe(true);
    const valid = await gm(['validate', 'job.yaml', '--json'], creds, undefined, dir);
    expect(valid.code, valid.stderr).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({
      valid: true,
      totalFrames: 5,
      jobs: [{ product: 'blender' }],
    });
    const again = await gm(['init', 'shot/shot 10.blend'], creds, undefined, dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(await readFile(join(dir, 'job.yaml'), 'utf8')).toBe(text);
    const forced = await gm(
      ['init', 'shot/shot 10.blend', '--force', '--frames', '2 3'],
      creds,
      undefined,
      dir,
    );
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'job.yaml'), 'utf8')).toContain('frames: "2 3"');
    const other = await gm(
      ['init', 'shot/shot 10.blend', '--out', 'other.yaml', '--version', '3.6', '--machine', 'gm6400'],
      env,
      undefined,
      dir,
    );
    expect(other.code, other.stderr).toBe(0);
    expect(await readFile(join(dir, 'other.yaml'), 'utf8')).toContain('appVersion: "3.6"');
    await writeFile(join(dir, 'notes.txt'), 'x');
    const unknown = await gm(['init', 'notes.txt'], creds, undefined, dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('.blend');
    // A texture missing from the project folder is named at once, in the output and in the job file.
    await rm(join(dir, 'shot', 'textures', 'wood.png'));
    const missing = await gm(
      ['init', 'shot/shot 10.blend', '--out', 'missing.yaml', '--json'],
      creds,
      undefined,
      dir,
    );
    expect(missing.code, missing.stderr).toBe(0);
    const files = (JSON.parse(missing.stdout) as { sceneFiles: { path: string; problem?: string }[] })
      .sceneFiles;
    expect(files.filter((f) => f.problem).map((f) => [f.path, f.problem])).toEqual([
      ['//textures/wood.png', 'missing on disk'],
    ]);
    expect(await readFile(join(dir, 'missing.yaml'), 'utf8')).toContain(
      '#   "textures/wood.png"  <- missing on disk',
    );
  });
});

describe('json lines', () => {
  it('gm submit --watch --json ends with a done event holding the state, credits and result paths', async () => {
    const results = join(work, 'results-json');
    const file = join(work, 'json.yaml');
    await writeFile(file, sampleJobFile('daily_json', { results }));
    const r = await gm(['submit', file, '--watch', '--json', '--interval', '30'], creds);
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    const done = events.at(-1)!;
    expect(done).toMatchObject({
      event: 'done',
      state: 'Completed',
      creditsSpent: 4,
      resultFolders: [results],
    });
    expect((done.results as string[]).every((f) => f.startsWith(results))).toBe(true);
    expect(done.results).toHaveLength(4);
    expect(Date.parse(String(done.time))).not.toBeNaN();
  });
});

describe('start-up', () => {
  it('gm --version and gm --help load no command, no client, no emulator, no YAML or schema code', async () => {
    const hooks = join(work, 'hooks.mjs');
    const register = join(work, 'register.mjs');
    await writeFile(
      hooks,
      `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  process.stderr.write('resolved ' + r.url + '\\n');
  return r;
}\n`,
    );
    await writeFile(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
    );
    for (const args of [['--version'], ['--help'], ['help']]) {
      const loaded = await new Promise<string[]>((resolve) => {
        const child = spawn(process.execPath, ['--import', register, BIN, ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        child.on('close', () =>
          resolve(
            stderr
              .split('\n')
              .filter((l) => l.startsWith('resolved '))
              .map((l) => l.slice(9)),
          ),
        );
      });
      expect(loaded.some((u) => u.endsWith('/dist/program.mjs'))).toBe(true);
      const heavy = loaded.filter((u) =>
        /@gm[+/]|packages\/(core|products|emulator|transport)|fastify|\/yaml\/|\/ajv\/|dist\/(login|submit|status|demo|emulator|validate|init|job-file|client|errors)-/.test(
          u,
        ),
      );
      expect(heavy, args.join(' ')).toEqual([]);
    }
  });
});
