/**
 * Scenes as productions write them: public scenes written by the applications (test/fixtures/README.md says
 * where each came from) and fixtures that follow the applications' documentation for what those do not hold.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanScene } from '../src/index.js';
import { fixture, refNamed, tempDir } from './helpers.js';

describe('Nuke scripts in production', () => {
  const DIR = fixture('nuke', 'production');

  it('reads cloned Read nodes, once (their clones share the knobs)', async () => {
    const scan = await scanScene(join(DIR, 'shot.nk'));
    expect(refNamed(scan, 'Read Read_fg.file')).toMatchObject({
      path: 'plates/fg.####.exr',
      resolved: join(DIR, 'plates', 'fg.####.exr'),
      location: { line: 16 },
    });
    expect(scan.details.nodes).toBe(10);
  });

  it('counts the frames of a Read within its range, Nuke defaults where the script leaves knobs out', async () => {
    const scan = await scanScene(join(DIR, 'shot.nk'));
    // first/last written: 1001-1005, frame 1004 missing.
    expect(refNamed(scan, 'Read Read_fg.file')).toMatchObject({
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
    // `first` left out: Nuke's default, 1.
    expect(refNamed(scan, 'Read Read_clean.file')).toMatchObject({
      exists: true,
      sequence: { found: 3, missing: 0, foundFrames: [[1, 3]] },
    });
    // Neither written: the script's range (Root.first_frame/last_frame), not "no frames".
    expect(refNamed(scan, 'Read Read_noRange.file').sequence).toMatchObject({ found: 4, missing: 1 });
  });

  it("lists Root's custom OCIO config, Vectorfield files and cameras read from a file, not Writes", async () => {
    const scan = await scanScene(join(DIR, 'shot.nk'));
    expect(scan.references.map((r) => `${r.location.name} ${r.kind} ${r.exists}`)).toEqual([
      'Read Read_fg.file texture false',
      'Read Read_clean.file texture true',
      'Read Read_noRange.file texture false',
      'Vectorfield Vectorfield1.vfield_file other true',
      'Camera2 Camera_fbx.file cache true',
      'Root.customOCIOConfigPath other true',
    ]);
    expect(refNamed(scan, 'Root.customOCIOConfigPath').resolved).toBe(join(DIR, 'ocio', 'config.ocio'));
  });

  it('returns the frame range, resolution and output of the script, saying where each was read', async () => {
    const scan = await scanScene(join(DIR, 'shot.nk'));
    expect(scan.settings).toEqual({
      frames: { value: { start: 1001, end: 1005, step: 1 }, from: 'Root.first_frame/last_frame' },
      resolution: { value: { width: 1920, height: 1080 }, from: 'Root.format' },
      output: { value: 'renders/shot_v002.####.exr', from: 'Write Write_main.file' },
      format: { value: 'exr', from: 'Write Write_main.file_type' },
    });
  });

  it('reads a public Nuke 9 script: OCIOFileTransform and BlinkScript files, clones, Writes and GenerateLUT left out', async () => {
    const scan = await scanScene(fixture('nuke', 'public', 'LUTApply.nk'));
    expect(scan.details.nukeVersion).toBe('9.0 v4');
    expect(scan.references.map((r) => `${r.location.name} ${r.path}`)).toEqual([
      'OCIOFileTransform OCIOFileTransform2.file /Volumes/BOOTCAMP/work/client/hpd/code/public/general/blink/scripts/exampleGrade.3dl',
      'BlinkScript BlinkScript1.kernelSourceFile /Volumes/BOOTCAMP/work/client/hpd/code/public/general/blink/LUTApply.blink',
      'BlinkScript BlinkScript11.kernelSourceFile /Volumes/BOOTCAMP/work/client/hpd/code/public/general/blink/LUTApply.blink',
    ]);
    expect(scan.settings).toEqual({
      frames: {
        value: { start: 1, end: 100, step: 1 },
        from: "Root.first_frame/last_frame (Nuke's defaults where left out)",
      },
      resolution: { value: { width: 2048, height: 1556 }, from: 'Root.format' },
      output: {
        value: '/Volumes/BOOTCAMP/work/client/hpd/code/public/general/blink/scripts/LUTApply_identity.jpg',
        from: 'Write Write5.file',
      },
      format: { value: 'jpeg', from: 'Write Write5.file_type' },
    });
  });

  it('reads a public Nuke 13.2 script with roto shapes and no file nodes: nothing listed, nothing thrown', async () => {
    const scan = await scanScene(fixture('nuke', 'public', 'nukery_test_file.nk'));
    expect(scan.details.nukeVersion).toBe('13.2 v8');
    expect(scan.references).toEqual([]);
    expect(scan.settings.frames?.value).toEqual({ start: 1, end: 100, step: 1 });
  });
});

describe('Maya ASCII scenes in production', () => {
  const PROJECT = fixture('maya', 'project');
  const SHOT = join(PROJECT, 'scenes', 'shots', 'shot_010.ma');

  it('expands UV tiling modes (UDIM, ZBrush, Mudbox) to the tiles on disk', async () => {
    const scan = await scanScene(SHOT);
    expect(refNamed(scan, 'file body_col.ftn')).toMatchObject({
      path: 'sourceimages/tiles/body.1001.exr',
      resolved: join(PROJECT, 'sourceimages', 'tiles', 'body.<UDIM>.exr'),
      exists: true,
      sequence: { token: '<UDIM>', found: 3 },
    });
    expect(refNamed(scan, 'file head_col.ftn').sequence).toMatchObject({ token: '<UVTILE>', found: 2 });
    expect(refNamed(scan, 'file arm_col.ftn').sequence).toMatchObject({ token: '<UVTILE>', found: 2 });
    expect(refNamed(scan, 'PxrTexture leaf_tex.filename').sequence).toMatchObject({ found: 2 });
  });

  it('reads an image sequence (.ufe) as frames: 4 of 5 found is partly present', async () => {
    const scan = await scanScene(SHOT);
    expect(refNamed(scan, 'file ref_seq.ftn')).toMatchObject({
      resolved: join(PROJECT, 'sourceimages', 'seq', 'ref.####.jpg'),
      exists: false,
      partial: true,
      sequence: {
        found: 4,
        missing: 1,
        missingFrames: [4],
        foundFrames: [
          [1, 3],
          [5, 5],
        ],
      },
    });
    const within = await scanScene(SHOT, { frames: '1 3' });
    expect(refNamed(within, 'file ref_seq.ftn')).toMatchObject({ exists: true, sequence: { found: 3 } });
    expect(refNamed(within, 'file ref_seq.ftn').partial).toBeUndefined();
  });

  it('takes relative paths from the Maya project root (workspace.mel), then the scene folder', async () => {
    const scan = await scanScene(SHOT);
    expect(scan.details.workspace).toBe(PROJECT);
    expect(refNamed(scan, 'file beside_scene.ftn')).toMatchObject({
      resolved: join(PROJECT, 'scenes', 'shots', 'local.png'),
      exists: true,
    });
  });

  it('lists RenderMan textures, ptex, dome maps and IES profiles', async () => {
    const scan = await scanScene(SHOT);
    expect(
      scan.references
        .filter((r) => r.location.name.startsWith('Pxr'))
        .map((r) => `${r.location.name} ${r.kind} ${r.exists}`),
    ).toEqual([
      'PxrTexture leaf_tex.filename texture true',
      'PxrPtexture skin_ptex.filename texture false',
      'PxrDomeLight domeShape.lightColorMap texture false',
      'PxrRectLight rectShape.iesProfile other false',
    ]);
  });

  it('returns defaultRenderGlobals, defaultResolution and the renderable camera', async () => {
    const scan = await scanScene(SHOT);
    expect(scan.settings).toEqual({
      frames: {
        value: { start: 1001, end: 1100, step: 2 },
        from: 'defaultRenderGlobals.startFrame/endFrame/byFrameStep',
      },
      resolution: { value: { width: 2048, height: 858 }, from: 'defaultResolution.width/height' },
      output: { value: '<Scene>/<RenderLayer>/beauty', from: 'defaultRenderGlobals.imageFilePrefix' },
      format: { value: 'exr', from: 'defaultRenderGlobals.imfPluginKey' },
      renderer: { value: 'renderman', from: 'defaultRenderGlobals.currentRenderer' },
      camera: { value: 'shotcam', from: 'shotcam camera (renderable)' },
    });
  });

  it('reads public Maya scenes: a UDIM file node, a workspace-relative texture, RenderMan lights', async () => {
    const PUBLIC = fixture('maya', 'public');
    const udim = await scanScene(join(PUBLIC, 'udim', 'UsdExportUDIMTest.ma'));
    expect(udim.references.map((r) => [r.location.name, r.sequence?.found])).toEqual([['file file1.ftn', 3]]);
    const rel = await scanScene(join(PUBLIC, 'rel_project', 'scenes', 'TextureTest.ma'));
    expect(rel.references.map((r) => [r.location.name, r.resolved, r.exists])).toEqual([
      ['file file1.ftn', join(PUBLIC, 'rel_project', 'sourceimages', 'grid.png'), true],
    ]);
    expect(rel.settings.renderer).toEqual({ value: 'arnold', from: 'defaultRenderGlobals.currentRenderer' });
    const rfm = await scanScene(join(PUBLIC, 'rfm', 'RfMLightsTest.ma'));
    expect(rfm.references.map((r) => `${r.location.name} ${r.path} ${r.exists}`)).toEqual([
      'PxrDiskLight DiskLightShape.iesProfile ./DiskLight_profile.ies true',
      'PxrDomeLight DomeLightShape.lightColorMap ./DomeLight_texture.tex true',
      'PxrRectLight RectLightShape.lightColorMap ./RectLight_texture.tex false',
    ]);
  });
});

describe('Houdini scenes in production', () => {
  const DIR = fixture('houdini');

  it('lists what File, Alembic, USD and texture parameters read, not what the scene writes', async () => {
    const scan = await scanScene(join(DIR, 'production.hip'));
    expect(scan.references.map((r) => `${r.location.name} ${r.path}`)).toEqual([
      'filepattern /tasks/topnet1/filepattern1.pattern $HIP/tex/*.png',
      'file /obj/geo1/file1.file $HIP/geo/box.$F4.bgeo.sc',
      'alembic /obj/geo1/alembic1.fileName $HIP/cache/anim.abc',
      'sublayer /stage/sublayer1.filepath1 $HIP/usd/layout.usda',
      'principledshader::2.0 /mat/wood.basecolor_texture $HIP/tex/wood.png',
    ]);
    expect(refNamed(scan, 'file /obj/geo1/file1.file')).toMatchObject({
      exists: true,
      sequence: { found: 2 },
    });
    expect(scan.notes).toContain(
      "1 path(s) into Houdini's own installation ($HH, $HFS) are not listed: Houdini brings them wherever it runs",
    );
    expect(scan.notes).toContain(
      '8 path(s) the scene writes (render and cache outputs, ROPs, the render gallery, task graphs) are outputs: not listed',
    );
  });

  it('returns the render ROP range, output, camera and its resolution, and the renderer', async () => {
    const scan = await scanScene(join(DIR, 'production.hip'));
    expect(scan.settings).toEqual({
      frames: {
        value: { start: 1001, end: 1100, step: 2 },
        from: '/out/mantra1.f (Valid Frame Range: normal)',
      },
      renderer: { value: 'mantra', from: '/out/mantra1 (ifd)' },
      output: { value: '$HIP/render/$HIPNAME.$OS.$F4.exr', from: '/out/mantra1.vm_picture' },
      camera: { value: '/obj/cam1', from: '/out/mantra1.camera' },
      resolution: { value: { width: 1920, height: 1080 }, from: '/obj/cam1.res' },
    });
  });

  it('preflights a public Houdini 18.5 scene clean: no render gallery, task graph or ROP output listed', async () => {
    const scan = await scanScene(join(DIR, 'public', 'test_parameters.hip'));
    expect(scan.references).toEqual([]);
    expect(scan.settings).toEqual({
      frames: {
        value: { start: 1, end: 240, step: 1 },
        from: 'playbar range (frange; /out/mantra1 renders the current frame only)',
      },
      renderer: { value: 'mantra', from: '/out/mantra1 (ifd)' },
      output: { value: '$HIP/render/$HIPNAME.$OS.$F4.exr', from: '/out/mantra1.vm_picture' },
      camera: { value: '/obj/cam1', from: '/out/mantra1.camera' },
    });
  });
});

describe('V-Ray scenes in production', () => {
  const DIR = fixture('vray', 'production');

  it('lists bitmaps, ptex, Phoenix caches, IES, OSL, proxies of nested scenes and a light cache read from file', async () => {
    const scan = await scanScene(join(DIR, 'shot.vrscene'));
    expect(scan.references.map((r) => `${r.location.name} ${r.kind} ${r.exists}`)).toEqual([
      'SettingsLightCache lightCache.file cache true',
      'BitmapBuffer skin@bitmapBuffer.file texture true',
      'TexPtex leaf@ptex.ptex_file texture true',
      'PhxShaderCache smoke@cache.cache_path volume true',
      'LightIES downlight@ies.ies_file other true',
      'TexOSL noise@osl.shader_file other true',
      'BitmapBuffer animated@bitmapBuffer.file texture false',
      'VRayScene set_dressing@vrayscene.filepath referenced-scene true',
      'GeomMeshFile rock_proxy@mesh.file cache true',
    ]);
    expect(refNamed(scan, 'BitmapBuffer skin@bitmapBuffer.file').sequence).toMatchObject({ found: 2 });
    expect(refNamed(scan, 'PhxShaderCache smoke@cache.cache_path').sequence).toMatchObject({
      found: 3,
      missing: 0,
    });
    expect(refNamed(scan, 'BitmapBuffer animated@bitmapBuffer.file').unresolved).toMatch(/animated/);
    // The irradiance map is computed and written by V-Ray (mode 0): not an input.
    expect(scan.references.some((r) => r.path.includes('vrmap'))).toBe(false);
  });

  it('returns SettingsOutput: size, output, and the frames of its animation range', async () => {
    const scan = await scanScene(join(DIR, 'shot.vrscene'));
    expect(scan.settings).toEqual({
      resolution: {
        value: { width: 2048, height: 858 },
        from: 'SettingsOutput vraySettings.img_width/img_height',
      },
      output: {
        value: '/mnt/renders/sh010/sh010_beauty.exr',
        from: 'SettingsOutput vraySettings.img_dir + img_file',
      },
      format: { value: 'exr', from: 'SettingsOutput vraySettings.img_file' },
      frames: {
        value: { start: 1000, end: 1099, step: 1 },
        from: 'SettingsOutput vraySettings.anim_start/anim_end/frames_per_second/frame_start',
      },
      renderer: { value: 'vray', from: 'the .vrscene format' },
    });
  });
});

describe("every file knob and attribute of the README's table", () => {
  /** Writes `text` as `name` in a fresh folder and scans it. */
  const scanText = async (name: string, text: string) => {
    const dir = tempDir();
    writeFileSync(join(dir, name), text);
    return scanScene(join(dir, name));
  };

  it('Nuke: each reading node class and knob is listed; cameras, axes, lights and CDLs only when read from file', async () => {
    const knobs: [string, string][] = [
      ['Read', 'file'],
      ['Read', 'proxy'],
      ['DeepRead', 'file'],
      ['ReadGeo', 'file'],
      ['ReadGeo2', 'file'],
      ['Camera4', 'file'],
      ['OCIOFileTransform', 'file'],
      ['Vectorfield', 'vfield_file'],
      ['AudioRead', 'file'],
      ['Precomp', 'file'],
      ['LiveGroup', 'file'],
      ['ParticleCache', 'file'],
      ['GeoImport', 'file'],
      ['BlinkScript', 'kernelSourceFile'],
      ['FieldVolume', 'file_name'],
    ];
    const fromFile = [
      'Camera',
      'Camera2',
      'Camera3',
      'Axis',
      'Axis2',
      'Axis3',
      'Light',
      'Light2',
      'Light3',
      'OCIOCDLTransform',
    ];
    const nodes = [
      ...knobs.map(([cls, knob], i) => `${cls} {\n ${knob} in/${cls}_${knob}.dat\n name N${i}\n}`),
      ...fromFile.map((cls, i) => `${cls} {\n read_from_file true\n file in/${cls}.fbx\n name F${i}\n}`),
      ...fromFile.map((cls, i) => `${cls} {\n file in/${cls}_unused.fbx\n name U${i}\n}`),
    ];
    const scan = await scanText('all.nk', `${nodes.join('\n')}\n`);
    expect(scan.references.map((r) => r.location.name)).toEqual([
      ...knobs.map(([cls, knob], i) => `${cls} N${i}.${knob}`),
      ...fromFile.map((cls, i) => `${cls} F${i}.file`),
    ]);
  });

  it('Maya: each node type and file attribute is listed', async () => {
    const attrs: [string, string][] = [
      ['file', 'ftn'],
      ['psdFileTex', 'fileTextureName'],
      ['imagePlane', 'imn'],
      ['AlembicNode', 'fn'],
      ['gpuCache', 'cfn'],
      ['audio', 'f'],
      ['cacheFile', 'cp'],
      ['aiImage', 'filename'],
      ['aiStandIn', 'dso'],
      ['aiVolume', 'fn'],
      ['aiPhotometricLight', 'aiFilename'],
      ['VRayMesh', 'fn'],
      ['VRayVolumeGrid', 'if'],
      ['VRayLightIESShape', 'iesFile'],
      ['RedshiftProxyMesh', 'fn'],
      ['RedshiftVolumeShape', 'fn'],
      ['RedshiftDomeLight', 'tex0'],
      ['RedshiftIESLight', 'profile'],
      ['mayaUsdProxyShape', 'fp'],
      ['PxrTexture', 'filename'],
      ['PxrPtexture', 'filename'],
      ['PxrNormalMap', 'filename'],
      ['PxrBump', 'filename'],
      ['PxrMultiTexture', 'filename3'],
      ['PxrDomeLight', 'lightColorMap'],
      ['PxrRectLight', 'lightColorMap'],
      ['PxrRectLight', 'iesProfile'],
      ['PxrDiskLight', 'iesProfile'],
      ['PxrSphereLight', 'iesProfile'],
      ['PxrCylinderLight', 'iesProfile'],
      ['PxrMeshLight', 'iesProfile'],
      ['PxrPortalLight', 'lightColorMap'],
      ['PxrGoboLightFilter', 'map'],
      ['PxrCookieLightFilter', 'map'],
    ];
    const body = attrs
      .map(
        ([type, attr], i) =>
          `createNode ${type} -n "n${i}";\n\tsetAttr ".${attr}" -type "string" "in/${type}.dat";`,
      )
      .join('\n');
    const scan = await scanText('all.ma', `//Maya ASCII 2024 scene\nrequires maya "2024";\n${body}\n`);
    expect(scan.references.map((r) => r.location.name)).toEqual(
      attrs.map(([type, attr], i) => `${type} n${i}.${attr}`),
    );
  });

  it('V-Ray: each file parameter of the plugin descriptions is listed; Settings outputs are not', async () => {
    const params: [string, string][] = [
      ['BitmapBuffer', 'file'],
      ['GeomMeshFile', 'file'],
      ['GeomMeshFile', 'material_assignments_file'],
      ['LightIES', 'ies_file'],
      ['TexPtex', 'ptex_file'],
      ['PhxShaderCache', 'cache_path'],
      ['TexOSL', 'shader_file'],
      ['MtlOSL', 'shader_file'],
      ['VRayScene', 'filepath'],
      ['VRayScene', 'override_filepath'],
    ];
    const plugins = params.map(
      ([type, param], i) => `${type} p${i} {\n  ${param}="in/${type}_${param}.dat";\n}`,
    );
    const settings = [
      'SettingsLightCache lc {\n  mode=0;\n  file="out/lc.vrlmap";\n}',
      'SettingsIrradianceMap im {\n  mode=2;\n  file="in/im.vrmap";\n  auto_save_file="out/im.vrmap";\n}',
      'SettingsOutput out {\n  img_file="out/beauty.exr";\n}',
    ];
    const scan = await scanText('all.vrscene', `${[...plugins, ...settings].join('\n')}\n`);
    expect(scan.references.map((r) => r.location.name)).toEqual([
      ...params.map(([type, param], i) => `${type} p${i}.${param}`),
      'SettingsIrradianceMap im.file',
    ]);
  });
});

describe('USD layers in production', () => {
  it("returns the layer's frames from startTimeCode and endTimeCode", async () => {
    const dir = tempDir();
    const layer = join(dir, 'shot.usda');
    writeFileSync(
      layer,
      '#usda 1.0\n(\n    defaultPrim = "shot"\n    endTimeCode = 1100\n    framesPerSecond = 24\n    metersPerUnit = 0.01\n    startTimeCode = 1001\n    upAxis = "Y"\n)\n\ndef Xform "shot"\n{\n    double startTimeCode = 5\n}\n',
    );
    const scan = await scanScene(layer);
    expect(scan.settings).toEqual({
      frames: {
        value: { start: 1001, end: 1100, step: 1 },
        from: 'layer metadata startTimeCode/endTimeCode',
      },
    });
  });
});
