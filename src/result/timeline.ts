import type { BrokerTarget } from '../brokers/types.js';
import type { FaultPlan } from '../scenario/plan.js';

/** Something that happened on the run clock (ms, performance.now()). */
export type TimelineEvent =
  | { at: number; kind: 'phase-start' | 'phase-end'; phase: number; label: string }
  /** skewMs: with agents, the spread (ms) between the first and the last agent's fault server applying it. */
  | { at: number; kind: 'fault-start'; phase: number; groups: string[]; fault: FaultPlan; label: string; skewMs?: number }
  | { at: number; kind: 'fault-stop'; phase: number; groups: string[]; label: string; skewMs?: number }
  | { at: number; kind: 'drain-end'; phase: number; label: string; reason: 'delivered' | 'quiet' | 'timeout' }
  /** The run's environment failed under it (phase -1: before the first phase); the run stopped there. */
  | { at: number; kind: 'environment-fault'; phase: number; cause: EnvironmentCause; label: string }
  /** The first time the broker refused or changed something for a group, in the phase then running (added when the run is judged). */
  | { at: number; kind: 'broker-said'; phase: number; group: string; label: string };

/** What failed under a run: its broker's process, its restart, a worker thread, the fault server. */
export type EnvironmentCause = 'broker-exit' | 'broker-restart' | 'worker-crash' | 'fault-server' | 'agent-lost';

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
