/**
 * Latency histograms in µs: built in a worker, encoded once at the end, merged on the main
 * thread. One construction for every histogram, so any two can be `add`ed: hdr-histogram-js
 * throws when JS and WebAssembly histograms are mixed, and WebAssembly ones need destroy().
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** An hour in µs: the starting range; autoResize grows it, so nothing is ever dropped. */
const INITIAL_HIGHEST_US = 3_600_000_000;

export function newLatencyHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: INITIAL_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/**
 * Records a duration given in ms (performance.now() differences) as whole µs: the
 * histogram would drop the fraction anyway, so round instead of truncating. A negative
 * duration (not possible on one monotonic clock, but cheap to guard) counts as 0.
 */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(ms > 0 ? Math.round(ms * 1000) : 0);
}

/** The standard V2 compressed format, readable by the Java, C# and Rust HdrHistogram. */
export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 32, false);
}

/** Merges encoded histograms exactly (HDR buckets add); no input gives an empty one. */
export function mergeEncoded(encoded: readonly string[]): Histogram {
  const total = newLatencyHistogram();
  for (const one of encoded) total.add(decodeHistogram(one));
  return total;
}

/**
 * The value (µs) at a percentile (0..100), held within the values recorded. getValueAtPercentile
 * answers with its bucket's highest equivalent value, which can lie past the largest value
 * recorded (a p99 of 12,501 ms over a max of 12,494 ms): a figure that cannot be.
 */
export function valueAtPercentile(histogram: Histogram, percentile: number): number {
  return Math.min(Math.max(histogram.getValueAtPercentile(percentile), recordedMin(histogram)), histogram.maxValue);
}

/** The smallest value recorded (µs); 0 counts, which minNonZeroValue leaves out. */
export function recordedMin(histogram: Histogram): number {
  // p0 is its bucket's lowest equivalent value: 0 only when 0 was recorded, as values resolve to 1 µs.
  return histogram.getValueAtPercentile(0) === 0 ? 0 : histogram.minNonZeroValue;
}
