import type { Histogram } from 'hdr-histogram-js';
import { encodeHistogram, mergeEncoded, recordedMin, valueAtPercentile } from '../metrics/histograms.js';
import type { Percentiles, Summary } from '../result/latency.js';


/** Shards' histograms merged exactly, and re-encoded so a report can be rendered again later. */
export interface Merged {
  percentiles: Summary | null;
  encoded: string;
}

/** An empty string is a shard that recorded nothing; it is skipped rather than decoded. */
export function mergeHistograms(encoded: readonly string[]): Merged {
  return summarise(mergeEncoded(encoded.filter((e) => e !== '')));
}

export function summarise(histogram: Histogram): Merged {
  return { percentiles: percentiles(histogram), encoded: encodeHistogram(histogram) };
}

/** null when there are no samples: a p99 of nothing is not 0 ms. */
function percentiles(h: Histogram): Summary | null {
  if (h.totalCount === 0) return null;
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    min: ms(recordedMin(h)),
    p50: ms(valueAtPercentile(h, 50)),
    p90: ms(valueAtPercentile(h, 90)),
    p99: ms(valueAtPercentile(h, 99)),
    max: ms(h.maxValue),
    count: h.totalCount,
  };
}
