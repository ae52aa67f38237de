import type { GroupPlan, PublishPhase, Qos } from '../scenario/plan.js';
import type { ShardLedger } from '../metrics/ledger.js';
import type { ProtocolVersion } from '../brokers/types.js';
import type { ExpiryCommand } from './expiry-protocol.js';

/**
 * The typed conversation between the engine (main thread) and a worker shard, over a
 * MessagePort handed to the shard's one long task. Plain data only.
 *
 * Handshake: the engine runs the task with ShardInit; the shard creates its clients (not
 * connected) and posts `ready`. Then for every phase the engine posts one command and
 * waits for `done` from every shard (the barrier), except `status`, answered at once.
 */

/** Where a client connects: through its group's fault proxy or straight to the broker. */
export interface Endpoint {
  host: string;
  port: number;
  /** The source address to bind (127.0.0.x), when one address has too few ephemeral ports. */
  localAddress?: string;
}

export interface ShardGroup {
  plan: GroupPlan;
  /** The client indices (within the group) this shard owns: an exact split, none dropped. */
  first: number;
  count: number;
  /** Where its clients connect: client i uses endpoints[i % length]. */
  endpoints: Endpoint[];
}

export interface ShardInit {
  shard: number;
  protocol: ProtocolVersion;
  groups: ShardGroup[];
  /** Subscriber topics of every group (with {i} left), so publishers can address any target. */
  topics: Record<string, string>;
  /** Every group's size, so publishers can split targets exactly. */
  groupSizes: Record<string, number>;
  /** Number of shards, so publishers of a group can split their work. */
  shards: number;
  seed: number;
  /** This invocation's nonce: in every header sent, checked in every header received, and in {invocation} client ids. */
  invocation: number;
  credentials?: { username?: string; password?: string };
  /** The broker itself, for connections that must not go through a proxy (expiry probes, the will observer). */
  broker?: Endpoint;
  /** Set for a shard run by an agent: added to its clock so it records on the coordinator's (shifted-clock.ts). */
  clockOffsetMs?: number;
}

/** The clients a shard holds, over all its groups. */
export function clientsOf(init: ShardInit): number {
  return init.groups.reduce((n, g) => n + g.count, 0);
}

export type Command =
  | { kind: 'connect'; groups: { name: string; ratePerSec?: number }[] }
  | { kind: 'subscribe'; groups: string[] }
  | { kind: 'publish'; phase: PublishPhase }
  | { kind: 'disconnect'; groups: string[]; mode: 'graceful' | 'abrupt' }
  /**
   * Each connected client opens a second connection with its client id straight to the
   * broker while the first is still open, then waits up to `closeWithinMs` after its CONNACK
   * for the broker to close the first (takeover-phase.ts).
   */
  | { kind: 'takeover'; groups: string[]; closeWithinMs: number }
  /** A measure-expiry phase's steps (expiry-protocol.ts). */
  | ExpiryCommand
  /**
   * Stop reconnecting and close everything; with `clear`, then clear the sessions the run
   * left on the broker (post `sessions-cleared`); then post `ledger`.
   */
  | { kind: 'finish'; clear?: ClearRequest }
  /** Counters now, for drain decisions and progress. Answered with `status`. */
  | { kind: 'status' };

export interface ShardStatus {
  connected: number;
  /** First copies received so far, over all subscribers of the shard. */
  received: number;
  sent: number;
  /** Subscribers that are connected and subscribed right now. */
  subscribedNow: number;
  lastReceiveAt: number;
  /** The same per group of this shard, for live metrics (counted, never per message across threads). */
  groups: Record<string, GroupStatus>;
}

/** One group's counters in one shard; sums over shards are the group's. */
export interface GroupStatus {
  connected: number;
  /** Messages this group's publishers handed to mqtt.js. */
  sent: number;
  /** Of those, how many got their acknowledgement (QoS 0: their write) or a refusal. */
  settled: number;
  /** Messages any publisher of this shard addressed to this group's subscribers. */
  sentTo: number;
  /** First copies this group's subscribers received. */
  received: number;
  /** Connection attempts after each client's first. */
  reconnects: number;
}

/** At `finish`: clear the sessions the run left on the broker (session-clear.ts). */
export interface ClearRequest {
  /** For the whole shard; what is not done by then is not cleared. */
  limitMs: number;
  /** Connections open at once, in this shard. */
  concurrency: number;
}

export interface ClearReport {
  cleared: number;
  notCleared: number;
  /** Why, for the most common failure: e.g. "3 × ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1883". */
  why?: string;
}

export type ShardEvent =
  | { kind: 'ready'; shard: number }
  | { kind: 'done'; shard: number; command: Command['kind']; detail?: string }
  | { kind: 'status'; shard: number; status: ShardStatus }
  | { kind: 'ledger'; shard: number; ledger: ShardLedger }
  | ({ kind: 'sessions-cleared'; shard: number } & ClearReport)
  /** A problem the shard could not recover from; the engine ends the run as incomplete. */
  | { kind: 'error'; shard: number; message: string };

/** Splits n items over k parts exactly: the first n % k parts get one more. */
export function splitExactly(n: number, k: number): { first: number; count: number }[] {
  const base = Math.floor(n / k);
  const extra = n % k;
  const parts: { first: number; count: number }[] = [];
  let first = 0;
  for (let i = 0; i < k; i++) {
    const count = base + (i < extra ? 1 : 0);
    parts.push({ first, count });
    first += count;
  }
  return parts;
}

export type { Qos };
