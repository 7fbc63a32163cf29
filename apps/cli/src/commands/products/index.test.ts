import { fc, test } from '@fast-check/vitest';
import { compareVersions } from '@gm/core';
import { describe, expect, it } from 'vitest';
import { nearestVersions } from './index.js';

describe('nearestVersions', () => {
  it('names the offered versions around an unknown one', () => {
    const offered = ['17.5.173', '17.5.229', '18.0.287', '19.5.805'];
    expect(nearestVersions('18.5', offered)).toEqual(['18.0.287', '19.5.805']);
    expect(nearestVersions('99', offered)).toEqual(['19.5.805']);
    expect(nearestVersions('1', offered)).toEqual(['17.5.173']);
    expect(nearestVersions('1', [])).toEqual([]);
  });

  test.prop([
    fc.array(fc.stringMatching(/^\d{1,2}(\.\d{1,3}){0,2}$/), { maxLength: 12 }),
    fc.stringMatching(/^\d{1,3}(\.\d{1,2})?$/),
  ])('gives at most the one offered version below and the one above', (offered, version) => {
    const near = nearestVersions(version, offered);
    expect(near.length).toBeLessThanOrEqual(Math.min(2, offered.length));
    if (offered.length > 0) expect(near.length).toBeGreaterThan(0);
    const below = offered.filter((v) => compareVersions(v, version) <= 0);
    const above = offered.filter((v) => compareVersions(v, version) > 0);
    for (const v of near) expect(offered).toContain(v);
    if (above.length > 0) expect(near).toContain([...above].sort(compareVersions)[0]);
    if (below.length > 0 && above.length > 0)
      expect(compareVersions(near[0]!, version)).toBeLessThanOrEqual(0);
  });
});
