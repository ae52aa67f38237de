import type { RunResult } from '../result/result.js';
import type { Percentiles } from '../result/latency.js';
import { memoryMetric } from './memory.js';
import type { MetricName } from './metric-names.js';

/** The parts of a run result the metrics read. */
export type Measured = Pick<RunResult, 'redelivery' | 'latency' | 'reconnect' | 'memory' | 'expiry' | 'drain' | 'shared' | 'offlineAge' | 'messageExpiry'>;

type Read = (m: Measured) => number | null;

const stats = (of: (m: Measured) => Percentiles | null) => ({
  p50: (m: Measured) => of(m)?.p50 ?? null,
  p90: (m: Measured) => of(m)?.p90 ?? null,
  p99: (m: Measured) => of(m)?.p99 ?? null,
  max: (m: Measured) => of(m)?.max ?? null,
});
const redelivery = stats((m) => m.redelivery.latency);
const e2e = stats((m) => m.latency.e2e);
const reconnect = stats((m) => m.reconnect.time);
/** Summed over the run's shared groups; null without one (an expectation on it holds vacuously). */
const shared = (pick: (s: NonNullable<Measured['shared']>[number]) => number) => (m: Measured) =>
  m.shared && m.shared.length > 0 ? m.shared.reduce((n, s) => n + pick(s), 0) : null;
const age = stats((m) => m.offlineAge ?? null);
/** Not measured in a run without a Message Expiry Interval (a 3.1.1 run): no samples. */
const lifetimes = (pick: (r: NonNullable<Measured['messageExpiry']>) => number) => (m: Measured) => (m.messageExpiry ? pick(m.messageExpiry) : null);

/**
 * Where each catalog metric is read from, in its kind's unit (counts, ms). Typed against the
 * catalog, so a metric added there without a reader here does not compile. null: no samples.
 */
const READERS: Record<MetricName, Read> = {
  'redelivery.expected': (m) => m.redelivery.expected,
  'redelivery.delivered': (m) => m.redelivery.delivered,
  'redelivery.lost': (m) => m.redelivery.lost,
  'redelivery.duplicates': (m) => m.redelivery.duplicates,
  'redelivery.qos2Duplicates': (m) => m.redelivery.qos2Duplicates,
  'redelivery.outOfOrder': (m) => m.redelivery.outOfOrder,
  'redelivery.unexpected': (m) => m.redelivery.unexpected,
  'redelivery.qos0Kept': (m) => m.redelivery.qos0Kept,
  'redelivery.indeterminate': (m) => m.redelivery.indeterminate,
  'redelivery.expiredWithSession': (m) => m.redelivery.expiredWithSession,
  'redelivery.offline': (m) => m.redelivery.offline,
  'redelivery.offlineDelivered': (m) => m.redelivery.offlineDelivered,
  'redelivery.offlineDeliveredRatio': (m) => (m.redelivery.offline > 0 ? m.redelivery.offlineDelivered / m.redelivery.offline : null),
  'redelivery.latency.p50': redelivery.p50,
  'redelivery.latency.p90': redelivery.p90,
  'redelivery.latency.p99': redelivery.p99,
  'redelivery.latency.max': redelivery.max,
  'redelivery.drainTime': (m) => m.redelivery.drainTime,
  'redelivery.drainRate': (m) => overallDrainRate(m),
  'redelivery.inflight.max': (m) => (m.drain ? Math.max(...m.drain.map((d) => d.inflightMax)) : null),
  'redelivery.inflight.overCap': (m) => (m.drain ? m.drain.reduce((n, d) => n + d.overCap, 0) : null),
  'redelivery.age.p50': age.p50,
  'redelivery.age.p90': age.p90,
  'redelivery.age.p99': age.p99,
  'redelivery.age.max': age.max,
  'messageExpiry.deliveredInTime': lifetimes((r) => r.deliveredInTime),
  'messageExpiry.expiredInQueue': lifetimes((r) => r.expiredInQueue),
  'messageExpiry.deliveredExpired': lifetimes((r) => r.deliveredExpired),
  'messageExpiry.intervalNotReduced': lifetimes((r) => r.interval.notReduced + r.interval.wrong + r.interval.missing),
  'latency.e2e.p50': e2e.p50,
  'latency.e2e.p90': e2e.p90,
  'latency.e2e.p99': e2e.p99,
  'latency.e2e.max': e2e.max,
  'reconnect.time.p50': reconnect.p50,
  'reconnect.time.p90': reconnect.p90,
  'reconnect.time.p99': reconnect.p99,
  'reconnect.time.max': reconnect.max,
  'reconnect.missing': (m) => m.reconnect.notReconnected,
  'connect.failed': (m) => m.reconnect.connectFailures,
  // Not measured (no phase, an unsupported protocol): no samples, so the check holds vacuously.
  'expiry.errorP50': (m) => (m.expiry?.measured ? (m.expiry.error?.p50 ?? null) : null),
  'expiry.errorP99': (m) => (m.expiry?.measured ? (m.expiry.error?.p99 ?? null) : null),
  'expiry.early': (m) => (m.expiry?.measured ? m.expiry.early : null),
  'expiry.never': (m) => (m.expiry?.measured ? m.expiry.never : null),
  'expiry.detectionP99': (m) => (m.expiry?.measured ? (m.expiry.detection?.p99 ?? null) : null),
  'memory.peak': (m) => memoryMetric(m.memory, 'peak'),
  'memory.perSession': (m) => memoryMetric(m.memory, 'perSession'),
  'memory.perQueuedMessage': (m) => memoryMetric(m.memory, 'perQueuedMessage'),
  'memory.reclaimedAfterExpiry': (m) => memoryMetric(m.memory, 'reclaimedAfterExpiry'),
  'memory.end': (m) => memoryMetric(m.memory, 'end'),
  'shared.expected': shared((s) => s.expected),
  'shared.delivered': shared((s) => s.delivered),
  'shared.lost': shared((s) => s.lost),
  'shared.endedWithMember': shared((s) => s.endedWithMember),
  'shared.crossMember': shared((s) => s.crossMember.messages),
  'shared.deliveredOnReturn': shared((s) => s.stranded.deliveredOnReturn),
  'shared.qos2Duplicates': shared((s) => s.qos2Duplicates),
};

/** The slowest group's drain rate: what capacity planning must allow for. */
function overallDrainRate(m: Measured): number | null {
  const rates = (m.drain ?? []).flatMap((d) => (d.drainRate === null ? [] : [d.drainRate]));
  return rates.length > 0 ? Math.min(...rates) : null;
}

export function metricValue(measured: Measured, name: MetricName): number | null {
  return READERS[name](measured);
}
