/**
 * `gm init`'s output format: called without the argument parser on copies of the scenes of `@gm/preflight`'s
 * fixtures (Blender 3.4's own file, Maya ASCII and V-Ray scenes), the job file takes the scene's format where
 * the scene's name for it is the job's, and keeps PNG with the reason where it is not.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../../test/io.js';
import { createContext } from '../../lib/context.js';
import { init, sceneOutputFormat } from './index.js';

const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  ...['..', '..', '..', '..', '..', 'packages', 'preflight', 'test', 'fixtures'],
);

/** Runs `gm init --json` offline on a copy of the fixture folder `folder`'s scene `scene`. */
async function initScene(
  folder: string,
  scene: string,
): Promise<{ json: Record<string, unknown>; text: string }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'gm-init-format-')), basename(folder));
  cpSync(join(FIXTURES, folder), dir, { recursive: true });
  const out = join(dir, 'job.yaml');
  const io = captureIo(dir);
  await init(createContext(io, { json: true }), join(dir, scene), {
    out,
    appVersion: '1.0',
    machine: 'gm4800',
  });
  return { json: JSON.parse(io.out()), text: readFileSync(out, 'utf8') };
}

describe("gm init: the job's output format from the scene", () => {
  it('a Blender scene saved with OpenEXR output renders OPEN_EXR, and says where that came from', async () => {
    const { json, text } = await initScene(join('blend', 'settings'), 'settings.blend');
    const from = 'scenes["Shot"].render.image_settings.file_format';
    expect(text).toContain(`    outputFormat: "OPEN_EXR" # from the scene: ${from}\n`);
    expect(json).toMatchObject({ outputFormat: 'OPEN_EXR', outputFormatFrom: `the scene: ${from}` });
  });

  it('a Maya scene rendered by Maya Software: its image format key', async () => {
    const { json, text } = await initScene('maya', join('scenes', 'shot.ma'));
    expect(text).toMatch(
      / {4}outputFormat: "exr" # from the scene: defaultRenderGlobals\.imfPluginKey, rendered by mayaSoftware/,
    );
    expect(json).toMatchObject({ outputFormat: 'exr' });
  });

  it("a Maya scene rendered by RenderMan keeps PNG: the render globals' format is not the one RenderMan writes", async () => {
    const { json, text } = await initScene(join('maya', 'project'), join('scenes', 'shots', 'shot_010.ma'));
    expect(text).toMatch(
      / {4}outputFormat: "PNG" # the scene's format "exr" \(defaultRenderGlobals\.imfPluginKey\) is not used: .*renderman writes/,
    );
    expect(json).not.toHaveProperty('outputFormat');
    expect(json.outputFormatReason).toMatch(/renderman writes the format its own settings give; PNG instead/);
  });

  it("a V-Ray scene's img_file extension", async () => {
    const { json, text } = await initScene('vray', 'scene.vrscene');
    expect(text).toContain('    outputFormat: "exr" # from the scene: SettingsOutput ');
    expect(json).toMatchObject({ outputFormat: 'exr' });
  });

  it('a Nuke script: the Nuke job file has no output format, none is written', async () => {
    const { json, text } = await initScene('nuke', 'comp.nk');
    expect(text).not.toContain('outputFormat');
    expect(json).not.toHaveProperty('outputFormatReason');
  });

  it('formats whose mapping is not certain keep the default, and say why', () => {
    const at = (value: string) => ({ value, from: 'x.file_format' });
    expect(sceneOutputFormat('blender', { format: at('FFMPEG') }, 'PNG')).toEqual({
      why: 'the scene\'s format "FFMPEG" (x.file_format) is not used: a movie file cannot be split over the frames each machine renders; PNG instead',
    });
    expect(sceneOutputFormat('blender', { format: at('imtype 99') }, 'PNG')?.why).toMatch(
      /not an image format Blender names/,
    );
    expect(sceneOutputFormat('blender', { format: at('TIFF') }, 'PNG')).toEqual({
      format: 'TIFF',
      from: 'x.file_format',
    });
    expect(
      sceneOutputFormat('maya', { format: at('avi'), renderer: at('mayaSoftware') }, 'PNG')?.why,
    ).toMatch(/not an image format key of Maya/);
    expect(sceneOutputFormat('maya', { format: at('png'), renderer: at('mayaHardware2') }, 'PNG')).toEqual({
      format: 'png',
      from: 'x.file_format',
    });
    expect(sceneOutputFormat('vray', { format: at('mov') }, 'PNG')?.why).toMatch(
      /not an image file extension V-Ray writes/,
    );
    expect(sceneOutputFormat('blender', {}, 'PNG')).toBeUndefined();
  });
});
