import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usdaParser } from '../src/formats/usda.js';
import { scanScene, TruncatedFileError } from '../src/index.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { fixture, refNamed, tempDir } from './helpers.js';

describe('Nuke .nk', () => {
  const DIR = fixture('nuke');
  it('lists the file and proxy knobs of reading nodes, not Write nodes', async () => {
    const scan = await scanScene(join(DIR, 'comp.nk'), { pathMap: { 'C:/proj/': DIR } });
    expect(scan).toMatchObject({ product: 'nuke', format: 'nuke', scanned: true });
    expect(scan.details.nukeVersion).toBe('13.2 v4');
    expect(scan.references.map((r) => `${r.location.name} ${r.kind}`)).toEqual([
      'Read Read1.file texture',
      'Read Read_bg.file texture',
      'Read Read_bg.proxy texture',
      'Read Read_expr.file texture',
      'DeepRead DeepRead1.file texture',
      'ReadGeo2 ReadGeo1.file cache',
      'Camera3 Camera1.file cache',
      'OCIOFileTransform OCIOFileTransform1.file other',
      'AudioRead AudioRead1.file sound',
      'Precomp Precomp1.file referenced-scene',
      'Read Read_in_group.file texture',
    ]);
    expect(scan.references.some((r) => r.path.includes('renders/'))).toBe(false);
    expect(refNamed(scan, 'Read Read1.file').location.line).toBe(22);
  });

  it('matches %04d and #### sequences, within the frame range when given', async () => {
    const scan = await scanScene(join(DIR, 'comp.nk'), { pathMap: { 'C:/proj/': DIR }, frames: '1001 1003' });
    expect(refNamed(scan, 'Read Read1.file')).toMatchObject({
      path: 'plates/plate.%04d.exr',
      resolved: join(DIR, 'plates', 'plate.%04d.exr'),
      exists: true,
      sequence: { token: '%04d', found: 3, missing: 0 },
    });
    const all = await scanScene(join(DIR, 'comp.nk'), { pathMap: { 'C:/proj/': DIR }, frames: '1001 1005' });
    expect(refNamed(all, 'Read Read1.file').sequence).toMatchObject({
      found: 4,
      missing: 1,
      missingFrames: [1004],
    });
    // A Read node's first/last bound the job's range; a range it does not reach at all leaves the node's own.
    const wider = await scanScene(join(DIR, 'comp.nk'), { pathMap: { 'C:/proj/': DIR }, frames: '990 1010' });
    expect(refNamed(wider, 'Read Read1.file').sequence).toMatchObject({
      found: 4,
      missing: 1,
      missingFrames: [1004],
    });
    expect(refNamed(all, 'Read Read_bg.file').sequence).toMatchObject({ found: 3, missing: 0 });
    const none = await scanScene(join(DIR, 'comp.nk'), { pathMap: { 'C:/proj/': DIR } });
    expect(refNamed(none, 'Read Read_bg.file')).toMatchObject({
      exists: true,
      sequence: { found: 3, missing: 0 },
    });
    const bg = refNamed(all, 'Read Read_bg.file');
    expect(bg).toMatchObject({ mappedFrom: 'C:/proj/', resolved: join(DIR, 'plates', 'bg.####.dpx') });
  });

  it('reports knobs set by TCL expressions or variables as not resolvable, without guessing', async () => {
    const scan = await scanScene(join(DIR, 'comp.nk'));
    const expr = refNamed(scan, 'Read Read_expr.file');
    expect(expr).toMatchObject({ resolved: undefined, exists: false });
    expect(expr.unresolved).toMatch(/TCL expression/);
    expect(expr.unresolvedKind).toBe('expression');
    expect(expr.path).toBe('[file dirname [value root.name]]/plates/[value shot].####.exr');
    expect(refNamed(scan, 'Read Read_in_group.file').unresolved).toMatch(/\$env\(SHOW_ROOT\)/);
  });

  it('reads a node whose body starts with a comment, takes its settings from the first enabled Write, and knows its node classes', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'c.nk'),
      [
        'Read { # the plate\n file a.exr\n name R1\n}',
        'Write {\n file off.####.exr\n disable true\n name W1\n}',
        'Write {\n file out.####.png\n name W2\n}',
        'Write {\n file later.####.exr\n name W3\n}',
        // A class named like a property of every object is no reading node.
        'toString {\n file x.exr\n}',
        '',
      ].join('\n'),
    );
    const scan = await scanScene(join(dir, 'c.nk'));
    expect(scan.references.map((r) => [r.location.name, r.path, r.location.line])).toEqual([
      ['Read R1.file', 'a.exr', 2],
    ]);
    expect(scan.settings.output).toEqual({ value: 'out.####.png', from: 'Write W2.file' });
    expect(scan.details.nodes).toBe(5);
  });

  it('names the line of an unclosed brace', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.nk'), 'version 13.2 v4\nRead {\n file a.exr\n name Read1\n');
    await expect(scanScene(join(dir, 'bad.nk'))).rejects.toMatchObject({ name: 'CorruptFileError', line: 2 });
  });
});

