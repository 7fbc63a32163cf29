import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Job, Project } from '@gm/core';
import { describe, expect, it } from 'vitest';
import { addSceneDependencies, preflightProject } from '../src/index.js';
import { fixture, tempDir } from './helpers.js';

/** A project folder holding a copy of the Blender fixtures. */
function blendProject(): string {
  const dir = join(tempDir(), 'shot');
  cpSync(fixture('blend'), dir, { recursive: true });
  rmSync(join(dir, 'make_fixtures.py'));
  return dir;
}

function blenderJob(path: string, frames = '1 3'): Job {
  return new Job({ name: 'beauty', app: 'blender', appVersion: '3.4', path, params: { frames } });
}

describe('addSceneDependencies', () => {
  it('adds the scene and every existing file it needs inside the project, and says what it skipped', async () => {
    const dir = blendProject();
    const project = new Project(dir);
    const result = await addSceneDependencies(project, 'scene.blend', { pathMap: { '/mnt/proj/': dir } });
    expect(result.project).toBe(project);
    expect(result.added[0]).toBe('scene.blend');
    expect([...project.files]).toEqual(
      [
        'audio/beep.wav',
        'libs/cycle_a.blend',
        'libs/cycle_b.blend',
        'libs/library.blend',
        'scene.blend',
        'seq/frame_0001.png',
        'seq/frame_0002.png',
        'seq/frame_0003.png',
        'seq/frame_0005.png',
        'textures/lib_brick.png',
        'textures/wood.png',
        'udim/skin.1001.png',
        'udim/skin.1002.png',
      ].sort(),
    );
    expect(result.skipped.map((r) => r.path).sort()).toEqual(
      [
        '//cache/sim.abc',
        '//fonts/title.ttf',
        '//seq/frame_0001.png', // the image sequence misses frame 4 (its files were added)
        '//seq/frame_0001.png', // so does the movie clip
        '//textures/missing.png',
        '//vdb/smoke.vdb',
        'C:\\proj\\textures\\wood.png',
      ].sort(),
    );
  });
});

