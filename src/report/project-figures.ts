import { memoryMetric } from '../checks/memory.js';
import { HarnessError } from '../errors.js';
import type { Result, RunResult } from '../result/result.js';

/**
 * The measured figures a capacity projection starts from, gathered from stored results:
 * each figure as every value a run measured (its spread is their range), where it came
 * from, and how it was obtained. A run that could not do what was asked (INCOMPLETE) is
 * refused outright: its figures are not measurements of its scenario.
 */

export interface Measured {
  value: number;
  /** "file run 5-expiry-15s (rss)". */
  from: string;
}

export interface MeasuredFigures {
  /** Broker memory before any client connected, bytes. */
  baseline: Measured[];
  /** Bytes per idle persistent session. */
  perSession: Measured[];
  /** Bytes per message queued for an offline session. */
  perQueuedMessage: Measured[];
  /** Backlog messages delivered per second after the reconnect: [low, high] per run. */
  drainRate: { low: Measured; high: Measured }[];
  /** Clients back per second after a fault healed: [low, high] per run. */
  reconnectRate: { low: Measured; high: Measured }[];
  /** Mosquitto's per-session queue limit, where the runs' broker said one. */
  queueLimit: number | null;
}

export interface ResultFile {
  file: string;
  result: Result;
}

/** What measures each figure, for the refusal when none of the results did. */
const WHO_MEASURES: Record<Exclude<keyof MeasuredFigures, 'queueLimit'>, string> = {
  baseline: 'broker memory before the first connect (any run with a memory probe that read a value)',
  perSession: 'memory per session (a measure phase right after the connect, as in scenarios/capacity.yaml)',
  perQueuedMessage: 'memory per queued message (a measure phase after a publish to offline sessions, as in scenarios/capacity.yaml)',
  drainRate: 'a backlog drain (subscribers coming back to queued messages, as in scenarios/reconnect-storm.yaml)',
  reconnectRate: 'a reconnect after a fault (as in scenarios/reconnect-storm.yaml)',
};

const MOSQUITTO_QUEUE_DEFAULT = 1000;

/**
 * The process's resident memory (rss) where it was read: what the machine must provide.
 * Otherwise the probe the run's memory checks read (e.g. Mosquitto's $SYS heap).
 */
function memoryFigure(file: string, run: RunResult, figure: 'baseline' | 'perSession' | 'perQueuedMessage'): Measured[] {
  const rss = run.memory?.figures.rss?.[figure] ?? null;
  const value = rss ?? memoryMetric(run.memory, figure);
  const probe = rss !== null ? 'rss' : run.memory?.metricsFrom;
  return value === null || !(value > 0) ? [] : [{ value, from: `${file} run ${run.id} (${probe})` }];
}

/**
 * Backlog messages over the time they took. The subscriber that drained last did so in
 * `drainTime` from its own CONNACK, and the last CONNACK came `reconnect.time.max` after the
 * heal: the broker delivered the backlog in a window between the two.
 */
function drainRate(file: string, run: RunResult): MeasuredFigures['drainRate'] {
  const { offlineDelivered, drainTime } = run.redelivery;
  const reconnectMax = run.reconnect.time?.max ?? 0;
  if (!(offlineDelivered > 0) || drainTime === null || !(drainTime > 0)) return [];
  const from = `${file} run ${run.id} (${offlineDelivered} backlog messages)`;
  return [{ low: { value: offlineDelivered / ((drainTime + reconnectMax) / 1000), from }, high: { value: offlineDelivered / (drainTime / 1000), from } }];
}

/**
 * Clients back over the time they took after the heal: all of them by `max` (low), nine in
 * ten by `p90` (high: the bulk, without the stragglers' backoff).
 */
function reconnectRate(file: string, run: RunResult): MeasuredFigures['reconnectRate'] {
  const time = run.reconnect.time;
  if (!time || !(time.count > 0) || !(time.max > 0) || !(time.p90 > 0)) return [];
  const from = `${file} run ${run.id} (${time.count} reconnects)`;
  return [{ low: { value: time.count / (time.max / 1000), from }, high: { value: (0.9 * time.count) / (time.p90 / 1000), from } }];
}

/** Throws the one line when a run is INCOMPLETE or a figure no run measured. */
export function measuredFigures(files: readonly ResultFile[]): MeasuredFigures {
  for (const { file, result } of files) {
    for (const run of result.runs) {
      if (run.verdict === 'incomplete') {
        const why = run.shortfalls?.[0]?.text ?? run.incomplete ?? 'it could not do what its scenario asked';
        throw new HarnessError('E_USAGE', `${file}: run ${run.id} is INCOMPLETE (${why}): its figures are not measurements; rerun it before projecting`);
      }
    }
  }
  const runs = files.flatMap(({ file, result }) => result.runs.filter((r) => r.verdict !== 'unsupported').map((run) => ({ file, run })));
  const limits = runs.map(({ run }) => Number(run.broker.options.max_queued_messages ?? (run.broker.kind === 'managed-mosquitto' ? MOSQUITTO_QUEUE_DEFAULT : NaN)));
  const figures: MeasuredFigures = {
    baseline: runs.flatMap(({ file, run }) => memoryFigure(file, run, 'baseline')),
    perSession: runs.flatMap(({ file, run }) => memoryFigure(file, run, 'perSession')),
    perQueuedMessage: runs.flatMap(({ file, run }) => memoryFigure(file, run, 'perQueuedMessage')),
    drainRate: runs.flatMap(({ file, run }) => drainRate(file, run)),
    reconnectRate: runs.flatMap(({ file, run }) => reconnectRate(file, run)),
    queueLimit: limits.some((n) => Number.isFinite(n)) ? Math.min(...limits.filter((n) => Number.isFinite(n))) : null,
  };
  const names = files.map((f) => f.file).join(', ');
  for (const key of Object.keys(WHO_MEASURES) as (keyof typeof WHO_MEASURES)[]) {
    if (figures[key].length === 0) throw new HarnessError('E_USAGE', `${names}: no run measured ${WHO_MEASURES[key]}; add a result.json that did`);
  }
  return figures;
}
