/** The frames of a frame-range string, or an error message when it is malformed. */
export type FrameParse = { ok: true; frames: number[] } | { ok: false; message: string };

const MAX_FRAMES = 100_000;

/**
 * Parses `start [end] [step]` groups separated by commas (`"1 10 2,20"`): integers, end ≥ start, step ≥ 1.
 */
export function parseFrames(spec: string): FrameParse {
  const frames = new Set<number>();
  const groups = spec.split(',');
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
    // Overlapping groups count each distinct frame once.
    for (let f = start; f <= end; f += step) {
      frames.add(f);
      if (frames.size > MAX_FRAMES) return { ok: false, message: `more than ${MAX_FRAMES} frames` };
    }
  }
  return { ok: true, frames: [...frames] };
}
