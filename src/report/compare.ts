import type { Better, Tolerance } from '../checks/expression.js';
import { toleranceLimit, withinTolerance } from '../checks/expression.js';
import { METRICS, type MetricKind, type MetricName } from '../checks/metric-names.js';
import { count, duration, size } from '../checks/words.js';
import { metricValue } from '../checks/metric-values.js';
import { compareDistributions, decode, valueAt } from './distribution.js';
import { betterOf, HISTOGRAMS, type HistogramMetric } from './compare-metrics.js';
import type { Result, RunResult, Verdict } from './result.js';

/**
 * A baseline result against a current one: runs matched by id, every catalog metric with
 * its change and whether that is better or worse, each latency histogram compared as a
 * whole distribution, and the tolerances held against all of it. Plain data; the renderers
 * are in compare-render.ts.
 */
export type Direction = 'better' | 'worse' | 'same' | 'changed' | 'n/a';
export type Status = 'ok' | 'regression' | 'no data' | '';

export interface MetricRow {
  metric: string;
  kind: MetricKind;
  better: Better;
  baseline: number | null;
  current: number | null;
  /** current - baseline. */
  change: number | null;
  /** change / baseline, when the baseline is not 0. */
  relative: number | null;
  direction: Direction;
  /** The tolerance held against this row, as written, and the bound it gave. */
  tolerance?: string;
  isDefault?: boolean;
  limit?: number | null;
  status: Status;
}

export const QUANTILES = [50, 90, 99, 99.9, 100] as const;

export interface DistributionRow {
  metric: HistogramMetric;
  counts: [number, number];
  /** Per QUANTILES: baseline and current value (ms). */
  quantiles: { percentile: number; baseline: number; current: number }[];
  ks: number;
  ksWorse: number;
  ksBetter: number;
  /** Where the largest gap is (ms). */
  at: number;
  /** The gap a two-sample KS test at α = 0.05 needs. */
  critical: number;
  /** `same` when the gap is within the test's noise. */
  direction: Direction;
}

export interface RunComparison {
  id: string;
  label: string;
  verdict: [Verdict, Verdict];
  metrics: MetricRow[];
  distributions: DistributionRow[];
  /** Distribution rows with a tolerance (`.ks`, `.ksWorse`), as metric rows. */
  distances: MetricRow[];
}

export interface Side {
  file: string;
  scenario: string;
  startedAt: string;
  tool: string;
}

export interface Comparison {
  baseline: Side;
  current: Side;
  runs: RunComparison[];
  onlyInBaseline: string[];
  onlyInCurrent: string[];
  tolerances: { source: string; isDefault: boolean }[];
  /** One line each; any makes `compare` exit 1. */
  regressions: string[];
}

export function compareResults(
  baseline: { file: string; result: Result },
  current: { file: string; result: Result },
  tolerances: readonly { tolerance: Tolerance; isDefault: boolean }[],
): Comparison {
  const side = ({ file, result }: { file: string; result: Result }): Side => ({
    file,
    scenario: result.scenario.name,
    startedAt: result.startedAt,
    tool: `${result.tool.name} ${result.tool.version}`,
  });
  const currentRuns = new Map(current.result.runs.map((r) => [r.id, r]));
  const baselineIds = new Set(baseline.result.runs.map((r) => r.id));
  const regressions: string[] = [];
  const runs: RunComparison[] = [];
  for (const b of baseline.result.runs) {
    const c = currentRuns.get(b.id);
    if (!c) continue;
    const run = compareRun(b, c, tolerances);
    runs.push(run);
    if (b.verdict === 'pass' && c.verdict !== 'pass') regressions.push(`${b.id}: verdict ${b.verdict.toUpperCase()} → ${c.verdict.toUpperCase()}${c.incomplete ? ` (incomplete: ${c.incomplete})` : c.unsupported ? ` (${c.unsupported})` : ''}`);
    for (const row of [...run.metrics, ...run.distances]) {
      if (row.status === 'regression') regressions.push(`${b.id}: ${row.metric} ${value(row.baseline, row.kind)} → ${value(row.current, row.kind)}, outside ${row.tolerance}${row.isDefault ? ' (default)' : ''}`);
    }
  }
  const onlyInBaseline = baseline.result.runs.filter((r) => !currentRuns.has(r.id)).map((r) => r.id);
  for (const id of onlyInBaseline) regressions.push(`${id}: in the baseline, missing from the current result`);
  return {
    baseline: side(baseline),
    current: side(current),
    runs,
    onlyInBaseline,
    onlyInCurrent: current.result.runs.filter((r) => !baselineIds.has(r.id)).map((r) => r.id),
    tolerances: tolerances.map((t) => ({ source: t.tolerance.source, isDefault: t.isDefault })),
    regressions,
  };
}


