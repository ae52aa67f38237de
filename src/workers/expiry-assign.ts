/**
 * Which session of a group closes which way, and which are probed at what offset: the same
 * for every shard (each keeps the indices it owns), from the run's seed. Counts are exact
 * (largest remainder), and indices are shuffled first, so neither connection order nor the
 * shard a session lives on lines up with its way of closing or its probe offset.
 */
import type { ExpiryClose, ProbeWindow } from '../scenario/plan.js';
import { clientSeed, createRandom } from './jitter.js';

export interface SessionAssignment {
  close: ExpiryClose;
  /** Offset of its one probe from its expected end, ms; absent: timed by its will only. */
  probeOffsetMs?: number;
}

const CLOSES: readonly ExpiryClose[] = ['graceful', 'abrupt', 'partition'];

/** n split by shares (adding up to 1) exactly: floors, then the largest remainders get one more. */
export function splitByShares(n: number, shares: readonly number[]): number[] {
  const raw = shares.map((s) => s * n);
  const counts = raw.map(Math.floor);
  let left = n - counts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, rest: r - Math.floor(r) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    if (shares[i]! > 0) {
      counts[i]! += 1;
      left--;
    }
  }
  return counts;
}

/** K offsets spread evenly over the window, each in the middle of its slice. */
export function spreadOffsets(k: number, window: ProbeWindow): number[] {
  const width = window.toMs - window.fromMs;
  return Array.from({ length: k }, (_, slot) => Math.round(window.fromMs + ((slot + 0.5) / k) * width));
}

/** Every index 0..count-1 of the group, assigned. */
export function assignSessions(
  group: string,
  count: number,
  closes: Record<ExpiryClose, number>,
  probeShare: number,
  windows: Record<ExpiryClose, ProbeWindow>,
  seed: number,
): SessionAssignment[] {
  const random = createRandom(clientSeed(seed, `expiry:${group}`, count));
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const counts = splitByShares(count, CLOSES.map((c) => closes[c]));
  const out: SessionAssignment[] = new Array<SessionAssignment>(count);
  let next = 0;
  CLOSES.forEach((close, c) => {
    const members = order.slice(next, next + counts[c]!);
    next += counts[c]!;
    const probed = Math.round(probeShare * members.length);
    const offsets = spreadOffsets(probed, windows[close]);
    members.forEach((index, k) => {
      out[index] = k < probed ? { close, probeOffsetMs: offsets[k]! } : { close };
    });
  });
  return out;
}
