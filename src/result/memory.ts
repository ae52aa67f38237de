/** Broker memory as result.json holds it: probes, samples, points and the figures derived from them. */

export interface MemoryProbeRecord {
  name: string;
  source: string;
  /** Readings kept (a $SYS value counts once however often it is read). */
  samples: number;
  /** Reads that got no value after the first one did (an endpoint that stopped answering). */
  gaps: number;
  /** The latest reason it had no value; with samples 0, why it was unavailable all run. */
  reason?: string;
}

export interface MemoryFigures {
  /** At `start`, before any client connected. */
  baseline: number | null;
  /** The highest reading of the run. */
  peak: number | null;
  perSession: number | null;
  perQueuedMessage: number | null;
  /** The readings the reclaimed ratio compares. */
  beforeExpiry: number | null;
  afterExpiry: number | null;
  /** Fraction of the memory added since baseline that came back during the idle wait. */
  reclaimedAfterExpiry: number | null;
  /** At `end`, after the last phase, before the clients are torn down. */
  end: number | null;
}

export type MemoryFigure = keyof MemoryFigures;

export interface MemoryResult {
  intervalMs: number;
  probes: (MemoryProbeRecord & { available: boolean })[];
  /** The probe the memory.* metrics read: the first one with readings; null: none had any. */
  metricsFrom: string | null;
  /** [ms from run start, bytes, probe name]. */
  samples: [number, number, string][];
  /** Readings at start, each measure phase, and end; `t` in ms from run start. */
  points: { label: string; t: number; phase?: number; values: Record<string, number | null>; freshness?: PointFreshness }[];
  /** Per probe name. */
  figures: Record<string, MemoryFigures>;
  /** How each derived figure was obtained (points and counts), or why it was not. */
  basis: { perSession: string; perQueuedMessage: string; reclaimedAfterExpiry: string };
  /** What the derivation used: clients connected, messages queued. */
  sessions: number | null;
  queuedMessages: number | null;
  notes: string[];
}

/**
 * A `measure` point, per probe that publishes on its own: how long it waited for a value
 * newer than the phase start, and the age of the value read (ms); `newer` false when none
 * came in time and an older one was read; `unchanged` when the source published after the
 * phase start without a new value (the older one still held).
 */
export type PointFreshness = Record<string, { waitedMs: number; ageMs: number; newer: boolean; unchanged?: boolean }>;
