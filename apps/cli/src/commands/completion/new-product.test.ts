/**
 * A product added as one spec in `@gm/products` reaches the completion scripts with no edit here: the product
 * codes (`--product`, `gm machines`) and the scene extensions come from the catalogue the specs make.
 */
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { Io } from '../../lib/output.js';
import { createProgram, loadAllCommands } from '../../program.js';
import { COMMANDS } from '../table.js';
import { bashScript, fishScript, zshScript } from './index.js';

vi.mock('@gm/products', async (importOriginal) => {
  const real = await importOriginal<typeof import('@gm/products')>();
  const { GAFFER: gaffer } = await import('../../../../../packages/products/test/gaffer.js');
  const tables = real.productTables([...real.PRODUCT_SPEC_LIST, gaffer]);
  return { ...real, PRODUCT_CODES: tables.codes, PRODUCTS: tables.products };
});

const sink = { write: () => true, isTTY: false };
const io: Io = {
  stdout: sink,
  stderr: sink,
  stdin: Readable.from([]),
  env: {},
  cwd: process.cwd(),
} as unknown as Io;

describe('completion of a product added as a spec', () => {
  it('offers its code and its scene extension in every shell', async () => {
    const program = createProgram(io, new AbortController().signal);
    await loadAllCommands(program);
    const bash = bashScript(program, COMMANDS);
    expect(bash).toContain('blender c4d hou maya nuke vray gaffer');
    expect(bash).toMatch(/_gm_scenes [^\n]*\bgfr\b/);
    expect(zshScript(program, COMMANDS)).toMatch(/\*\.\([^)]*\|gfr\)/);
    expect(fishScript(program, COMMANDS)).toMatch(/for ext in [^\n]*\bgfr\b/);
  });
});
