import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEMO_USER, startEmulator } from '@gm/emulator';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI_ROOT, gm, tempDir } from './helpers.js';

const SAMPLE = join(CLI_ROOT, 'assets', 'sample_project');

/** A copy of the sample project and a job file for it. */
async function project(files = '[scene.blend, textures]'): Promise<{ dir: string; job: string }> {
  const dir = join(await tempDir('gm-preflight-e2e-'), 'shot');
  await cp(SAMPLE, dir, { recursive: true });
  const job = join(dir, 'job.yaml');
  await writeFile(
    job,
    `name: shot
folder: .
files: ${files}
jobs:
  - name: beauty
    product: blender
    appVersion: "4.2"
    file: scene.blend
    frames: "1 4"
    outputPrefix: beauty
    outputFormat: PNG
`,
  );
  return { dir, job };
}

beforeAll(() => {
  assertBuilt();
});

describe('gm scan', { timeout: 180_000 }, () => {
  it('lists the references of a real .blend as a table, all present', async () => {
    const r = await gm(['scan', join(SAMPLE, 'scene.blend')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/KIND\s+WHERE\s+PATH\s+STATE/);
    for (const name of ['checker', 'metal', 'wood']) {
      expect(r.stdout).toMatch(
        new RegExp(`texture\\s+Image "${name}.png"\\s+//textures/${name}.png\\s+found`),
      );
    }
    expect(r.stdout).toContain('3 reference(s), all present.');
  });

  it('--limit raises a bound the scene passes, and a bound it passes names the flag that raises it', async () => {
    // A gzip .blend of Blender 3.4 (the preflight fixture) expands about 7×: over a bound of 2×, within 1000×.
    const plain = join(
      CLI_ROOT,
      '..',
      '..',
      'packages',
      'preflight',
      'test',
      'fixtures',
      'blend',
      'scene.blend',
    );
    const file = join(await tempDir('gm-limit-'), 'shot.blend');
    await writeFile(file, gzipSync(await readFile(plain)));
    const low = await gm(['scan', file, '--limit', 'maxExpansion=2']);
    expect(low.code).toBe(2);
    expect(low.stderr).toContain('expands to at most');
    expect(low.stderr).toContain(`--limit maxExpansion=8 (now 2)`);
    const high = await gm(['scan', file, '--limit', 'maxExpansion=1000', '--json']);
    expect(high.code).toBe(0);
    expect(JSON.parse(high.stdout).summary.references).toBeGreaterThan(0);
    const unknown = await gm(['scan', file, '--limit', 'maxRefs=5']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('maxRefs is not a scan limit');
    expect(unknown.stderr).toContain('maxReferences=100000');
    const zero = await gm(['scan', file, '--limit', 'maxReferences=0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('"0" is not a positive whole number');
  });

  it('--json gives the whole scan, and missing files are reported', async () => {
    const { dir } = await project();
    await rm(join(dir, 'textures', 'wood.png'));
    const r = await gm(['scan', join(dir, 'scene.blend'), '--json']);
    expect(r.code).toBe(0);
    const scan = JSON.parse(r.stdout);
    expect(scan).toMatchObject({
      product: 'blender',
      format: 'blend',
      summary: { references: 3, missing: 1 },
    });
    const wood = scan.references.find((x: { path: string }) => x.path === '//textures/wood.png');
    expect(wood).toMatchObject({ exists: false, resolved: join(dir, 'textures', 'wood.png') });
    const text = await gm(['scan', join(dir, 'scene.blend')]);
    expect(text.stdout).toContain('3 reference(s), 1 missing.');
  });

  it('exits 2 with the byte offset for a damaged scene, and for a bad --path-map', async () => {
    const dir = await tempDir('gm-preflight-e2e-');
    await writeFile(join(dir, 'bad.blend'), 'BLENDER-v304');
    const r = await gm(['scan', join(dir, 'bad.blend')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.blend at byte 12: file ends early/);
    const frames = await gm(['scan', join(SAMPLE, 'scene.blend'), '--frames', '5 1']);
    expect(frames.code).toBe(2);
    expect(frames.stderr).toContain('--frames:');
    const map = await gm(['scan', join(SAMPLE, 'scene.blend'), '--path-map', 'nothing']);
    expect(map.code).toBe(2);
    expect(map.stderr).toContain('--path-map "nothing" is not from=to');
  });
});

describe('gm scan --strict, for CI', { timeout: 180_000 }, () => {
  it('exits 0 when every reference is found, 2 with the report when one is missing', async () => {
    const ok = await gm(['scan', join(SAMPLE, 'scene.blend'), '--strict']);
    expect(ok.code, ok.stderr).toBe(0);
    const { dir } = await project();
    await rm(join(dir, 'textures', 'wood.png'));
    const r = await gm(['scan', join(dir, 'scene.blend'), '--strict', '--json']);
    expect(r.code).toBe(2);
    // The whole report first, as without --strict, then the failure.
    const [report] = r.stdout.split(/\n(?=\{"error")/);
    expect(JSON.parse(report ?? '')).toMatchObject({ summary: { references: 3, missing: 1 } });
    expect(r.stderr).toContain('1 of 3 reference(s) missing or not checkable (--strict)');
  });
});

/** A Nuke project whose script reads a plate by another machine's absolute path. */
async function nukeProject(): Promise<{ dir: string; job: string }> {
  const dir = join(await tempDir('gm-preflight-map-'), 'comp');
  await cp(join(SAMPLE, 'textures'), join(dir, 'plates'), { recursive: true });
  await writeFile(
    join(dir, 'comp.nk'),
    'Read {\n inputs 0\n file X:/show/comp/plates/wood.png\n name Read1\n}\n',
  );
  const job = join(dir, 'job.yaml');
  await writeFile(
    job,
    'name: comp\nfolder: .\njobs:\n  - name: comp\n    product: nuke\n    appVersion: "12.1v5"\n    file: comp.nk\n    frames: "1 1"\n',
  );
  return { dir, job };
}

describe('--path-map in gm validate, gm submit and gm init', { timeout: 180_000 }, () => {
  it("checks a scene's foreign paths in the local folder they map to", async () => {
    const { dir, job } = await nukeProject();
    const unmapped = await gm(['validate', job, '--offline']);
    expect(unmapped.code).toBe(2);
    expect(unmapped.stderr).toContain('X:/show/comp/plates/wood.png');
    const map = `X:/show/comp/=${dir}/`;
    const mapped = await gm(['validate', job, '--offline', '--path-map', map]);
    expect(mapped.code, mapped.stderr).toBe(0);
    expect(mapped.stdout).toContain('Preflight: 1 scene reference(s), all present.');
    const dry = await gm(['submit', job, '--dry-run', '--path-map', map]);
    expect(dry.code, dry.stderr).toBe(0);
    // gm init asks Envoy for versions and machines.
    const envoy = await startEmulator({ port: 0, dataDir: await tempDir('gm-preflight-map-envoy-') });
    try {
      const creds = {
        GM_ENVOY_URL: envoy.url,
        GM_EMAIL: DEMO_USER.email,
        GM_ACCESS_KEY: DEMO_USER.accessKey,
      };
      const init = async (...more: string[]) => {
        const r = await gm(
          ['init', join(dir, 'comp.nk'), '--out', join(dir, 'init.yaml'), '--force', ...more],
          creds,
        );
        expect(r.code, r.stderr).toBe(0);
        return { ...r, text: await readFile(join(dir, 'init.yaml'), 'utf8') };
      };
      const plain = await init();
      expect(plain.text).toContain('"X:/show/comp/plates/wood.png"  <- not resolvable here');
      const withMap = await init('--path-map', map);
      expect(withMap.text).toContain('#   "plates/wood.png"');
      expect(withMap.stderr).toContain('comp.nk needs 1 file(s), all present in the project folder.');
    } finally {
      await envoy.close();
    }
    const bad = await gm(['validate', job, '--offline', '--path-map', 'X:/show']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--path-map "X:/show" is not from=to');
  });
});

describe('hostile job files and scenes', { timeout: 180_000 }, () => {
  it('gm validate --offline refuses a job file with a 100 MB string parameter, with exit 2 and the fix', async () => {
    const { dir, job } = await project();
    const big = join(dir, 'big.yaml');
    const text = await readFile(job, 'utf8');
    await writeFile(big, `${text}    params:\n      script: "${'x'.repeat(100 * 1024 * 1024)}"\n`);
    const r = await gm(['validate', big, '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The job file ${big} has 104857`);
    expect(r.stderr).toContain('more than a job file can have (4194304)');
    expect(r.stderr).toMatch(/keep scripts and data in files of the project/);
  });

  it('gm scan prints paths from a scene with their control characters escaped; --json keeps them exact', async () => {
    const dir = await tempDir('gm-preflight-e2e-');
    // A title-setting and a screen-clearing sequence in a path the scene names.
    const evil = '/x/\u001b]0;pwned\u0007plate\u001b[2J.exr';
    await writeFile(join(dir, 'comp.nk'), `Read {\n file "${evil}"\n name Read1\n}\n`);
    const r = await gm(['scan', join(dir, 'comp.nk')]);
    expect(r.code).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(r.stdout).toContain('/x/\\x1b]0;pwned\\x07plate');
    const json = await gm(['scan', join(dir, 'comp.nk'), '--json']);
    expect(JSON.parse(json.stdout).references[0].path).toBe(evil); // --json stays exact
  });

  it('gm scan of a zstd bomb exits 2 naming the byte offset and the limit', async () => {
    const dir = await tempDir('gm-preflight-e2e-');
    // A zstd frame of one RLE block declaring 128 KiB, repeated: 4 bytes of file per 128 KiB of zeros.
    const head = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]);
    const scene = Buffer.from('BLENDER-v304', 'latin1');
    const raw = Buffer.alloc(3);
    raw.writeUIntLE(scene.length << 3, 0, 3);
    const rle = Buffer.alloc(4);
    rle.writeUIntLE(((128 * 1024) << 3) | 2, 0, 3);
    const last = Buffer.from(rle);
    last[0]! |= 1;
    const bomb = Buffer.concat([head, raw, scene, ...Array.from({ length: 20_000 }, () => rle), last]);
    await writeFile(join(dir, 'bomb.blend'), bomb);
    const r = await gm(['scan', join(dir, 'bomb.blend')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bomb\.blend at byte \d+: decompressing: a zstd file of \d+ bytes expands to at most/,
    );
    expect(r.stderr).toContain('raise limits.maxExpansion');
  });
});

describe('gm validate / gm submit with the preflight step', { timeout: 180_000 }, () => {
  it('validate reports a missing texture as a problem with exit 2', async () => {
    const { dir, job } = await project();
    const ok = await gm(['validate', job, '--offline']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Preflight: 3 scene reference(s), all present.');
    await rm(join(dir, 'textures', 'metal.png'));
    const r = await gm(['validate', job, '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the job scenes need files the project does not have');
    expect(r.stderr).toMatch(
      /jobs\[0\]\.path \(beauty\): "\/\/textures\/metal\.png" \(Image "metal\.png" in scene\.blend\): does not exist/,
    );
  });

  it('validate --allow-missing takes missing files as warnings, as submit --allow-missing does', async () => {
    const { dir, job } = await project();
    await rm(join(dir, 'textures', 'metal.png'));
    const r = await gm(['validate', job, '--offline', '--allow-missing']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 missing or not in the project (allowed by --allow-missing)');
    expect(r.stderr).toMatch(/metal\.png/);
    const json = JSON.parse((await gm(['validate', job, '--offline', '--allow-missing', '--json'])).stdout);
    expect(json.valid).toBe(true);
    expect(json.preflight.warnings.join('\n')).toMatch(/metal\.png/);
  });

  it('validate reports textures on disk that the job file does not upload', async () => {
    const { job } = await project('[scene.blend, textures/checker.png]');
    const r = await gm(['validate', job, '--offline']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /"\/\/textures\/wood\.png" .* is on disk but not added to the project: textures\/wood\.png/,
    );
    expect(r.stderr).not.toMatch(/checker\.png/);
  });

  it('validate and submit take the --limit of gm scan: a bound the scene passes stops it, one raised lets it by', async () => {
    // The sample scene is saved compressed (zstd, as Blender does): it expands several times over when read.
    const { job } = await project();
    const low = await gm(['validate', job, '--offline', '--limit', 'maxExpansion=2']);
    expect(low.code).toBe(2);
    expect(low.stderr).toContain('expands to at most');
    expect(low.stderr).toContain('raise the bound (--limit maxExpansion=8)');
    const high = await gm(['validate', job, '--offline', '--limit', 'maxExpansion=1000', '--json']);
    expect(high.code, high.stderr).toBe(0);
    expect(JSON.parse(high.stdout).preflight.references).toBe(3);
    // The one parser of gm scan: a name that is no limit is refused the same way.
    const unknown = await gm(['validate', job, '--offline', '--limit', 'maxRefs=5']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('maxRefs is not a scan limit');

    const refused = await gm(['submit', job, '--dry-run', '--limit', 'maxExpansion=2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nothing was submitted');
    expect(refused.stderr).toContain('raise the bound (--limit maxExpansion=8)');
    expect(refused.stdout).toBe('');
    const raised = await gm(['submit', job, '--dry-run', '--limit', 'maxExpansion=1000']);
    expect(raised.code, raised.stderr).toBe(0);
    expect(JSON.parse(raised.stdout).project_request.jobs).toHaveLength(1);
    const zero = await gm(['submit', job, '--dry-run', '--limit', 'maxReferences=0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('"0" is not a positive whole number');
  });

  it('submit refuses a job whose scene misses files, unless --allow-missing', async () => {
    const { dir, job } = await project();
    await rm(join(dir, 'textures', 'wood.png'));
    const refused = await gm(['submit', job, '--dry-run']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nothing was submitted');
    expect(refused.stderr).toContain('--allow-missing');
    expect(refused.stdout).toBe('');
    const allowed = await gm(['submit', job, '--dry-run', '--allow-missing']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).project_request.jobs).toHaveLength(1);
  });
});

describe('scene settings and sequences partly on disk', { timeout: 180_000 }, () => {
  /** A Nuke script of frames 1001-1005 whose plate has 4 of its 5 frames on disk. */
  async function shot(): Promise<string> {
    const dir = join(await tempDir('gm-preflight-settings-'), 'shot');
    await mkdir(join(dir, 'plates'), { recursive: true });
    for (const f of [1001, 1002, 1003, 1005]) await writeFile(join(dir, 'plates', `fg.${f}.exr`), '');
    await writeFile(
      join(dir, 'comp.nk'),
      [
        'Root {',
        ' first_frame 1001',
        ' last_frame 1005',
        ' format "2048 858 0 0 2048 858 1 scope"',
        '}',
        'Read {',
        ' file plates/fg.####.exr',
        ' first 1001',
        ' last 1005',
        ' name Read1',
        '}',
        'Write {',
        ' file renders/comp.####.exr',
        ' file_type exr',
        ' name Write1',
        '}',
        '',
      ].join('\n'),
    );
    return dir;
  }

  it('gm scan says how much of a sequence is on disk: "4 of 5 frames"', async () => {
    const dir = await shot();
    const r = await gm(['scan', join(dir, 'comp.nk')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Read Read1\.file\s+plates\/fg\.####\.exr\s+4 of 5 frames \(partly present\)/);
    expect(r.stdout).toContain('4 of 5 frames present; frames 1004 missing');
    expect(r.stdout).toContain('1 reference(s), 1 missing (1 partly present).');
    const json = JSON.parse((await gm(['scan', join(dir, 'comp.nk'), '--json'])).stdout);
    expect(json.references[0]).toMatchObject({
      exists: false,
      partial: true,
      sequence: {
        found: 4,
        missing: 1,
        missingFrames: [1004],
        foundFrames: [
          [1001, 1003],
          [1005, 1005],
        ],
      },
    });
    expect(json.summary).toEqual({ references: 1, missing: 1, partial: 1 });
    expect(json.settings.frames).toEqual({
      value: { start: 1001, end: 1005, step: 1 },
      from: 'Root.first_frame/last_frame',
    });
  });

  it("gm init starts from the scene's own frame range and says where it came from; --frames still wins", async () => {
    const dir = await shot();
    const out = join(dir, 'job.yaml');
    const offline = ['--version', '14.0v5', '--machine', 'gm4800', '--out', out, '--force'];
    const r = await gm(['init', join(dir, 'comp.nk'), ...offline]);
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('frames: "1001 1005" # from the scene: Root.first_frame/last_frame;');
    expect(text).toContain('#   output: "renders/comp.####.exr" (Write Write1.file)');
    expect(text).toContain('#   resolution: "2048x858" (Root.format)');
    expect(text).toContain('"plates/fg.####.exr"  <- 1 file(s) of the sequence missing (4 of 5 present)');
    expect(r.stderr).toContain('Frames 1001 1005: from the scene (Root.first_frame/last_frame).');
    const given = await gm(['init', join(dir, 'comp.nk'), ...offline, '--frames', '1001 1003']);
    expect(given.code, given.stderr).toBe(0);
    const chosen = await readFile(out, 'utf8');
    expect(chosen).toContain('frames: "1001 1003" # start [end] [step]');
    expect(chosen).toContain('#   "plates/fg.####.exr"\n');
  });

  it("gm init scene.blend writes the frames of the window's scene, from the scene, and what else it says", async () => {
    // Made by Blender 3.4 (packages/preflight/test/fixtures/blend/make_settings.py): the window's scene "Shot"
    // renders frames 1001-1012 step 2 at 1280x720 50%, OpenEXR, camera "ShotCam", Cycles.
    const made = join(CLI_ROOT, '..', '..', 'packages', 'preflight', 'test', 'fixtures', 'blend', 'settings');
    const dir = join(await tempDir('gm-preflight-blend-settings-'), 'shot');
    await mkdir(dir, { recursive: true });
    await cp(join(made, 'settings.blend'), join(dir, 'scene.blend'));
    const out = join(dir, 'job.yaml');
    const r = await gm([
      'init',
      join(dir, 'scene.blend'),
      '--version',
      '4.2',
      '--machine',
      'gm4800',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(out, 'utf8');
    const at = 'scenes["Shot"]';
    expect(text).toContain(`frames: "1001 1012 2" # from the scene: ${at}.frame_start/frame_end/frame_step;`);
    expect(text).toContain(`#   output: "//render/shot_####" (${at}.render.filepath)`);
    expect(text).toContain(`#   format: "OPEN_EXR" (${at}.render.image_settings.file_format)`);
    expect(text).toContain(
      `#   resolution: "640x360" (${at}.render.resolution_x/resolution_y/resolution_percentage)`,
    );
    expect(text).toContain(`#   camera: "ShotCam" (${at}.camera)`);
    expect(text).toContain(`#   renderer: "CYCLES" (${at}.render.engine)`);
    expect(r.stderr).toContain(
      `Frames 1001 1012 2: from the scene (${at}.frame_start/frame_end/frame_step).`,
    );
    expect(text).toContain(
      `    outputFormat: "OPEN_EXR" # from the scene: ${at}.render.image_settings.file_format\n`,
    );
    expect(r.stderr).toContain(
      `Output format OPEN_EXR: from the scene (${at}.render.image_settings.file_format).`,
    );
    const validated = await gm(['validate', out, '--offline']);
    expect(validated.code, validated.stderr + validated.stdout).toBe(0);
  });
});
