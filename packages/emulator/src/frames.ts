import { FrameList, type FrameRun } from './ranges.js';

/** The frames of a frame-range string, or an error message when it is malformed. */
export type FrameParse = { ok: true; frames: number[] } | { ok: false; message: string };

/** The frames of a frame-range string as a {@link FrameList}, or an error message when it is malformed. */
export type FrameListParse = { ok: true; list: FrameList } | { ok: false; message: string };

const MAX_FRAMES = 100_000;

/**
 * Parses `start [end] [step]` groups separated by commas (`"1 10 2,20"`): integers, end ≥ start, step ≥ 1.
 * Overlapping groups count each distinct frame once; the frames keep the order they are written in.
 */
export function parseFrameList(spec: string): FrameListParse {
  const groups = spec.split(',');
  const runs: FrameRun[] = [];
  for (const [i, group] of groups.entries()) {
    const parts = group.trim().split(/\s+/).filter(Boolean);
    const where = groups.length > 1 ? `group ${i + 1} ("${group.trim()}")` : `"${spec.trim()}"`;
    if (parts.length < 1 || parts.length > 3) {
      return { ok: false, message: `${where} must be "start [end] [step]"` };
    }
    if (!parts.every((p) => /^-?\d+$/.test(p))) {
      return { ok: false, message: `${where} must hold integers only` };
    }
    const [start = 0, end = start, step = 1] = parts.map(Number);
    if (![start, end, step].every((n) => Number.isSafeInteger(n))) {
      return { ok: false, message: `${where} holds a number too large` };
    }
    if (end < start) return { ok: false, message: `${where}: end ${end} is before start ${start}` };
    if (step < 1) return { ok: false, message: `${where}: step must be at least 1` };
    runs.push([start, step, Math.floor((end - start) / step) + 1]);
  }
  // Groups whose spans do not meet hold distinct frames: no need to list them.
  const spans = runs.map(([f, s, c]) => [f, f + (c - 1) * s] as const).sort((a, b) => a[0] - b[0]);
  if (spans.every((s, k) => k === 0 || s[0] > (spans[k - 1] as readonly [number, number])[1])) {
    const total = runs.reduce((n, r) => n + r[2], 0);
    if (total > MAX_FRAMES) return { ok: false, message: `more than ${MAX_FRAMES} frames` };
    return { ok: true, list: new FrameList(runs) };
  }
  // Overlapping groups count each distinct frame once.
  const frames = new Set<number>();
  for (const [first, step, count] of runs) {
    for (let k = 0; k < count; k++) {
      frames.add(first + k * step);
      if (frames.size > MAX_FRAMES) return { ok: false, message: `more than ${MAX_FRAMES} frames` };
    }
  }
  return { ok: true, list: FrameList.of([...frames]) };
}

/** Like {@link parseFrameList}, with the frames listed one by one. */
export function parseFrames(spec: string): FrameParse {
  const parsed = parseFrameList(spec);
  return parsed.ok ? { ok: true, frames: parsed.list.toArray() } : parsed;
}
