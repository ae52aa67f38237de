import type { Survival, SurvivalPoint } from '../result/expiry.js';
/**
 * The probe method's arithmetic: each probe is one session looked at once, alive or gone,
 * at an offset from its expected end. Sorted by offset they give a survival curve — the
 * fraction alive by offset — which must not rise; its least-squares non-increasing fit
 * (pool adjacent violators) crosses 50% at the estimated boundary, the median lifetime.
 */

export interface ProbePoint {
  /** From the session's expected end (its close, or the cut, + its expiry), ms. */
  offsetMs: number;
  alive: boolean;
}


interface Block {
  /** Sum of x and of y, and the count, of the points pooled in this block. */
  sx: number;
  sy: number;
  n: number;
}

/** Pool adjacent violators: the non-increasing step fit of ys (in x order), as blocks. */
function poolDecreasing(points: readonly { x: number; y: number }[]): Block[] {
  const blocks: Block[] = [];
  for (const { x, y } of points) {
    blocks.push({ sx: x, sy: y, n: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const prev = blocks[blocks.length - 2]!;
      if (prev.sy / prev.n >= last.sy / last.n) break;
      blocks.splice(blocks.length - 2, 2, { sx: prev.sx + last.sx, sy: prev.sy + last.sy, n: prev.n + last.n });
    }
  }
  return blocks;
}

/** The fitted value at each input point, in x order. */
export function fitDecreasing(ys: readonly number[]): number[] {
  return poolDecreasing(ys.map((y, x) => ({ x, y }))).flatMap((b) => Array<number>(b.n).fill(b.sy / b.n));
}

/**
 * Where the non-increasing fit crosses 0.5, interpolated between the centres of its steps;
 * `outside` when every step is above (the boundary lies after the probes) or at or below
 * it from the first (before them).
 */
export function estimateBoundary(probes: readonly ProbePoint[]): { boundaryMs: number | null; outside?: 'before' | 'after' } {
  if (probes.length === 0) return { boundaryMs: null };
  const sorted = [...probes].sort((a, b) => a.offsetMs - b.offsetMs);
  const steps = poolDecreasing(sorted.map((p) => ({ x: p.offsetMs, y: p.alive ? 1 : 0 }))).map((b) => ({ x: b.sx / b.n, y: b.sy / b.n }));
  const i = steps.findIndex((s) => s.y <= 0.5);
  if (i < 0) return { boundaryMs: null, outside: 'after' };
  const step = steps[i]!;
  if (step.y === 0.5) return { boundaryMs: step.x };
  if (i === 0) return { boundaryMs: null, outside: 'before' };
  const prev = steps[i - 1]!;
  return { boundaryMs: prev.x + ((prev.y - 0.5) / (prev.y - step.y)) * (step.x - prev.x) };
}

/** Share of `ends` (ms from the expected end; Infinity = never ended) later than `offsetMs`. */
export function aliveShare(ends: readonly number[], offsetMs: number): number | null {
  if (ends.length === 0) return null;
  return ends.filter((e) => e > offsetMs).length / ends.length;
}

/** The survival curve in at most `slices` equal slices of the probed offsets, beside the will method's. */
export function survivalCurve(probes: readonly ProbePoint[], willEnds: readonly number[], slices = 10): Survival {
  const sorted = [...probes].sort((a, b) => a.offsetMs - b.offsetMs);
  const { boundaryMs, outside } = estimateBoundary(sorted);
  const alive = sorted.filter((p) => p.alive);
  const gone = sorted.filter((p) => !p.alive);
  const survival: Survival = {
    points: [],
    boundaryMs: boundaryMs === null ? null : Math.round(boundaryMs * 10) / 10,
    ...(outside ? { outside } : {}),
    lastAliveMs: alive.at(-1)?.offsetMs ?? null,
    firstGoneMs: gone[0]?.offsetMs ?? null,
    spacingMs: sorted.length > 1 ? Math.round(((sorted.at(-1)!.offsetMs - sorted[0]!.offsetMs) / (sorted.length - 1)) * 10) / 10 : null,
  };
  if (sorted.length === 0) return survival;
  const lo = sorted[0]!.offsetMs;
  const hi = sorted.at(-1)!.offsetMs;
  const count = Math.max(1, Math.min(slices, sorted.length));
  const width = (hi - lo) / count || 1;
  for (let k = 0; k < count; k++) {
    const inSlice = sorted.filter((p) => {
      const slot = Math.min(count - 1, Math.floor((p.offsetMs - lo) / width));
      return slot === k;
    });
    if (inSlice.length === 0) continue;
    const at = inSlice.reduce((n, p) => n + p.offsetMs, 0) / inSlice.length;
    const living = inSlice.filter((p) => p.alive).length;
    // The wills asked the same question at the same offsets: the mean of their answers.
    const willFraction = willEnds.length === 0 ? null : inSlice.reduce((n, p) => n + (aliveShare(willEnds, p.offsetMs) ?? 0), 0) / inSlice.length;
    survival.points.push({
      offsetMs: Math.round(at * 10) / 10,
      probes: inSlice.length,
      alive: living,
      fraction: living / inSlice.length,
      willFraction: willFraction === null ? null : Math.round(willFraction * 1000) / 1000,
    });
  }
  return survival;
}