describe('preflightProject', () => {
  it("reads a job's scene where the job says it is on this machine, not where its remote path would put it", async () => {
    const dir = blendProject();
    const project = new Project(dir, { name: 'shot' });
    await project.addFiles(dir, '/shot', ['scene.blend']);
    // The scene is not where the remote path puts it (`<dir>/scene.blend`); a job that carries its local path
    // is read there, one that does not is not found.
    project.addJobs(blenderJob('/shot/scene.blend'));
    rmSync(join(dir, 'scene.blend'));
    const moved = join(tempDir(), 'elsewhere.blend');
    cpSync(join(fixture('blend'), 'scene.blend'), moved);
    const withLocal = new Project(dir, { name: 'shot' });
    withLocal.addFileList(dir, '/shot', ['scene.blend']);
    withLocal.addJobs(
      new Job({
        name: 'local',
        app: 'blender',
        appVersion: '3.4',
        path: '/shot/scene.blend',
        localPath: moved,
      }),
    );
    const [carried] = (await preflightProject(withLocal)).jobs;
    expect(carried?.scene).toBe(moved);
    expect(carried?.scan?.scanned).toBe(true);
    const [derived] = (await preflightProject(project)).jobs;
    expect(derived?.problems.map((p) => p.kind)).toEqual(['scene-missing']);
  });

  it('reports references missing, unresolvable, outside the project, and on disk but not added', async () => {
    const dir = blendProject();
    const project = new Project(dir, { name: 'shot' });
    await project.addFiles(dir, '/shot', ['scene.blend']);
    project.addJobs(blenderJob('/shot/scene.blend'));
    const report = await preflightProject(project, { pathMap: { '/mnt/proj/': fixture('blend') } });
    expect(report.ok).toBe(false);
    const byKind = (kind: string) =>
      report.problems.filter((p) => p.kind === kind).map((p) => p.reference?.location.name);
    // Mapped onto a folder outside the project, and a Windows path no pathMap entry covers.
    expect(byKind('outside')).toEqual(['Image "mapped"', 'Image "windows"']);
    expect(byKind('unresolved')).toEqual([]);
    expect(byKind('missing').sort()).toEqual(
      ['CacheFile "scratch.abc"', 'Image "missing"', 'VFont "DejaVu Sans Book"', 'Volume "smoke"'].sort(),
    );
    // Within frames 1-3 the sequences are complete, but not added.
    expect(byKind('not-added')).toContain('Image "frame_0001.png"');
    expect(byKind('not-added')).toContain('Library "library.blend"');
    expect(byKind('not-added')).toContain('Image "lib_brick.png"');
    const outside = report.problems.find((p) => p.kind === 'outside')!;
    expect(outside.field).toBe('jobs[0].path');
    expect(outside.message).toMatch(/outside the project folder/);
  });

  it('after addSceneDependencies, only what is really missing is left; frames beyond the sequence are missing', async () => {
    const dir = blendProject();
    const project = new Project(dir, { name: 'shot' });
    await addSceneDependencies(project, join(dir, 'scene.blend'), { pathMap: { '/mnt/proj/': dir } });
    project.addJobs(blenderJob('/shot/scene.blend', '1 5'));
    const report = await preflightProject(project, { pathMap: { '/mnt/proj/': dir } });
    expect(report.problems.filter((p) => p.kind === 'not-added')).toEqual([]);
    const missing = report.problems.filter((p) => p.kind === 'missing').map((p) => p.message);
    expect(missing.some((m) => m.includes('1 of 5 frames missing (4)'))).toBe(true);
  });

  it('a complete project passes', async () => {
    const dir = join(tempDir(), 'clean');
    cpSync(fixture('blend', 'libs'), join(dir, 'libs'), { recursive: true });
    cpSync(fixture('blend', 'textures'), join(dir, 'textures'), { recursive: true });
    const project = new Project(dir);
    await addSceneDependencies(project, 'libs/library.blend');
    project.addJobs(blenderJob('/clean/libs/library.blend'));
    const report = await preflightProject(project);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.jobs[0]!.scan!.references.map((r) => r.path)).toEqual(['//../textures/lib_brick.png']);
  });

  it('says when a job renders its scene in another version than the one it was saved with', async () => {
    const dir = join(tempDir(), 'clean');
    cpSync(fixture('blend', 'libs'), join(dir, 'libs'), { recursive: true });
    cpSync(fixture('blend', 'textures'), join(dir, 'textures'), { recursive: true });
    const project = new Project(dir);
    await addSceneDependencies(project, 'libs/library.blend');
    const job = (name: string, appVersion: string) =>
      new Job({
        name,
        app: 'blender',
        appVersion,
        path: '/clean/libs/library.blend',
        params: { frames: '1' },
      });
    // Saved with Blender 3.4: 3.4 and its releases are the same version; 4.2 is not.
    project.addJobs(job('same', '3.4'), job('release', '3.4.1'), job('newer', '4.2'));
    const report = await preflightProject(project);
    expect(report.problems.map((p) => [p.job, p.field, p.kind])).toEqual([
      ['newer', 'jobs[2].appVersion', 'version'],
    ]);
    expect(report.problems[0]!.message).toMatch(/saved with version 3\.4, and the job renders it in 4\.2/);
  });

  it('reports a scene that is missing, unreadable or not scanned', async () => {
    const dir = blendProject();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'broken.blend'), 'BLENDER-v304');
    writeFileSync(join(dir, 'scene.c4d'), 'c4d');
    const project = new Project(dir, { name: 'shot' });
    await project.addFiles(dir, '/shot', ['broken.blend', 'scene.c4d']);
    project.addJobs(
      blenderJob('/shot/gone.blend'),
      blenderJob('/shot/broken.blend'),
      new Job({ name: 'c4d', app: 'c4d', appVersion: 'R19', path: '/shot/scene.c4d' }),
    );
    const report = await preflightProject(project);
    expect(report.jobs.map((j) => j.problems.map((p) => p.kind))).toEqual([
      ['scene-missing'],
      ['unreadable'],
      ['not-scanned'],
    ]);
    expect(report.jobs[1]!.problems[0]!.message).toMatch(/broken\.blend at byte 12: file ends early/);
  });
});
