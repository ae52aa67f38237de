import type { RunResult } from '../result/result.js';
import type { Percentiles } from '../result/latency.js';
import { memoryMetric } from './memory.js';
import type { MetricName } from './metric-names.js';

/** The parts of a run result the metrics read. */
export type Measured = Pick<RunResult, 'redelivery' | 'latency' | 'reconnect' | 'memory' | 'expiry'>;

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
};

export function metricValue(measured: Measured, name: MetricName): number | null {
  return READERS[name](measured);
}