describe('Maya ASCII .ma', () => {
  const DIR = fixture('maya', 'scenes');
  it('lists references, file textures, Alembic and GPU caches, image planes and audio', async () => {
    const scan = await scanScene(join(DIR, 'shot.ma'));
    expect(scan).toMatchObject({ product: 'maya', format: 'maya-ascii', details: { mayaVersion: '2022' } });
    expect(scan.references.map((r) => [r.location.name, r.kind, r.path, r.exists])).toEqual([
      ['reference chairRN', 'referenced-scene', 'assets/chair.ma', true],
      // The referenced scene is read in turn: its references follow its own entry.
      ['file chairFile.ftn', 'texture', '../sourceimages/wood.png', true],
      ['reference setRN', 'referenced-scene', 'X:/show/assets/set.mb', false],
      ['file woodFile.ftn', 'texture', 'sourceimages/wood.png', true],
      ['file skinFile.ftn', 'texture', 'sourceimages/skin.<UDIM>.tx', true],
      ['file envFile.fileTextureName', 'texture', '$ASSETS/hdri/sky.exr', false],
      ['AlembicNode anim_AlembicNode.fn', 'cache', 'cache/anim.abc', true],
      ['gpuCache treeShape.cfn', 'cache', 'cache/tree_gpu.abc', false],
      ['imagePlane imagePlaneShape1.imn', 'texture', 'sourceimages/ref.####.jpg', true],
      ['audio dialogue.f', 'sound', 'sound/dialogue.wav', true],
    ]);
    expect(refNamed(scan, 'file skinFile.ftn').sequence).toMatchObject({ token: '<UDIM>', found: 2 });
    expect(refNamed(scan, 'file envFile.fileTextureName').unresolved).toMatch(/environment variable ASSETS/);
    expect(refNamed(scan, 'reference chairRN').location.line).toBe(5);
  });

  it('looks for relative paths in the project folder too', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'shot.ma'),
      '//Maya ASCII 2022 scene\ncreateNode file -n "f";\n\tsetAttr ".ftn" -type "string" "scenes/shot.ma";\n',
    );
    const scan = await scanScene(join(dir, 'shot.ma'), { projectFolder: fixture('maya') });
    expect(scan.references[0]).toMatchObject({ resolved: join(DIR, 'shot.ma'), exists: true });
  });

  it('refuses a file that is not Maya ASCII, naming line 1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.ma'), 'hello\n');
    await expect(scanScene(join(dir, 'x.ma'))).rejects.toMatchObject({ name: 'CorruptFileError', line: 1 });
  });
});

describe('V-Ray .vrscene', () => {
  const DIR = fixture('vray');
  it('lists #include files (read too) and file parameters, not Settings outputs', async () => {
    const scan = await scanScene(join(DIR, 'scene.vrscene'));
    expect(scan).toMatchObject({ product: 'vray', format: 'vrscene' });
    expect(scan.references.map((r) => [r.location.name, r.kind, r.path, r.exists])).toEqual([
      ['#include', 'include', 'materials.vrscene', true],
      ['#include', 'include', 'lights/missing_lights.vrscene', false],
      ['GeomMeshFile tree_proxy@mesh.file', 'cache', 'proxies/tree.vrmesh', true],
      ['LightIES spot_ies.ies_file', 'other', 'ies/spot.ies', false],
      ['BitmapBuffer wood_bitmap.file', 'texture', 'textures/wood.png', true],
      ['BitmapBuffer floor_bitmap.file', 'texture', '//fileserver/library/floor_<UDIM>.exr', false],
    ]);
    const wood = refNamed(scan, 'BitmapBuffer wood_bitmap.file');
    expect(wood.location).toMatchObject({ file: join(DIR, 'materials.vrscene'), line: 3 });
    expect(refNamed(scan, 'BitmapBuffer floor_bitmap.file').unresolved).toMatch(/pathMap/);
  });
});