function compareRun(b: RunResult, c: RunResult, tolerances: readonly { tolerance: Tolerance; isDefault: boolean }[]): RunComparison {
  const ran = b.verdict !== 'unsupported' && c.verdict !== 'unsupported';
  const metrics = (Object.keys(METRICS) as MetricName[]).map((metric) => {
    const values: [number | null, number | null] = ran ? [metricValue(b, metric), metricValue(c, metric)] : [null, null];
    return row(metric, METRICS[metric].kind, values, tolerances);
  });
  const distributions = ran ? HISTOGRAMS.flatMap(({ metric, key }) => distribution(metric, b.histograms[key], c.histograms[key])) : [];
  const distances = tolerances
    .filter(({ tolerance }) => /\.ks(Worse)?$/.test(tolerance.metric))
    .map(({ tolerance, isDefault }) => {
      const [prefix, stat] = [tolerance.metric.replace(/\.ks(Worse)?$/, ''), tolerance.metric.endsWith('Worse') ? 'ksWorse' : 'ks'] as const;
      const d = distributions.find((x) => x.metric === prefix);
      const value = d ? d[stat] : null;
      const held = withinTolerance(tolerance, null, value);
      return {
        metric: tolerance.metric,
        kind: 'ratio' as const,
        better: 'lower' as const,
        baseline: null,
        current: value,
        change: null,
        relative: null,
        direction: d?.direction ?? 'n/a',
        tolerance: tolerance.source,
        isDefault,
        limit: tolerance.value,
        status: held === null ? 'no data' : held ? 'ok' : 'regression',
      } satisfies MetricRow;
    });
  return { id: b.id, label: c.label, verdict: [b.verdict, c.verdict], metrics, distributions, distances };
}

function row(metric: MetricName, kind: MetricKind, [baseline, current]: [number | null, number | null], tolerances: readonly { tolerance: Tolerance; isDefault: boolean }[]): MetricRow {
  const better = betterOf(metric);
  const change = baseline !== null && current !== null ? round(current - baseline) : null;
  const relative = change !== null && baseline !== 0 && baseline !== null ? change / baseline : null;
  const direction: Direction = change === null ? 'n/a' : change === 0 ? 'same' : better === 'none' ? 'changed' : (change < 0) === (better === 'lower') ? 'better' : 'worse';
  const out: MetricRow = { metric, kind, better, baseline, current, change, relative, direction, status: '' };
  const applied = tolerances.find(({ tolerance }) => tolerance.metric === metric);
  if (applied) {
    const held = withinTolerance(applied.tolerance, baseline, current);
    out.tolerance = applied.tolerance.source;
    out.isDefault = applied.isDefault;
    out.limit = toleranceLimit(applied.tolerance, baseline);
    out.status = held === null ? 'no data' : held ? 'ok' : 'regression';
  }
  return out;
}

function distribution(metric: HistogramMetric, baseline: string, current: string): DistributionRow[] {
  const b = decode(baseline);
  const c = decode(current);
  if (!b || !c) return [];
  const d = compareDistributions(b, c);
  const direction: Direction = d.ks <= d.critical ? 'same' : d.slower >= d.faster ? 'worse' : 'better';
  return [
    {
      metric,
      counts: [b.totalCount, c.totalCount],
      quantiles: QUANTILES.map((percentile) => ({ percentile, baseline: valueAt(b, percentile), current: valueAt(c, percentile) })),
      ks: d.ks,
      ksWorse: d.slower,
      ksBetter: d.faster,
      at: d.at,
      critical: d.critical,
      direction,
    },
  ];
}

/** Differences of decimal values without float noise (0.3 - 0.1). */
function round(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}

/** A value in its kind's unit, as the summary writes it; "–" for none. */
export function value(v: number | null, kind: MetricKind): string {
  if (v === null) return '–';
  switch (kind) {
    case 'count':
      return count(v);
    case 'duration':
      return duration(v);
    case 'bytes':
      return size(v);
    case 'ratio':
      return `${count(Number((v * 100).toPrecision(4)))}%`;
  }
}
