import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance, nearestVersion } from './suggest.js';

describe('suggestions', () => {
  it('measures edit distance case-insensitively', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('GM4800', 'gm4800')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('picks the closest candidate, and only a plausible one for did-you-mean', () => {
    expect(closest('gm4900', ['gm6400', 'gm4800', '1xp100-ob220'])).toBe('gm4800');
    expect(closest('x', [])).toBeUndefined();
    expect(didYouMean('outputprefx', ['outputPrefix', 'outputFormat'])).toBe('outputPrefix');
    expect(didYouMean('camera', ['outputPrefix', 'outputFormat'])).toBeUndefined();
  });

  it('finds the nearest version by version ordering', () => {
    const hou = ['17.0.459', '17.5.173', '17.5.229', '18.0.287'];
    expect(nearestVersion('17.5.300', hou)).toBe('17.5.229');
    expect(nearestVersion('17.5.180', hou)).toBe('17.5.173');
    expect(nearestVersion('17.1', hou)).toBe('17.0.459');
    expect(nearestVersion('19.0', hou)).toBe('18.0.287');
    expect(nearestVersion('2.81', ['2.79', '2.80', '2.83', '2.90'])).toBe('2.80');
    expect(nearestVersion('2.82', ['2.81', '2.83'])).toBe('2.83');
    expect(nearestVersion('12.2v9', ['12.2v3', '12.2v4', '13.0v1'])).toBe('12.2v4');
    expect(nearestVersion('R21', ['R19', 'R20', 'S24'])).toBe('R20');
    expect(nearestVersion('1.0', [])).toBeUndefined();
  });
});
