import { describe, expect, it } from 'vitest';
import { versionForScene } from './index.js';

describe('the version gm init writes for a scene', () => {
  const blender = ['2.79', '2.80', '2.83', '3.6', '4.2'];
  it('is the version the scene was saved with, its newest release when the service lists several', () => {
    expect(versionForScene(blender, '2.80').version).toBe('2.80');
    expect(versionForScene(['2022', '2022.3', '2022.10', '2023'], '2022').version).toBe('2022.10');
    expect(versionForScene(['12.2v4', '13.2v1', '13.2v4', '14.0v2'], '13.2v4').version).toBe('13.2v4');
    expect(versionForScene(blender, '2.80').why).toMatch(/saved with 2\.80/);
  });
  it('is the nearest newer one when the service does not offer it, and says so', () => {
    expect(versionForScene(blender, '3.4')).toEqual({
      version: '3.6',
      why: expect.stringMatching(/saved with 3\.4, not offered: the nearest newer/),
    });
    // 2.8 is not a release of 2.80: a prefix counts only up to a separator.
    expect(versionForScene(['2.80'], '2.8').why).toMatch(/not offered/);
  });
  it('is the newest, with a warning, when the scene is newer than any offered', () => {
    expect(versionForScene(blender, '5.0')).toEqual({
      version: '4.2',
      why: expect.stringMatching(/newer than any offered: check that it opens in 4\.2/),
    });
  });
  it('is the newest when the scene does not say (no why), and nothing when none is offered', () => {
    expect(versionForScene(blender, undefined)).toEqual({ version: '4.2' });
    expect(versionForScene([], '3.4')).toEqual({ version: undefined });
  });
});
