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
  /** The scenario's overall deadline (its `deadline`, or --deadline); absent: the engine derives one from the phase timeouts. */
  deadlineMs?: number;
  broker: BrokerSpec;
  faults: { kind: 'embedded' } | { kind: 'toxiproxy'; url: string };
  /** One per matrix entry (or protocol), in file order. */
  runs: RunPlan[];
  /** Broker memory sampling; absent: none (a plan built by hand). expandPlan always sets it. */
  memory?: MemoryPlan;
  /** Set by `scale.connectionsPerPort` (a testing/tuning knob); absent: half the ephemeral range. */
  connectionsPerPort?: number;
  /** Ramp to the knee: the runs once per step with one dimension set to the step's value; absent: one pass. */
  ramp?: RampPlan;
}

/** What a ramp grows: a group's client count, perTarget or rate of the publish phases to it. */
export type RampDimension = 'sessions' | 'backlog' | 'rate';

export interface RampPlan {
  grow: RampDimension;
  group: string;
  /** Rising; the step's value replaces the group's count (sessions), perTarget (backlog) or ratePerSec (rate). */
  steps: number[];
}

/** Which memory probes a run uses, and how often they are read. */
export interface MemoryPlan {
  /** auto: by broker (RSS + $SYS heap for a managed Mosquitto, $SYS heap for another Mosquitto). */
  probes: 'auto' | MemoryProbePlan[];
  intervalMs: number;
  /** Default wait of a `measure` phase before it reads, so a $SYS value published after the phase's start arrives. */
  settleMs: number;
}

export type MemoryProbePlan =
  /** Neither pid nor process: the broker process the harness started. */
  | { kind: 'rss'; pid?: number; process?: string }
  | { kind: 'sys-heap' }
  | { kind: 'prometheus'; url: string; metric: string; labels: Record<string, string> };

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
  /** {group} and {run} substituted ({run} as a token of [A-Za-z0-9_-]: "3_1_1"); {i} (0-based client index) left for the engine. */
  clientId: string;
  clean: boolean;
  /** Seconds, as the protocol applies it: for 3.1.1, 0 with clean, else 0xFFFFFFFF (never). */
  sessionExpiry: number;
  /** v5 Receive Maximum sent in CONNECT; absent: none sent (65535 by the spec), and always for 3.1.1. */
  receiveMaximum?: number;
  /** Subscribers: ms each client waits before acknowledging a QoS 1/2 message; absent: at once. */
  ackDelayMs?: number;
  /** 0 = off. */
  keepAliveSec: number;
  qos: Qos;
  /** Subscribers only; {group} and {run} substituted, {i} left. */
  topic?: string;
  /** Subscribers sharing one subscription: each subscribes to `$share/<share>/<topic>` (topic without {i}). */
  share?: string;
  via: 'proxy' | 'direct';
  /** Absent: unlimited. */
  connectRatePerSec?: number;
  reconnect: ReconnectPlan;
}

/**
 * How a client waits before retrying a lost connection: `fixed` = delay ± jitter every
 * time; `exponential` = full jitter, uniform in [0, min(max, delay × 2^failures)).
 */
