import type { Measured, MeasuredFigures } from './project-figures.js';

/**
 * The capacity model, written out (docs/capacity-projection.md says the same in words):
 *
 *   queued per device  q = min(M, the broker's per-session queue limit)
 *   memory needed      = baseline + N × per session + N × q × per queued message
 *   backlog drain time = N × q / drain rate
 *   reconnect storm    = N / reconnect rate
 *
 * Every figure enters as the range of what the runs measured, so every answer is a range:
 * low from the favourable ends, high from the unfavourable ones.
 */

export interface ProjectionInput {
  devices: number;
  /** Messages queued per device during the outage. */
  queued: number;
  outageMs: number;
}

export interface Range {
  low: number;
  high: number;
}

export interface Projection {
  input: ProjectionInput;
  /** Per device, after the queue limit. */
  queuedPerDevice: number;
  /** Messages per second the broker accepts and queues during the outage, on average. */
  queueRate: number;
  memoryBytes: Range;
  drainSeconds: Range;
  stormSeconds: Range;
  /** The figures used, each as its measured range and its sources. */
  figures: Record<'baseline' | 'perSession' | 'perQueuedMessage' | 'drainRate' | 'reconnectRate', Range & { from: string[]; runs: number }>;
  assumptions: string[];
}

function spread(values: readonly Measured[]): Range & { from: string[]; runs: number } {
  const numbers = values.map((v) => v.value);
  return { low: Math.min(...numbers), high: Math.max(...numbers), from: [...new Set(values.map((v) => v.from))], runs: values.length };
}

function rateSpread(pairs: MeasuredFigures['drainRate']): Range & { from: string[]; runs: number } {
  const all = spread(pairs.flatMap((p) => [p.low, p.high]));
  return { ...all, runs: pairs.length };
}

export function project(measured: MeasuredFigures, input: ProjectionInput): Projection {
  const { devices: n } = input;
  const limit = measured.queueLimit;
  const q = limit !== null ? Math.min(input.queued, limit) : input.queued;
  const figures = {
    baseline: spread(measured.baseline),
    perSession: spread(measured.perSession),
    perQueuedMessage: spread(measured.perQueuedMessage),
    drainRate: rateSpread(measured.drainRate),
    reconnectRate: rateSpread(measured.reconnectRate),
  };
  const memory = (end: 'low' | 'high'): number => figures.baseline[end] + n * figures.perSession[end] + n * q * figures.perQueuedMessage[end];
  const assumptions = [
    'one broker node; memory grows linearly with sessions and with queued messages, at the per-session and per-message cost measured (a broker whose cost per session changes with scale, or a cluster that shares sessions, is not modelled)',
    'memory is the broker process\'s resident memory (rss) where the runs read it, otherwise the probe their memory checks read; it includes the baseline at start, not the operating system or other processes',
    'the sessions outlive the outage: MQTT 3.1.1 CleanSession=0, or MQTT 5 with a Session Expiry Interval at least the outage; with a shorter expiry the broker ends the sessions, frees their queues, and those messages are never delivered',
    'the devices reconnect with the backoff of the measured runs; the reconnect rate measured includes that backoff and the fault server refusing while the cut lasted, so it is a rate of this client population, not the broker\'s limit',
    'the backlog drains after the devices are back, at the broker-wide rate measured: between all backlog messages over the slowest subscriber\'s drain time (high) and over the time from the heal to the last backlog message (low)',
    'the memory needed is the peak of this model: every session with its whole backlog, at the end of the outage',
  ];
  if (limit !== null && input.queued > limit) {
    assumptions.unshift(`the broker keeps at most ${limit} messages per session (Mosquitto max_queued_messages): ${input.queued - limit} of the ${input.queued} per device are dropped, not queued, so the projection counts ${limit}`);
  }
  return {
    input,
    queuedPerDevice: q,
    queueRate: (n * q) / (input.outageMs / 1000),
    memoryBytes: { low: memory('low'), high: memory('high') },
    drainSeconds: { low: (n * q) / figures.drainRate.high, high: (n * q) / figures.drainRate.low },
    stormSeconds: { low: n / figures.reconnectRate.high, high: n / figures.reconnectRate.low },
    figures,
    assumptions,
  };
}
