import type { Histogram } from 'hdr-histogram-js';
import { curveGrid, curveValues, decode, valueAt } from '../distribution.js';
import type { RunResult } from '../../result/result.js';

/** What the page's script draws (see client-script.ts): numbers only, worked out here. */
export interface ChartSpec {
  /** steps: a ramp's curve, x = the step's value (xLabel names its unit), every point drawn. */
  kind: 'percentile' | 'series' | 'steps';
  title: string;
  xLabel: string;
  /** The y values' unit: 'ms', 'B', '%' (a fraction), or a word. */
  unit: string;
  yLabel?: string;
  /** Draw steps (a reading holds until the next), not slopes between samples. */
  stepped?: boolean;
  x: number[];
  series: { label: string; color: string; y: (number | null)[]; dash?: boolean }[];
}

/** The three latency histograms every run has, as result.json names them. */
export const LATENCIES = [
  { key: 'redelivery', title: 'Redelivery latency', what: 'reconnect CONNACK to each backlog message', metric: 'redelivery.latency' },
  { key: 'e2e', title: 'End-to-end latency', what: 'publish to delivery while the subscriber was online', metric: 'latency.e2e' },
  { key: 'reconnect', title: 'Reconnect time', what: 'fault healed to CONNACK', metric: 'reconnect.time' },
] as const;

export type LatencyKey = (typeof LATENCIES)[number]['key'];

/** The percentiles each latency table shows, besides the sample count. */
export const TABLE_PERCENTILES = [50, 90, 99, 99.9, 100] as const;

export interface LatencyView {
  chart: ChartSpec | undefined;
  /** Per run: sample count and the values at TABLE_PERCENTILES (ms), or undefined for no samples. */
  rows: ({ count: number; values: number[] } | undefined)[];
}

/**
 * One latency histogram across the runs: the percentile curves on one chart, one line per
 * run, and the table under it. No chart when no run has a sample.
 */
export function latencyView(key: LatencyKey, title: string, runs: readonly RunResult[], colors: readonly string[]): LatencyView {
  return percentileView(title, runs.map((r) => (r.verdict === 'unsupported' ? undefined : r.histograms[key])), runs, colors);
}

/** The same for any set of encoded histograms, one per run (undefined: the run has none). */
export function percentileView(title: string, encoded: readonly (string | undefined)[], runs: readonly RunResult[], colors: readonly string[]): LatencyView {
  const histograms: (Histogram | undefined)[] = encoded.map((e) => (e ? safeDecode(e) : undefined));
  const rows = histograms.map((h) => (h ? { count: h.totalCount, values: TABLE_PERCENTILES.map((p) => valueAt(h, p)) } : undefined));
  const most = Math.max(0, ...histograms.map((h) => h?.totalCount ?? 0));
  if (most === 0) return { chart: undefined, rows };
  const x = curveGrid(most);
  const series = runs.flatMap((run, i) => (histograms[i] ? [{ label: run.label, color: colors[i]!, y: curveValues(histograms[i], x) }] : []));
  return { chart: { kind: 'percentile', title, xLabel: 'percentile', unit: 'ms', x, series }, rows };
}

/**
 * Time series from several runs on one chart: x in seconds from each run's start (the runs'
 * own clocks, so phases line up), one line per run, gaps where a run has no sample.
 */
export function seriesChart(
  title: string,
  unit: string,
  runs: readonly { label: string; color: string; points: readonly { atMs: number; value: number }[]; dash?: boolean }[],
  yLabel?: string,
  xLabel = 'time since run start',
): ChartSpec | undefined {
  const withPoints = runs.filter((r) => r.points.length > 0);
  if (withPoints.length === 0) return undefined;
  const times = [...new Set(withPoints.flatMap((r) => r.points.map((p) => Math.round(p.atMs) / 1000)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = withPoints.map((r) => {
    const y: (number | null)[] = times.map(() => null);
    for (const p of r.points) y[index.get(Math.round(p.atMs) / 1000)!] = p.value;
    return { label: r.label, color: r.color, y, ...(r.dash ? { dash: true } : {}) };
  });
  return { kind: 'series', title, xLabel, unit, ...(yLabel ? { yLabel } : {}), x: times, series };
}

/** A string that is not a histogram (a field that only looks like one) is no histogram. */
function safeDecode(encoded: string): Histogram | undefined {
  try {
    return decode(encoded);
  } catch {
    return undefined;
  }
}
