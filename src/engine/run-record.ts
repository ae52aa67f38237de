import type { BrokerTarget } from '../brokers/types.js';
import { HarnessError } from '../errors.js';
import type { ShardLedger } from '../metrics/ledger.js';
import type { FaultPlan, RunPlan } from '../scenario/plan.js';
import type { MemoryRecord } from './memory-sampler.js';

/** Something that happened on the run clock (ms, performance.now()). */
export type TimelineEvent =
  | { at: number; kind: 'phase-start' | 'phase-end'; phase: number; label: string }
  | { at: number; kind: 'fault-start'; phase: number; groups: string[]; fault: FaultPlan; label: string }
  | { at: number; kind: 'fault-stop'; phase: number; groups: string[]; label: string }
  | { at: number; kind: 'drain-end'; phase: number; label: string; reason: 'delivered' | 'quiet' | 'timeout' }
  /** The run's environment failed under it (phase -1: before the first phase); the run stopped there. */
  | { at: number; kind: 'environment-fault'; phase: number; cause: EnvironmentCause; label: string }
  /** The first time the broker refused or changed something for a group, in the phase then running (added when the run is judged). */
  | { at: number; kind: 'broker-said'; phase: number; group: string; label: string };

/** What failed under a run: its broker's process, its restart, a worker thread, the fault server. */
export type EnvironmentCause = 'broker-exit' | 'broker-restart' | 'worker-crash' | 'fault-server';

/** An environment error thrown inside a run that says what failed, for its timeline entry. */
export class EnvironmentFailure extends HarnessError {
  constructor(
    readonly environmentCause: EnvironmentCause,
    message: string,
  ) {
    super('E_ENVIRONMENT', message);
  }
}

/** The broker as a report may describe it: no credentials, no methods. */
export interface BrokerInfo {
  kind: BrokerTarget['kind'];
  url: string;
  description: string;
  version?: string;
  software?: 'mosquitto' | 'aedes' | 'unknown';
  /** Broker options the checks need to attribute losses, e.g. max_queued_messages. */
  options: Record<string, string | number | boolean>;
}

/**
 * One run of the matrix as the engine hands it to the checks: the plan, what happened
 * (timeline, ledgers), and whether it ran at all. Plain data.
 */
export interface RunRecord {
  run: RunPlan;
  broker: BrokerInfo;
  /** performance.now() at run start; every `at` in the run is on this clock. */
  startedAt: number;
  endedAt: number;
  /** Wall-clock ISO time of the start, for the report. */
  startedAtIso: string;
  timeline: TimelineEvent[];
  ledgers: ShardLedger[];
  /** Set when the broker cannot run this protocol: the run was not attempted. */
  unsupported?: string;
  /** Set when the run stopped early (interrupted, a worker crashed, a phase timed out). */
  incomplete?: string;
  /** Set (to the same reason) when what stopped it was the environment: the invocation ends with exit 3. */
  environmentFault?: string;
  /** Broker memory samples and measurement points; absent when the plan samples none. */
  memory?: MemoryRecord;
}
