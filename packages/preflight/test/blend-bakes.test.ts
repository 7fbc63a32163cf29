/**
 * Geometry-nodes bake folders (Blender 4.1 on). No Blender that bakes them runs here and no public file with bakes
 * was found, so the files are written by blend-writer.mjs with the structs of Blender's DNA
 * (`source/blender/makesdna/DNA_modifier_types.h`: `NodesModifierData`, `NodesModifierBake`), field names as
 * Blender declares them; see fixtures/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addSceneDependencies, scanScene } from '../src/index.js';
import { BlendLayout, type StructSpec, writeBlend } from './blend-writer.mjs';
import { tempDir } from './helpers.js';

const MODIFIER_DATA: StructSpec = {
  type: 'ModifierData',
  fields: [
    ['ModifierData', '*next'],
    ['ModifierData', '*prev'],
    ['int', 'type'],
    ['int', 'mode'],
    ['float', 'execution_time'],
    ['short', 'flag'],
    ['short', 'ui_expand_flag'],
    ['uint16_t', 'layout_panel_open_flag'],
    ['char', '_pad[2]'],
    ['int', 'persistent_uid'],
    ['char', 'name[64]'],
    ['char', '*error'],
    ['void', '*runtime'],
  ],
};

/** `FileGlobal` (DNA_fileglobal_types.h), up to its flags: the file's subversion. */
const FILE_GLOBAL: StructSpec = {
  type: 'FileGlobal',
  fields: [
    ['char', 'subvstr[4]'],
    ['short', 'subversion'],
    ['short', 'minversion'],
    ['short', 'minsubversion'],
    ['char', '_pad[6]'],
    ['bScreen', '*curscreen'],
    ['Scene', '*curscene'],
    ['ViewLayer', '*cur_view_layer'],
    ['void', '*_pad1'],
    ['int', 'fileflags'],
    ['int', 'globalf'],
  ],
};

/**
 * The structs as Blender 4.3 on declares them (`bake_target`, `packed`, `bake_size`); `ModifierData` as 4.1–4.3
 * declare it (only its `name` is read).
 */
function layout43(): BlendLayout {
  return new BlendLayout([
    {
      type: 'Link',
      fields: [
        ['Link', '*next'],
        ['Link', '*prev'],
      ],
    },
    MODIFIER_DATA,
    FILE_GLOBAL,
    { type: 'NodesModifierSettings', fields: [['IDProperty', '*properties']] },
    {
      type: 'NodesModifierBake',
      fields: [
        ['int', 'id'],
        ['uint32_t', 'flag'],
        ['uint8_t', 'bake_mode'],
        ['int8_t', 'bake_target'],
        ['char', '_pad[6]'],
        ['char', '*directory'],
        ['int', 'frame_start'],
        ['int', 'frame_end'],
        ['int', 'data_blocks_num'],
        ['int', 'active_data_block'],
        ['NodesModifierDataBlock', '*data_blocks'],
        ['NodesModifierPackedBake', '*packed'],
        ['void', '*_pad2'],
        ['int64_t', 'bake_size'],
      ],
    },
    {
      type: 'NodesModifierData',
      fields: [
        ['ModifierData', 'modifier'],
        ['bNodeTree', '*node_group'],
        ['NodesModifierSettings', 'settings'],
        ['char', '*bake_directory'],
        ['int8_t', 'flag'],
        ['int8_t', 'bake_target'],
        ['char', '_pad[2]'],
        ['int', 'bakes_num'],
        ['NodesModifierBake', '*bakes'],
        ['char', '_pad2[4]'],
        ['int', 'panels_num'],
        ['NodesModifierPanel', '*panels'],
        ['NodesModifierRuntimeHandle', '*runtime'],
      ],
    },
  ]);
}

/** The structs as Blender 4.1 declares them: no bake target, nothing packed (every bake is on disk). */
function layout41(): BlendLayout {
  return new BlendLayout([
    {
      type: 'Link',
      fields: [
        ['Link', '*next'],
        ['Link', '*prev'],
      ],
    },
    MODIFIER_DATA,
    { type: 'NodesModifierSettings', fields: [['IDProperty', '*properties']] },
    {
      type: 'NodesModifierBake',
      fields: [
        ['int', 'id'],
        ['uint32_t', 'flag'],
        ['uint8_t', 'bake_mode'],
        ['char', '_pad[7]'],
        ['char', '*directory'],
        ['int', 'frame_start'],
        ['int', 'frame_end'],
        ['int', 'data_blocks_num'],
        ['int', 'active_data_block'],
        ['NodesModifierDataBlock', '*data_blocks'],
      ],
    },
    {
      type: 'NodesModifierData',
      fields: [
        ['ModifierData', 'modifier'],
        ['bNodeTree', '*node_group'],
        ['NodesModifierSettings', 'settings'],
        ['char', '*bake_directory'],
        ['int8_t', 'flag'],
        ['char', '_pad[3]'],
        ['int', 'bakes_num'],
        ['NodesModifierBake', '*bakes'],
        ['char', '_pad2[4]'],
        ['int', 'panels_num'],
        ['NodesModifierPanel', '*panels'],
        ['void', '*runtime'],
      ],
    },
  ]);
}

