import type { ShardLedger } from '../metrics/ledger.js';
import type { ClearRequest, Command, ShardStatus } from '../workers/protocol.js';

/** The engine's view of the worker pool: commands with a barrier, and counters. */
export interface Shards {
  run(command: Command): Promise<void>;
  status(): Promise<ShardStatus[]>;
  finish(clear?: ClearRequest): Promise<ShardLedger[]>;
  destroy(): Promise<void>;
}

/** With agents: which agent runs a shard, and how many clients the shard holds. */
export interface ShardOwner {
  agent: number;
  clients: number;
}
