import type { Better, Tolerance } from '../checks/expression.js';
import { toleranceLimit, withinTolerance } from '../checks/expression.js';
import { METRICS, type MetricKind, type MetricName } from '../checks/metric-names.js';
import { count, duration, size } from '../checks/words.js';
import { metricValue } from '../checks/metric-values.js';
import { ALPHA, compareDistributions, decodePooled, valueAt } from './distribution.js';
import { betterOf, HISTOGRAMS, type HistogramMetric } from './compare-metrics.js';
import type { Result, RunResult, Verdict } from '../result/result.js';

/**
 * Baseline results against a current one: runs matched by id, every catalog metric with
 * its change and whether that is better or worse, each latency histogram compared as a
 * whole distribution, and the tolerances held against all of it. Plain data; the renderers
 * are in compare-render.ts.
 *
 * Several baselines (identical runs recorded apart) measure run-to-run noise: each metric
 * then has a band, min..max of the baselines, and a change is the distance outside it. A
 * tolerance holds when it holds against any baseline, so `<= baseline + 2ms` is 2 ms above
 * the band: noise the baselines showed is never a regression.
 */
export type Direction = 'better' | 'worse' | 'same' | 'changed' | 'n/a';
export type Status = 'ok' | 'regression' | 'no data' | '';

export interface MetricRow {
  metric: string;
  kind: MetricKind;
  better: Better;
  /** With several baselines, the band edge nearest the current value (inside it: the current value). */
  baseline: number | null;
  /** With several baselines that have the metric: their min..max, the noise band. */
  band?: [number, number];
  current: number | null;
  /** current - baseline: 0 inside the band. */
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
  /** The gaps `ks` and `ksWorse` must pass to be significant at ALPHA, for these sample counts. */
  critical: number;
  criticalWorse: number;
  /** `same` when the gap is not significant. */
  direction: Direction;
}

export interface RunComparison {
  id: string;
  label: string;
  /** The baselines' verdicts (distinct, joined by "/"), and the current one. */
  verdict: [string, Verdict];
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
  baselines: Side[];
  current: Side;
  runs: RunComparison[];
  onlyInBaseline: string[];
  onlyInCurrent: string[];
  tolerances: { source: string; isDefault: boolean }[];
  /** The significance level of the distribution tests. */
  alpha: number;
  /** One line each; any makes `compare` exit 1. */
  regressions: string[];
}

type Held = readonly { tolerance: Tolerance; isDefault: boolean }[];
type File = { file: string; result: Result };

export function compareResults(baselines: readonly File[], current: File, tolerances: Held): Comparison {
  const side = ({ file, result }: File): Side => ({
    file,
    scenario: result.scenario.name,
    startedAt: result.startedAt,
    tool: `${result.tool.name} ${result.tool.version}`,
  });
  const currentRuns = new Map(current.result.runs.map((r) => [r.id, r]));
  // Every run id of any baseline, in the order the first baseline has them.
  const ids = [...new Set(baselines.flatMap((b) => b.result.runs.map((r) => r.id)))];
  const regressions: string[] = [];
  const runs: RunComparison[] = [];
  for (const id of ids) {
    const c = currentRuns.get(id);
    if (!c) continue;
    const bs = baselines.flatMap((b) => b.result.runs.filter((r) => r.id === id));
    const run = compareRun(bs, c, tolerances);
    runs.push(run);
    // Verdicts gate like values: a current FAIL is a regression only if no baseline failed.
    if (bs.every((b) => b.verdict === 'pass') && c.verdict !== 'pass') {
      regressions.push(`${id}: verdict PASS → ${c.verdict.toUpperCase()}${c.incomplete ? ` (incomplete: ${c.incomplete})` : c.unsupported ? ` (${c.unsupported})` : ''}`);
    }
    for (const row of [...run.metrics, ...run.distances]) {
      if (row.status === 'regression') regressions.push(`${id}: ${row.metric} ${baselineText(row)} → ${value(row.current, row.kind)}, outside ${row.tolerance}${row.isDefault ? ' (default)' : ''}`);
    }
  }
  const onlyInBaseline = ids.filter((id) => !currentRuns.has(id));
  for (const id of onlyInBaseline) regressions.push(`${id}: in the baseline, missing from the current result`);
  return {
    baselines: baselines.map(side),
    current: side(current),
    runs,
    onlyInBaseline,
    onlyInCurrent: current.result.runs.filter((r) => !ids.includes(r.id)).map((r) => r.id),
    tolerances: tolerances.map((t) => ({ source: t.tolerance.source, isDefault: t.isDefault })),
    alpha: ALPHA,
    regressions,
  };
}

/** A row's baseline as text: its value, or its band. */
export function baselineText(row: MetricRow): string {
  if (row.band && row.band[0] !== row.band[1]) return `${value(row.band[0], row.kind)}..${value(row.band[1], row.kind)}`;
  return value(row.band ? row.band[0] : row.baseline, row.kind);
}

