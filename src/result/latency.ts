/** Latency figures as result.json holds them. */

/** A latency distribution in ms, from a histogram recorded in µs: min ≤ p50 ≤ p90 ≤ p99 ≤ max. */
export interface Percentiles {
  /** Absent from results written before it was added: a reader of stored results must not count on it. */
  min?: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Samples behind the numbers. */
  count: number;
}

/** A summary as this version writes it. */
export type Summary = Percentiles & { min: number };
