import { posix, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { programName } from './program.js';

describe('programName', () => {
  it('is gridmarkets when started under that name, on POSIX and Windows paths', () => {
    expect(programName(posix.join('/home/me/.local/bin', 'gridmarkets'))).toBe('gridmarkets');
    expect(programName(win32.join('C:\\Users\\me\\AppData\\Roaming\\npm', 'gridmarkets.cmd'))).toBe(
      'gridmarkets',
    );
    expect(programName('GridMarkets.ps1')).toBe('gridmarkets');
  });

  it('is gm for the short name, the shim itself, and anything else', () => {
    expect(programName('/usr/local/bin/gm')).toBe('gm');
    expect(programName(win32.join('C:\\proj\\node_modules\\@gm\\cli\\bin', 'gm.js'))).toBe('gm');
    expect(programName('gridmarkets-old')).toBe('gm');
    expect(programName(undefined)).toBe('gm');
  });
});
