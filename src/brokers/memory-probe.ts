/**
 * A source of broker memory readings. Each probe is one small module (memory-rss.ts,
 * memory-sys-heap.ts, memory-prometheus.ts); the sampler (engine/memory-sampler.ts) drives
 * them on the run clock. A probe never reports a zero it did not read: when it has no value
 * it says why, in one line, and the run goes on without it.
 */

/** One reading: `at` on the run clock (performance.now(), ms), `bytes` as the source counts them. */
export interface MemorySample {
  at: number;
  bytes: number;
  /**
   * sampleSince only: the value is from before `since`, but the source published again at
   * this time (run clock) without a new one — it had not changed (Mosquitto publishes the
   * heap only when it changed).
   */
  unchangedAt?: number;
}

export interface MemoryProbe {
  /** Unique within a run: `rss`, `sys-heap`, `prometheus`. Names samples in result.json. */
  readonly name: string;
  /** One line: what is read and where, e.g. "VmRSS of pid 1234 (/proc/1234/status)". */
  readonly source: string;
  /** Prepares (connects, finds the process). Never throws: failure shows in `unavailable`. */
  start(): Promise<void>;
  /**
   * The current value, or undefined when there is none (then `unavailable` says why).
   * A probe whose source publishes on its own (the $SYS heap) returns its latest value with
   * the time it arrived, so the same `at` twice means "nothing new".
   */
  sample(): Promise<MemorySample | undefined>;
  /**
   * A source that publishes on its own (the $SYS heap): its first value that arrived at or
   * after `since` (run clock), waiting for one up to the probe's own bound (twice its publish
   * interval); then its latest, older one. Without it, sample() is read now, so always new.
   */
  sampleSince?(since: number): Promise<MemorySample | undefined>;
  /** Why the latest start or sample had no value; undefined while the probe works. */
  readonly unavailable: string | undefined;
  /** Releases what start() took. Safe to call twice, or without start(). */
  stop(): Promise<void>;
}

/** An error's message as one line, for `unavailable`. */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err);
  return text.replace(/\s+/g, ' ').trim();
}
