import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { FrameList, RangeSet } from '../src/ranges.js';
import { completedFiles, completedTotals, frameOutput } from '../src/results.js';
import type { JobRecord, ProjectRecord } from '../src/store.js';

vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return { ...crypto, createHash: vi.fn(crypto.createHash) };
});

function project(ext: string, frames: number): ProjectRecord {
  const job = {
    id: 'j',
    name: 'comp',
    frames: new FrameList([[1, 1, frames]]),
    done: RangeSet.of([[0, frames - 1]]),
    cancelled: new RangeSet(),
    outputDir: 'out',
    outputPrefix: 'frame',
    ext,
  } as JobRecord;
  return { name: 'p', owner: 'u', createdAt: 'then', files: {}, watch: {}, jobs: [job], downloads: [] };
}

describe('the totals of GET /projects', () => {
  // Hashing every frame's output made GET /projects block the emulator for seconds on big EXR jobs
  // (2.2 s for 5 jobs of 100,000 frames), where summing sizes takes milliseconds.
  it.each(['exr', 'png'])('count and size a job of 20,000 %s frames without hashing their outputs', (ext) => {
    const p = project(ext, 20_000);
    // The 256 PNGs (one per hue) are made and hashed once per process.
    for (let f = 1; f <= 256; f++) frameOutput(p.jobs[0] as JobRecord, f);
    vi.mocked(createHash).mockClear();
    const totals = completedTotals(p);
    const files = completedFiles(p);
    expect(vi.mocked(createHash)).not.toHaveBeenCalled();
    // The sizes are those of the outputs.
    const job = p.jobs[0] as JobRecord;
    let size = 0;
    for (let f = 1; f <= 20_000; f++) size += frameOutput(job, f).data.length;
    expect(totals).toEqual({ count: 20_000, size });
    expect([...files.values()].reduce((n, f) => n + ('size' in f ? f.size : 0), 0)).toBe(size);
  });
});