describe('USD ASCII .usda', () => {
  const DIR = fixture('usd');
  it('lists sublayers, references, payloads and asset attributes, not text in strings', async () => {
    const scan = await scanScene(join(DIR, 'shot.usda'), {
      pathMap: { '/mnt/proj/usd/': DIR },
      followLibraries: false,
    });
    expect(scan).toMatchObject({ format: 'usda', scanned: true });
    expect(scan.references.map((r) => [r.location.name, r.kind, r.path, r.exists, r.location.line])).toEqual([
      ['subLayers', 'referenced-scene', './layers/lighting.usda', true, 7],
      ['subLayers', 'referenced-scene', '/mnt/proj/usd/layers/fx.usda', false, 8],
      ['references', 'referenced-scene', 'assets/chair.usd', true, 16],
      ['payload', 'referenced-scene', 'assets/forest_payload.usdc', false, 22],
      ['asset inputs:file', 'texture', 'textures/wood.<UDIM>.png', true, 32],
      ['asset filePath', 'volume', 'vdb/smoke.0001.vdb', false, 41],
    ]);
  });

  it('scans the layers it names in turn, each once: a texture missing in a sublayer is found', async () => {
    const scan = await scanScene(join(DIR, 'shot.usda'), { pathMap: { '/mnt/proj/usd/': DIR } });
    const rows = scan.references.map((r) => [r.location.file, r.location.name, r.path, r.exists]);
    expect(rows).toEqual([
      [join(DIR, 'shot.usda'), 'subLayers', './layers/lighting.usda', true],
      [join(DIR, 'layers', 'lighting.usda'), 'asset inputs:texture:file', '../textures/sky.exr', false],
      [join(DIR, 'shot.usda'), 'subLayers', '/mnt/proj/usd/layers/fx.usda', false],
      [join(DIR, 'shot.usda'), 'references', 'assets/chair.usd', true],
      [join(DIR, 'assets', 'chair.usd'), 'asset inputs:file', '../textures/wood.<UDIM>.png', true],
      [join(DIR, 'shot.usda'), 'payload', 'assets/forest_payload.usdc', false],
      [join(DIR, 'shot.usda'), 'asset inputs:file', 'textures/wood.<UDIM>.png', true],
      [join(DIR, 'shot.usda'), 'asset filePath', 'vdb/smoke.0001.vdb', false],
    ]);
  });

  it('reads a layer cycle once, and says which referenced scenes it could not read', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'a.usda'),
      '#usda 1.0\n(\n    subLayers = [@./b.usda@, @./crate.usd@, @./bad.usda@]\n)\n',
    );
    writeFileSync(join(dir, 'b.usda'), '#usda 1.0\n(\n    subLayers = [@./a.usda@]\n)\n');
    writeFileSync(join(dir, 'crate.usd'), Buffer.concat([Buffer.from('PXR-USDC'), Buffer.alloc(64)]));
    writeFileSync(join(dir, 'bad.usda'), 'not a layer');
    const scan = await scanScene(join(dir, 'a.usda'));
    expect(scan.references.map((r) => [r.location.file, r.path])).toEqual([
      [join(dir, 'a.usda'), './b.usda'],
      [join(dir, 'b.usda'), './a.usda'],
      [join(dir, 'a.usda'), './crate.usd'],
      [join(dir, 'a.usda'), './bad.usda'],
    ]);
    expect(scan.notes).toEqual([
      expect.stringMatching(/^referenced scene .*crate\.usd could not be read: .*88-byte bootstrap/),
      expect.stringMatching(/^referenced scene .*bad\.usda could not be read: .*#usda 1\.0/),
    ]);
  });

  it('lists value-clip templates, written as strings in clips dictionaries, and no other string', async () => {
    const dir = tempDir();
    // As OpenUSD's value-clips documentation writes them: per clip set, `string templateAssetPath`.
    const layer = [
      '#usda 1.0',
      'def "Model" (',
      '    clips = {',
      '        dictionary default = {',
      '            asset manifestAssetPath = @./manifest.usda@',
      '            string primPath = "/Model"',
      '            string templateAssetPath = "clips/anim.###.usd"',
      '            double templateStartTime = 1',
      '            double templateEndTime = 3',
      '            double templateStride = 1',
      '        }',
      "        dictionary fx = { string templateAssetPath = 'fx/smoke \\'a\\'.#.usd' }",
      '    }',
      '    doc = "string templateAssetPath = \\"not/a/clip.usd\\""',
      ')',
      '{',
      '    string templateAssetPath = "not/a/clip/either.usd"',
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'clips.usda'), layer);
    writeFileSync(join(dir, 'manifest.usda'), '#usda 1.0\n');
    mkdirSync(join(dir, 'clips'));
    for (const f of ['001', '002', '003']) writeFileSync(join(dir, 'clips', `anim.${f}.usd`), '#usda 1.0\n');
    const scan = await scanScene(join(dir, 'clips.usda'), { followLibraries: false });
    expect(scan.references.map((r) => [r.location.name, r.kind, r.path, r.exists, r.location.line])).toEqual([
      ['asset manifestAssetPath', 'referenced-scene', './manifest.usda', true, 5],
      ['clips:default:templateAssetPath', 'referenced-scene', 'clips/anim.###.usd', true, 7],
      ['clips:fx:templateAssetPath', 'referenced-scene', "fx/smoke 'a'.#.usd", false, 12],
    ]);
    expect(refNamed(scan, 'clips:default:templateAssetPath').sequence).toMatchObject({
      found: 3,
      missing: 0,
    });
    // Read in chunks of any size (here one character at a time), the same.
    const parser = usdaParser(join(dir, 'clips.usda'), DEFAULT_LIMITS, dir, join(dir, 'clips.usda'));
    for (const ch of layer) parser.feed(ch);
    expect(parser.end(false).references.map((r) => [r.location.name, r.path, r.location.line])).toEqual(
      scan.references.map((r) => [r.location.name, r.path, r.location.line]),
    );
    // A template longer than limits.maxValueLength is left out, with a note.
    const short = await scanScene(join(dir, 'clips.usda'), {
      followLibraries: false,
      limits: { maxValueLength: 16 },
    });
    expect(short.references.map((r) => r.path)).toEqual(['./manifest.usda']);
    expect(short.notes.join('\n')).toContain('limits.maxValueLength');
  });

  it('reads a .usd file in crate form as a crate layer; a damaged one is a typed error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.usd'), Buffer.concat([Buffer.from('PXR-USDC'), Buffer.alloc(64)]));
    await expect(scanScene(join(dir, 'x.usd'))).rejects.toThrow(TruncatedFileError);
  });
});