function compareRun(bs: readonly RunResult[], c: RunResult, tolerances: Held): RunComparison {
  const ran = c.verdict !== 'unsupported' && bs.some((b) => b.verdict !== 'unsupported');
  const measured = bs.filter((b) => b.verdict !== 'unsupported');
  const metrics = (Object.keys(METRICS) as MetricName[]).map((metric) => {
    const values = ran ? measured.map((b) => metricValue(b, metric)).filter((v): v is number => v !== null) : [];
    return row(metric, METRICS[metric].kind, values, ran ? metricValue(c, metric) : null, tolerances);
  });
  const distributions = ran ? HISTOGRAMS.flatMap(({ metric, key }) => distribution(metric, measured.map((b) => b.histograms[key]), c.histograms[key])) : [];
  const distances = tolerances.filter(({ tolerance }) => /\.ks(Worse)?$/.test(tolerance.metric)).map((t) => distance(t, distributions));
  const verdicts = [...new Set(bs.map((b) => b.verdict))].join('/');
  return { id: c.id, label: c.label, verdict: [verdicts, c.verdict], metrics, distributions, distances };
}

/**
 * A tolerance on a distance between distributions. A distance above its bound is a
 * regression only when it is also significant at ALPHA for the two sample counts: a few
 * hundred samples move by chance more than thousands do.
 */
function distance({ tolerance, isDefault }: Held[number], distributions: readonly DistributionRow[]): MetricRow {
  const worse = tolerance.metric.endsWith('Worse');
  const d = distributions.find((x) => x.metric === tolerance.metric.replace(/\.ks(Worse)?$/, ''));
  const current = d ? (worse ? d.ksWorse : d.ks) : null;
  const critical = d ? (worse ? d.criticalWorse : d.critical) : null;
  const held = withinTolerance(tolerance, null, current);
  const bounded = tolerance.op === '<' || tolerance.op === '<=';
  const significant = current !== null && critical !== null && (!bounded || current > critical);
  return {
    metric: tolerance.metric,
    kind: 'ratio',
    better: 'lower',
    baseline: null,
    current,
    change: null,
    relative: null,
    direction: d?.direction ?? 'n/a',
    tolerance: bounded && critical !== null ? `${tolerance.source} and significant (> ${critical.toFixed(3)} at α = ${ALPHA})` : tolerance.source,
    isDefault,
    status: held === null ? 'no data' : held || !significant ? 'ok' : 'regression',
  };
}

function row(metric: MetricName, kind: MetricKind, baselines: readonly number[], current: number | null, tolerances: Held): MetricRow {
  const better = betterOf(metric);
  const band: [number, number] | null = baselines.length > 0 ? [Math.min(...baselines), Math.max(...baselines)] : null;
  // The edge the current value is measured from; inside the band, it is its own baseline.
  const baseline = band === null || current === null ? (band?.[0] ?? null) : Math.min(Math.max(current, band[0]), band[1]);
  const change = baseline !== null && current !== null ? round(current - baseline) : null;
  const relative = change !== null && baseline !== 0 && baseline !== null ? change / baseline : null;
  const direction: Direction = change === null ? 'n/a' : change === 0 ? 'same' : better === 'none' ? 'changed' : (change < 0) === (better === 'lower') ? 'better' : 'worse';
  const out: MetricRow = { metric, kind, better, baseline, current, change, relative, direction, status: '' };
  if (baselines.length > 1 && band) out.band = band;
  const applied = tolerances.find(({ tolerance }) => tolerance.metric === metric);
  if (applied) {
    const t = applied.tolerance;
    const against = baselines.length > 0 ? baselines : [null];
    const held = against.map((b) => withinTolerance(t, b, current));
    out.tolerance = t.source;
    out.isDefault = applied.isDefault;
    out.limit = loosest(t.op, against.map((b) => toleranceLimit(t, b)));
    out.status = held.includes(true) ? 'ok' : held.includes(false) ? 'regression' : 'no data';
  }
  return out;
}

/** The bound a tolerance puts on the current value over several baselines: the one it holds against most easily. */
function loosest(op: Tolerance['op'], limits: readonly (number | null)[]): number | null {
  const known = limits.filter((l): l is number => l !== null);
  if (known.length === 0) return null;
  if (op === '<' || op === '<=') return Math.max(...known);
  if (op === '>' || op === '>=') return Math.min(...known);
  return known.every((l) => l === known[0]) ? known[0]! : null;
}

function distribution(metric: HistogramMetric, baselines: readonly string[], current: string): DistributionRow[] {
  // Several baselines pool into one sample: the current run is held against all of them.
  const b = decodePooled(baselines);
  const c = decodePooled([current]);
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
      criticalWorse: d.criticalSlower,
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