const TARGET = { inherit: 0, packed: 1, disk: 2 } as const;
const CUSTOM_PATH = 1 << 1;

interface BakeSpec {
  id: number;
  flag?: number;
  bake_target?: number;
  directory?: string;
  packed?: boolean;
}

/** A .blend with one geometry-nodes modifier "GeometryNodes" and its bakes. */
function blendWith(
  layout: BlendLayout,
  modifier: { bake_directory?: string; bake_target?: number; bakes_num?: number },
  bakes: BakeSpec[],
  version = '404',
  subversion?: number,
): Buffer {
  const blocks: Parameters<typeof writeBlend>[1][number][] = [];
  if (subversion !== undefined) {
    blocks.push({
      code: 'GLOB',
      struct: 'FileGlobal',
      address: 0x50,
      data: layout.pack('FileGlobal', { subvstr: ` ${subversion}`.slice(-4), subversion }),
    });
  }
  const strings: { address: number; data: string }[] = [];
  let next = 0x1000;
  const stringAt = (text: string | undefined) => {
    if (text === undefined) return 0;
    next += 0x100;
    strings.push({ address: next, data: text });
    return next;
  };
  const bakeDir = stringAt(modifier.bake_directory);
  const bakeData = Buffer.concat(
    bakes.map((b) =>
      layout.pack('NodesModifierBake', {
        id: b.id,
        flag: b.flag ?? 0,
        directory: stringAt(b.directory),
        ...(b.bake_target !== undefined ? { bake_target: b.bake_target } : {}),
        ...(b.packed ? { packed: 0x9000 } : {}),
      }),
    ),
  );
  blocks.push({
    struct: 'NodesModifierData',
    address: 0x100,
    data: layout.pack('NodesModifierData', {
      modifier: { type: 57, name: 'GeometryNodes' },
      bake_directory: bakeDir,
      bakes_num: modifier.bakes_num ?? bakes.length,
      bakes: bakes.length > 0 ? 0x800 : 0,
      ...(modifier.bake_target !== undefined ? { bake_target: modifier.bake_target } : {}),
    }),
  });
  // As Blender writes them: the modifier's folder, the bakes array, then each bake's folder.
  if (bakeDir) blocks.push({ address: bakeDir, data: modifier.bake_directory! });
  if (bakes.length > 0)
    blocks.push({ struct: 'NodesModifierBake', address: 0x800, data: bakeData, count: bakes.length });
  for (const s of strings) if (s.address !== bakeDir) blocks.push(s);
  return writeBlend(layout, blocks, version);
}

/** A bake on disk as Blender writes one: `meta/` (a JSON per frame) and `blobs/`. */
function bakeFolder(root: string, ...parts: string[]): string {
  const dir = join(root, ...parts);
  mkdirSync(join(dir, 'meta'), { recursive: true });
  mkdirSync(join(dir, 'blobs'), { recursive: true });
  writeFileSync(join(dir, 'meta', '1.json'), '{}');
  writeFileSync(join(dir, 'blobs', '1_mesh.blob'), 'x');
  return dir;
}

async function bakesOf(file: string) {
  const scan = await scanScene(file, { followLibraries: false });
  return scan.references.map((r) => ({
    name: r.location.name,
    kind: r.kind,
    path: r.path,
    exists: r.exists,
    resolved: r.resolved,
  }));
}

