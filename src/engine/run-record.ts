import type { BrokerTarget } from '../brokers/types.js';
import { HarnessError } from '../errors.js';
import type { ShardLedger } from '../metrics/ledger.js';
import type { FaultPlan, RunPlan } from '../scenario/plan.js';
import type { MemoryRecord } from './memory-sampler.js';
import type { BrokerInfo, EnvironmentCause, TimelineEvent } from '../result/timeline.js';
import type { AgentResult } from '../result/agents.js';


/** An environment error thrown inside a run that says what failed, for its timeline entry. */
export class EnvironmentFailure extends HarnessError {
  constructor(
    readonly environmentCause: EnvironmentCause,
    message: string,
  ) {
    super('E_ENVIRONMENT', message);
  }
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
  /** The agents that ran the clients (`--agents`, `--listen`); absent when this process did. */
  agents?: AgentResult[];
}
