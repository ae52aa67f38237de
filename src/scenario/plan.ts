import type { BrokerSpec, ProtocolVersion } from '../brokers/types.js';
import type { Expression } from '../checks/expression.js';

/**
 * A scenario fully resolved: every default filled, durations in ms, rates per second,
 * names checked. Plain data only — it crosses thread boundaries and is printed with
 * JSON.stringify — so an absent optional field means "unlimited" or "none", never a default.
 */
export interface Plan {
  planVersion: 1;
  scenario: { name: string; file: string; description?: string };
  seed: number;
  allowRemote: boolean;
  broker: BrokerSpec;
  faults: { kind: 'embedded' } | { kind: 'toxiproxy'; url: string };
  /** One per matrix entry (or protocol), in file order. */
  runs: RunPlan[];
}

export interface RunPlan {
  /** Unique and filesystem-safe: "3.1.1", "5", "5-no-expiry". */
  id: string;
  label: string;
  protocol: ProtocolVersion;
  /** In file order. */
  groups: GroupPlan[];
  phases: PhasePlan[];
  expect: ExpectationPlan[];
  /** What the protocol makes of the settings, for the report, e.g. an ignored expiry. */
  notes: string[];
}

export type Qos = 0 | 1 | 2;

export interface GroupPlan {
  name: string;
  count: number;
  role: 'subscriber' | 'publisher';
  /** {group} and {run} substituted; {i} (0-based client index) left for the engine. */
  clientId: string;
  clean: boolean;
  /** Seconds, as the protocol applies it: for 3.1.1, 0 with clean, else 0xFFFFFFFF (never). */
  sessionExpiry: number;
  /** 0 = off. */
  keepAliveSec: number;
  qos: Qos;
  /** Subscribers only; {group} and {run} substituted, {i} left. */
  topic?: string;
  via: 'proxy' | 'direct';
  /** Absent: unlimited. */
  connectRatePerSec?: number;
  reconnect: { delayMs: number; jitterMs: number };
}

export interface ConnectPhase {
  kind: 'connect';
  /** Each group at its own rate: the phase's, else the group's; absent = unlimited. */
  groups: { name: string; ratePerSec?: number }[];
}
export interface SubscribePhase {
  kind: 'subscribe';
  groups: string[];
}
export interface FaultPhase {
  kind: 'fault';
  groups: string[];
  fault: FaultPlan;
}
export interface HealPhase {
  kind: 'heal';
  groups: string[];
}
export interface PublishPhase {
  kind: 'publish';
  from: string;
  to: string;
  /** Messages each client of `to` is sent, on its own topic. */
  perTarget: number;
  qos: Qos;
  /** Total over the phase's publishers; absent = unlimited. */
  ratePerSec?: number;
  payloadBytes: number;
}
export interface WaitPhase {
  kind: 'wait';
  durationMs: number;
}
export interface DrainPhase {
  kind: 'drain';
  timeoutMs: number;
}
export interface DisconnectPhase {
  kind: 'disconnect';
  groups: string[];
  /** graceful: DISCONNECT sent; abrupt: socket destroyed (the will fires). */
  mode: 'graceful' | 'abrupt';
}

export type PhasePlan =
  | ConnectPhase
  | SubscribePhase
  | FaultPhase
  | HealPhase
  | PublishPhase
  | WaitPhase
  | DrainPhase
  | DisconnectPhase;

/** upstream = client to broker. */
export type Stream = 'upstream' | 'downstream' | 'both';

export type FaultPlan =
  /** Proxy disabled: live connections close at once, new ones are refused. */
  | { kind: 'cut' }
  /** timeout toxic (0) both ways: a black hole the broker notices by keep-alive only. */
  | { kind: 'partition' }
  /** reset_peer toxic. */
  | { kind: 'reset' }
  | { kind: 'latency'; latencyMs: number; jitterMs: number; stream: Stream }
  /** Toxiproxy's unit: KB/s, 1 KB = 1000 B. */
  | { kind: 'bandwidth'; kbPerSec: number; stream: Stream }
  | { kind: 'toxic'; type: string; stream: Stream; toxicity: number; attributes: Record<string, number> };

export interface ExpectationPlan extends Expression {
  origin: 'scenario' | 'matrix';
}