describe('.blend: geometry-nodes bake folders', () => {
  it('lists a disk bake in the modifier folder + bake id when its folder holds meta/, and adds its files', async () => {
    const root = tempDir();
    const folder = bakeFolder(root, 'bakes', '7');
    const file = join(root, 'shot.blend');
    writeFileSync(
      file,
      blendWith(layout43(), { bake_directory: '//bakes/', bake_target: TARGET.disk }, [
        { id: 7 },
        { id: 8 }, // never baked: no folder
      ]),
    );
    expect(await bakesOf(file)).toEqual([
      {
        name: 'Geometry nodes bake 7 of modifier "GeometryNodes"',
        kind: 'cache',
        path: '//bakes/7',
        exists: true,
        resolved: folder,
      },
    ]);
    const added: string[] = [];
    const deps = await addSceneDependencies(
      {
        localRoot: root,
        remoteRoot: '/shot',
        addFiles: async (_l: string, _r: string, files: readonly string[] = []) => {
          added.push(...files);
          return files;
        },
      },
      'shot.blend',
    );
    expect(added).toEqual(['shot.blend', 'bakes/7']);
    expect(deps.skipped).toEqual([]);
  });

  it('joins a modifier folder written without a trailing slash, as Blender does', async () => {
    const root = tempDir();
    bakeFolder(root, 'cache', '12');
    const file = join(root, 'shot.blend');
    writeFileSync(
      file,
      blendWith(layout43(), { bake_directory: '//cache', bake_target: TARGET.disk }, [{ id: 12 }]),
    );
    expect((await bakesOf(file)).map((r) => [r.path, r.exists])).toEqual([['//cache/12', true]]);
  });

  it('uses the bake’s own directory when it has a custom path, not the modifier folder + id', async () => {
    const root = tempDir();
    bakeFolder(root, 'mine');
    bakeFolder(root, 'bakes', '3'); // the modifier folder + id: not where this bake is
    const file = join(root, 'shot.blend');
    writeFileSync(
      file,
      blendWith(layout43(), { bake_directory: '//bakes/', bake_target: TARGET.disk }, [
        { id: 3, flag: CUSTOM_PATH, directory: '//mine' },
      ]),
    );
    expect((await bakesOf(file)).map((r) => [r.path, r.exists])).toEqual([['//mine', true]]);
  });

  it('lists nothing, and fails nothing, when a disk bake folder is absent or holds no meta/', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'bakes', '5', 'blobs'), { recursive: true }); // deleted bake: blobs left, no meta
    const file = join(root, 'shot.blend');
    writeFileSync(
      file,
      blendWith(layout43(), { bake_directory: '//bakes/', bake_target: TARGET.disk }, [
        { id: 4 },
        { id: 5 },
        { id: 6, flag: CUSTOM_PATH, directory: '//nowhere' },
        { id: 9, flag: CUSTOM_PATH }, // a custom path left empty
      ]),
    );
    const scan = await scanScene(file, { followLibraries: false });
    expect(scan.references).toEqual([]);
  });

  it('lists nothing for a packed bake, for a bake packed by default (4.3 on), or with no folder set', async () => {
    const root = tempDir();
    bakeFolder(root, 'bakes', '1');
    bakeFolder(root, 'bakes', '2');
    bakeFolder(root, 'bakes', '3');
    const file = join(root, 'shot.blend');
    writeFileSync(
      file,
      blendWith(layout43(), { bake_directory: '//bakes/', bake_target: TARGET.inherit }, [
        { id: 1, bake_target: TARGET.disk, packed: true }, // packed into the file
        { id: 2, bake_target: TARGET.packed },
        { id: 3 }, // inherits inherit: packed
      ]),
    );
    expect(await bakesOf(file)).toEqual([]);
    const unset = join(root, 'unset.blend');
    writeFileSync(unset, blendWith(layout43(), { bake_target: TARGET.disk }, [{ id: 1 }]));
    expect(await bakesOf(unset)).toEqual([]);
  });

  it('takes the bake’s own target over the modifier’s', async () => {
    const root = tempDir();
    bakeFolder(root, 'bakes', '1');
    bakeFolder(root, 'bakes', '2');
    const file = join(root, 'shot.blend');
    writeFileSync(
      file,
      blendWith(layout43(), { bake_directory: '//bakes/', bake_target: TARGET.packed }, [
        { id: 1, bake_target: TARGET.disk },
        { id: 2 },
      ]),
    );
    expect((await bakesOf(file)).map((r) => r.path)).toEqual(['//bakes/1']);
  });

  it('reads files of Blender 4.1–4.2 (no bake target: every bake is on disk)', async () => {
    const root = tempDir();
    bakeFolder(root, 'bakes', '4');
    const file = join(root, 'old.blend');
    writeFileSync(file, blendWith(layout41(), { bake_directory: '//bakes/' }, [{ id: 4 }, { id: 5 }], '401'));
    expect((await bakesOf(file)).map((r) => [r.path, r.exists])).toEqual([['//bakes/4', true]]);
  });

  it('bakes to disk a modifier left at inherit in a file saved before 4.3.23, as Blender updates it', async () => {
    const root = tempDir();
    bakeFolder(root, 'bakes', '1');
    const early = join(root, 'early.blend');
    writeFileSync(early, blendWith(layout43(), { bake_directory: '//bakes/' }, [{ id: 1 }], '403', 22));
    expect((await bakesOf(early)).map((r) => r.path)).toEqual(['//bakes/1']);
    const later = join(root, 'later.blend');
    writeFileSync(later, blendWith(layout43(), { bake_directory: '//bakes/' }, [{ id: 1 }], '403', 23));
    expect(await bakesOf(later)).toEqual([]);
  });

  it('reads no more bakes than the block holds, whatever bakes_num says', async () => {
    const root = tempDir();
    bakeFolder(root, 'bakes', '1');
    bakeFolder(root, 'bakes', '2');
    for (const bakes_num of [2_000_000_000, 3, -5]) {
      const file = join(root, `hostile_${bakes_num}.blend`);
      writeFileSync(
        file,
        blendWith(layout43(), { bake_directory: '//bakes/', bake_target: TARGET.disk, bakes_num }, [
          { id: 1 },
          { id: 2 },
        ]),
      );
      const expected = bakes_num < 0 ? [] : ['//bakes/1', '//bakes/2'];
      expect((await bakesOf(file)).map((r) => r.path)).toEqual(expected);
    }
  });
});