export type ReconnectPlan =
  | { backoff: 'fixed'; delayMs: number; jitterMs: number }
  | { backoff: 'exponential'; delayMs: number; maxMs: number };

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
  /** Groups whose active fault is a takeover: before the heal, each client connects again over its second path (straight to the broker) while the first connection is still open. */
  takeover?: { groups: string[]; closeWithinMs: number };
}
export interface PublishPhase {
  kind: 'publish';
  from: string;
  to: string;
  /** Messages each client of `to` is sent, on its own topic; to a shared group, messages each publisher sends to the group's one topic. */
  perTarget: number;
  /** `to` is a shared group: one topic, each message owed once to the group. */
  shared?: true;
  qos: Qos;
  /** Total over the phase's publishers; absent = unlimited. */
  ratePerSec?: number;
  payloadBytes: number;
  /** MQTT 5 Message Expiry Interval sent with every message, s; absent: none (always under 3.1.1). */
  messageExpirySec?: number;
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
/** Waits `settleMs`, then reads every memory probe: a point the memory figures are derived from. */
export interface MeasurePhase {
  kind: 'measure';
  label: string;
  settleMs: number;
}

export type PhasePlan =
  | ConnectPhase
  | SubscribePhase
  | FaultPhase
  | HealPhase
  | PublishPhase
  | WaitPhase
  | DrainPhase
  | DisconnectPhase
  | MeasurePhase
  | MeasureExpiryPhase;

/** How a measured session's connection ends: DISCONNECT 0x04, socket dropped, or a silent partition. */
export type ExpiryClose = 'graceful' | 'abrupt' | 'partition';

/** Probe offsets from a session's expected end, ms: close (partition: the cut) + its expiry. */
export interface ProbeWindow {
  fromMs: number;
  toMs: number;
}

/**
 * Connects the groups' sessions itself (each with a Will whose delay outlasts the expiry),
 * closes them (shares by way of closing), and times each session's end by its will, or by
 * one probe (CONNACK Session Present) at an offset around the expected end.
 */
export interface MeasureExpiryPhase {
  kind: 'measure-expiry';
  groups: string[];
  /** Share of each group's sessions per way of closing; they add up to 1. */
  closes: Record<ExpiryClose, number>;
  /** Share of each way of closing's sessions probed once; the rest are timed by their will. */
  probeShare: number;
  /** By group, then by way of closing (partition windows follow the group's keep-alive). */
  windows: Record<string, Record<ExpiryClose, ProbeWindow>>;
  /** v5: graceful DISCONNECTs carry this Session Expiry Interval (s) instead of keeping the CONNECT's. */
  disconnectExpiry?: number;
  /** Will Delay Interval (s), the same for every client; 0 when the sessions expire at once. */
  willDelay: number;
  /** No will this long after a session's latest expected end: it never expired. */
  neverAfterMs: number;
  /** Graceful and abrupt closes are spread evenly over this long. */
  spreadMs: number;
  /** Partitioned clients send a PINGREQ just before the cut, so every keep-alive timer starts there. */
  syncKeepAlive: boolean;
  /** MQTT 3.1.1: the broker's own session expiry, as the scenario states it (ms). */
  brokerExpiryMs?: number;
  /** The phase's longest wait, after which sessions without a will count as never expired. */
  maxWaitMs: number;
}

/** upstream = client to broker. */
export type Stream = 'upstream' | 'downstream' | 'both';

export type FaultPlan =
  /** Proxy disabled: live connections close at once, new ones are refused. */
  | { kind: 'cut' }
  /** timeout toxic (0) both ways: a black hole the broker notices by keep-alive only. */
  | { kind: 'partition' }
  /** reset_peer toxic. */
  | { kind: 'reset' }
  /** timeout toxic (0) upstream only: the broker hears nothing but can still reach the client (its DISCONNECT 0x8E gets through); the takeover itself happens at the heal. */
  | { kind: 'takeover'; closeWithinMs: number }
  | { kind: 'latency'; latencyMs: number; jitterMs: number; stream: Stream }
  /** Toxiproxy's unit: KB/s, 1 KB = 1000 B. */
  | { kind: 'bandwidth'; kbPerSec: number; stream: Stream }
  | { kind: 'toxic'; type: string; stream: Stream; toxicity: number; attributes: Record<string, number> }
  /** The managed broker killed (SIGKILL) and started again `downMs` later; not a proxy fault, nothing to heal. */
  | { kind: 'broker-restart'; downMs: number };

/** The faults a fault server applies to a group's proxies. */
export type ProxyFaultPlan = Exclude<FaultPlan, { kind: 'broker-restart' }>;

export interface ExpectationPlan extends Expression {
  origin: 'scenario' | 'matrix';
}
