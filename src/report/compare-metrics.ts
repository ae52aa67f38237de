import type { Better, Tolerance } from '../checks/expression.js';
import { parseTolerance } from '../checks/expression.js';
import type { MetricInfo, MetricName } from '../checks/metric-names.js';
import { HarnessError } from '../errors.js';

/**
 * What `compare` knows about metrics besides the catalog: which way each gets better, the
 * distances between two latency distributions it adds, and the tolerances it applies when
 * none is given. Typed against the catalog, so a metric added there without a direction
 * here does not compile.
 */
export const BETTER: Record<MetricName, Better> = {
  'redelivery.expected': 'none',
  'redelivery.delivered': 'higher',
  'redelivery.lost': 'lower',
  'redelivery.duplicates': 'lower',
  'redelivery.outOfOrder': 'lower',
  'redelivery.unexpected': 'lower',
  'redelivery.qos0Kept': 'none',
  'redelivery.qos2Duplicates': 'lower',
  'redelivery.indeterminate': 'none',
  'redelivery.expiredWithSession': 'none',
  'redelivery.offline': 'none',
  'redelivery.offlineDelivered': 'higher',
  'redelivery.offlineDeliveredRatio': 'higher',
  'redelivery.latency.p50': 'lower',
  'redelivery.latency.p90': 'lower',
  'redelivery.latency.p99': 'lower',
  'redelivery.latency.max': 'lower',
  'redelivery.drainTime': 'lower',
  'redelivery.drainRate': 'higher',
  'redelivery.inflight.max': 'none',
  'redelivery.inflight.overCap': 'lower',
  // How old offline messages are at arrival depends on how long the devices were away.
  'redelivery.age.p50': 'none',
  'redelivery.age.p90': 'none',
  'redelivery.age.p99': 'none',
  'redelivery.age.max': 'none',
  'messageExpiry.deliveredInTime': 'none',
  'messageExpiry.expiredInQueue': 'none',
  'messageExpiry.deliveredExpired': 'lower',
  'messageExpiry.intervalNotReduced': 'lower',
  'latency.e2e.p50': 'lower',
  'latency.e2e.p90': 'lower',
  'latency.e2e.p99': 'lower',
  'latency.e2e.max': 'lower',
  'reconnect.time.p50': 'lower',
  'reconnect.time.p90': 'lower',
  'reconnect.time.p99': 'lower',
  'reconnect.time.max': 'lower',
  'reconnect.missing': 'lower',
  'connect.failed': 'lower',
  'memory.peak': 'lower',
  'memory.perSession': 'lower',
  'memory.perQueuedMessage': 'lower',
  'memory.reclaimedAfterExpiry': 'higher',
  'memory.end': 'lower',
  // Late is the broker's error (it ends sessions after close + expiry); early ones count apart.
  'expiry.errorP50': 'lower',
  'expiry.errorP99': 'lower',
  'expiry.early': 'lower',
  'expiry.never': 'lower',
  'expiry.detectionP99': 'lower',
  'shared.expected': 'none',
  'shared.delivered': 'higher',
  'shared.lost': 'lower',
  'shared.endedWithMember': 'lower',
  'shared.crossMember': 'none',
  'shared.deliveredOnReturn': 'none',
  'shared.qos2Duplicates': 'lower',
};

/** The latency histograms in result.json, by the metric prefix they go by. */
export const HISTOGRAMS = [
  { metric: 'redelivery.latency', key: 'redelivery' },
  { metric: 'latency.e2e', key: 'e2e' },
  { metric: 'reconnect.time', key: 'reconnect' },
] as const;

export type HistogramMetric = (typeof HISTOGRAMS)[number]['metric'];

/**
 * Distances between a histogram of the baseline and of the current run, compare only:
 * `.ks` the two-sided Kolmogorov–Smirnov statistic (any change of shape), `.ksWorse` the
 * largest share of samples that moved to slower values.
 */
export const DISTRIBUTION_METRICS: Record<string, MetricInfo> = Object.fromEntries(
  HISTOGRAMS.flatMap(({ metric }) => [
    [`${metric}.ks`, { kind: 'ratio', description: `${metric}: largest gap between the two CDFs (Kolmogorov–Smirnov D)` }],
    [`${metric}.ksWorse`, { kind: 'ratio', description: `${metric}: largest share of samples slower in the current run than in the baseline` }],
  ]),
);

export function betterOf(metric: string): Better {
  if (Object.hasOwn(BETTER, metric)) return BETTER[metric as MetricName];
  return Object.hasOwn(DISTRIBUTION_METRICS, metric) ? 'lower' : 'none';
}

/** Applied unless --no-defaults, or a --tolerance names the same metric: what the spec forbids may not grow. */
export const DEFAULT_TOLERANCES = ['redelivery.lost +0', 'redelivery.qos2Duplicates +0', 'redelivery.unexpected +0', 'reconnect.missing +0'];

export function parseToleranceFlag(text: string): Tolerance {
  const parsed = parseTolerance(text, { better: betterOf, extraMetrics: DISTRIBUTION_METRICS });
  if ('error' in parsed) {
    throw new HarnessError('E_USAGE', `--tolerance "${text}": ${parsed.error} (column ${parsed.column})`);
  }
  return parsed;
}

/** The tolerances in force: the flags', and the defaults for metrics the flags leave alone. */
export function tolerancesInForce(flags: readonly string[], defaults: boolean): { tolerance: Tolerance; isDefault: boolean }[] {
  const given = flags.map(parseToleranceFlag);
  const named = new Set(given.map((t) => t.metric));
  const fallback = defaults ? DEFAULT_TOLERANCES.map(parseToleranceFlag).filter((t) => !named.has(t.metric)) : [];
  return [...given.map((tolerance) => ({ tolerance, isDefault: false })), ...fallback.map((tolerance) => ({ tolerance, isDefault: true }))];
}