describe('Houdini .hip / .hiplc', () => {
  const DIR = fixture('houdini');
  for (const file of ['scene.hip', 'scene_mime.hiplc']) {
    it(`reads the file parameters of ${file}, expanding $HIP and the file's own variables`, async () => {
      const scan = await scanScene(join(DIR, file), { pathMap: { '/mnt/proj/': DIR } });
      expect(scan).toMatchObject({ product: 'hou', format: 'houdini', scanned: true });
      expect(scan.references.map((r) => [r.location.name, r.kind, r.exists])).toEqual([
        ['file /obj/geo1/file1.file', 'cache', true],
        ['alembic /obj/geo1/alembic1.fileName', 'cache', true],
        ['file /obj/geo1/volume1.file', 'volume', false],
        ['file /obj/geo1/file2.file', 'other', false],
        ['principledshader::2.0 /mat/wood.basecolor_texture', 'texture', true],
        ['principledshader::2.0 /mat/wood.rough_texture', 'texture', false],
        ['principledshader::2.0 /mat/wood.baseNormal_texture', 'texture', false],
      ]);
      const geo = refNamed(scan, 'file /obj/geo1/file1.file');
      expect(geo).toMatchObject({
        path: '$HIP/geo/box.$F4.bgeo.sc',
        resolved: join(DIR, 'geo', 'box.$F4.bgeo.sc'),
      });
      expect(geo.sequence).toMatchObject({ token: '$F4', found: 2, missing: 0 });
      expect(refNamed(scan, 'alembic /obj/geo1/alembic1.fileName')).toMatchObject({
        path: '$JOB/cache/anim.abc',
        resolved: join(DIR, 'cache', 'anim.abc'),
        mappedFrom: '/mnt/proj/',
      });
      expect(refNamed(scan, 'file /obj/geo1/volume1.file').unresolved).toMatch(/backtick/);
      expect(refNamed(scan, 'file /obj/geo1/file2.file').unresolved).toMatch(/channel/);
      expect(refNamed(scan, 'principledshader::2.0 /mat/wood.baseNormal_texture').unresolved).toMatch(
        /\$MAPS/,
      );
      expect(scan.notes.some((n) => n.includes('/out'))).toBe(true);
      expect(scan.references.some((r) => r.path.includes('render/'))).toBe(false);
    });
  }

  it('says which sections it could not read', async () => {
    const scan = await scanScene(join(DIR, 'scene.hip'));
    expect(scan.notes).toContain('1 parameter section(s) are binary and were not read');
  });
});

describe('formats that cannot be read', () => {
  for (const [name, format, product] of [
    ['scene.c4d', 'cinema4d', 'c4d'],
    ['scene.mb', 'maya-binary', 'maya'],
  ] as const) {
    it(`${name}: a clear "not scanned" result, never an empty list that looks complete`, async () => {
      const dir = tempDir();
      writeFileSync(join(dir, name), Buffer.from('binary scene data'));
      const scan = await scanScene(join(dir, name));
      expect(scan).toMatchObject({ format, product, scanned: false, references: [] });
      expect(scan.notes[0]).toMatch(/^not scanned: format not readable/);
    });
  }

  it('refuses an unknown extension and a missing file with typed errors', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'x');
    await expect(scanScene(join(dir, 'notes.txt'))).rejects.toMatchObject({ name: 'UnsupportedFormatError' });
    await expect(scanScene(join(dir, 'nope.blend'))).rejects.toMatchObject({
      name: 'SceneNotFoundError',
      file: join(dir, 'nope.blend'),
    });
  });
});
