import type { Histogram, JsHistogram } from 'hdr-histogram-js';
import { decodeHistogram, mergeEncoded, valueAtPercentile } from '../metrics/histograms.js';

/**
 * Latency distributions as reports read them, from the merged hdr-histogram-js histograms
 * in result.json (compressed base64, µs). Values out are in ms.
 */

/** A decoded histogram, or undefined for an empty string (a run that recorded nothing). */
export function decode(encoded: string): Histogram | undefined {
  if (encoded === '') return undefined;
  const histogram = decodeHistogram(encoded);
  return histogram.totalCount > 0 ? histogram : undefined;
}

/** Several runs' histograms as one sample (HDR buckets add exactly); undefined when all are empty. */
export function decodePooled(encoded: readonly string[]): Histogram | undefined {
  const recorded = encoded.filter((e) => e !== '');
  if (recorded.length <= 1) return decode(recorded[0] ?? '');
  const pooled = mergeEncoded(recorded);
  return pooled.totalCount > 0 ? pooled : undefined;
}

const ms = (us: number): number => Math.round(us) / 1000;

/** The value at a percentile (0..100), in ms, as result.json's percentiles read it. */
export function valueAt(histogram: Histogram, percentile: number): number {
  return ms(valueAtPercentile(histogram, percentile));
}

/**
 * The x axis of a percentile curve, as in HdrHistogram's own plots: x = 1 / (1 - q), so
 * 90% sits at 10, 99% at 100, 99.9% at 1000, evenly on a log axis. `perDecade` points per
 * factor of ten, from q = 0 up to the first point at or past `upTo` (the sample count:
 * beyond 1 - 1/count every percentile is the maximum).
 */
export function curveGrid(upTo: number, perDecade = 20): number[] {
  const xs: number[] = [];
  for (let k = 0; ; k++) {
    const x = Math.round(10 ** (k / perDecade) * 1e6) / 1e6;
    xs.push(x);
    if (x >= upTo) return xs;
  }
}

/** The percentile (0..100) a grid x stands for. */
export function percentileOf(x: number): number {
  return 100 * (1 - 1 / x);
}

/**
 * The curve on a grid: the value at each x's percentile until the sample count is reached,
 * where the curve ends at the maximum; null past it (the line stops there).
 */
export function curveValues(histogram: Histogram | undefined, xs: readonly number[]): (number | null)[] {
  if (!histogram) return xs.map(() => null);
  const n = histogram.totalCount;
  let ended = false;
  return xs.map((x) => {
    if (ended) return null;
    if (x >= n) {
      ended = true;
      return ms(histogram.maxValue);
    }
    return valueAt(histogram, percentileOf(x));
  });
}

/** Recorded values (each bucket's highest equivalent value, ms) with their counts, ascending. */
export function recordedValues(histogram: Histogram): { value: number; count: number }[] {
  // Decoded histograms are JS ones (useWebAssembly: false): the iterator is on the object.
  const iterator = (histogram as unknown as JsHistogram).recordedValuesIterator;
  iterator.reset();
  const out: { value: number; count: number }[] = [];
  while (iterator.hasNext()) {
    const step = iterator.next();
    out.push({ value: ms(step.valueIteratedTo), count: step.countAddedInThisIterationStep });
  }
  return out;
}

export interface DistributionDifference {
  /** Kolmogorov–Smirnov statistic: the largest gap between the two CDFs (0..1). */
  ks: number;
  /** The largest gap where the current CDF lies below the baseline's: current slower there. */
  slower: number;
  /** The largest gap where the current CDF lies above: current faster there. */
  faster: number;
  /** Where (ms) the largest gap is. */
  at: number;
  /** The gap `ks` must pass to be significant at ALPHA (two-sided two-sample KS test). */
  critical: number;
  /** The gap `slower` must pass to be significant at ALPHA (one-sided: only slower counts). */
  criticalSlower: number;
}

/**
 * The significance level of every distribution comparison. 1% rather than 5%: a CI gate
 * compares many histograms on every build, and a false alarm costs more than a late one.
 */
export const ALPHA = 0.01;

/**
 * The critical gap of a two-sample KS test for sample sizes n and m, D > c(α)·√((n+m)/(n·m)),
 * with c(α) = √(−ln(α/2)/2) two-sided and √(−ln α/2) one-sided (the asymptotic
 * Smirnov bounds; samples of a run are thousands, where they are close).
 */
export function ksCritical(n: number, m: number, sided: 'two' | 'one', alpha = ALPHA): number {
  const c = Math.sqrt(-Math.log(sided === 'two' ? alpha / 2 : alpha) / 2);
  return c * Math.sqrt((n + m) / (n * m));
}

/**
 * Compares two distributions as wholes, exactly over every recorded bucket: the CDFs of
 * baseline and current, and their largest gaps either way.
 */
export function compareDistributions(baseline: Histogram, current: Histogram): DistributionDifference {
  const b = recordedValues(baseline);
  const c = recordedValues(current);
  const nb = baseline.totalCount;
  const nc = current.totalCount;
  let i = 0;
  let j = 0;
  let cb = 0;
  let cc = 0;
  let slower = 0;
  let faster = 0;
  let ks = 0;
  let at = 0;
  while (i < b.length || j < c.length) {
    const x = Math.min(b[i]?.value ?? Infinity, c[j]?.value ?? Infinity);
    while (i < b.length && b[i]!.value === x) cb += b[i++]!.count;
    while (j < c.length && c[j]!.value === x) cc += c[j++]!.count;
    const gap = cb / nb - cc / nc;
    if (gap > slower) slower = gap;
    if (-gap > faster) faster = -gap;
    if (Math.abs(gap) > ks) {
      ks = Math.abs(gap);
      at = x;
    }
  }
  const round = (v: number): number => Math.round(v * 1e4) / 1e4;
  return {
    ks: round(ks),
    slower: round(slower),
    faster: round(faster),
    at,
    critical: round(ksCritical(nb, nc, 'two')),
    criticalSlower: round(ksCritical(nb, nc, 'one')),
  };
}
