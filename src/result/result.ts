import type { AgentResult } from './agents.js';
import type { ProtocolVersion } from '../brokers/types.js';
import type { GroupPlan } from '../scenario/plan.js';
import type { ExpiryResult } from './expiry.js';
import type { Percentiles } from './latency.js';
import type { LossReason } from './loss.js';
import type { MemoryResult } from './memory.js';
import type { BrokerSaid, Shortfall } from './refusals.js';
import type { BrokerInfo, TimelineEvent } from './timeline.js';
import type { SharedGroupResult } from './shared.js';
import type { MessageExpiryResult } from './message-expiry.js';
import type { RampResult } from './ramp.js';

/**
 * result.json: the single source of truth every other report renders from, so it holds
 * what a later render or comparison needs (merged histograms included) and nothing secret.
 * Durations in ms; times in `timeline` are ms from the run's start. This folder is the
 * bottom layer: the checks fill these types, the reports read them, and nothing here
 * imports from either (schema/result.schema.json is generated from them).
 */
export const SCHEMA_VERSION = 1;

export interface Result {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: string; version: string };
  scenario: { name: string; file: string; description?: string };
  /** Wall clock, ISO 8601. */
  startedAt: string;
  seed: number;
  runs: RunResult[];
  /** A ramp to the knee: every step's runs are in `runs`; absent for a scenario without `ramp`. */
  ramp?: RampResult;
}

/** incomplete: the run could not do what the scenario asked (see `shortfalls`); it never passes. */
export type Verdict = 'pass' | 'fail' | 'incomplete' | 'unsupported';

export interface Check {
  /** The built-in check's name, or the expectation as written. */
  name: string;
  source: 'builtin' | 'scenario' | 'matrix';
  passed: boolean;
  /** The measured value in the metric's unit; null: no samples (the check passes vacuously). */
  actual: number | null;
  /** e.g. "== 0", "< 2000 ms". */
  threshold?: string;
  /** One line; for a failed check, the cause where it is knowable. */
  explanation: string;
}

export interface RedeliveryResult {
  /** QoS>=1 messages the spec says had to arrive. */
  expected: number;
  delivered: number;
  lost: number;
  lostBy: Record<LossReason, number>;
  /** Extra copies (QoS 1: allowed), and those of QoS 2 messages (each a violation). */
  duplicates: number;
  qos2Duplicates: number;
  outOfOrder: number;
  /** Arrived though the spec had no session to hold them. */
  unexpected: number;
  /** Sent too close to a boundary to judge either way. */
  indeterminate: number;
  /** Not owed: sent while no session held a subscription. */
  noSession: number;
  /** Not owed: sent into a session that then expired before the client came back. */
  expiredWithSession: number;
  /** Not owed: sent into a session Clean Start=1 (CleanSession=1) discarded at reconnect. */
  discarded: number;
  /** Not judged: sent to clients that had not come back when the run ended. */
  notReturned: number;
  /** Publishes the broker refused (a reason code ≥ 0x80, or it closed the connection before acknowledging): neither sent nor lost. Absent in older results. */
  refused?: number;
  /** Publishes the broker never acknowledged: not its to deliver, not judged. Absent in older results. */
  unacknowledged?: number;
  /** Messages an earlier invocation sent (left in a session on the broker): counted apart, never delivered. Absent in older results. */
  leftover?: number;
  /** QoS 0 messages sent while offline that still arrived (a broker option). */
  qos0Kept: number;
  /** Messages (any QoS) sent while the subscriber was offline, and how many of them arrived. */
  offline: number;
  offlineDelivered: number;
  /** Reconnect CONNACK to each backlog message. */
  latency: Percentiles | null;
  /** Reconnect CONNACK to the last backlog message, slowest subscriber. */
  drainTime: number | null;
}

/**
 * One subscriber group's backlog drain and the broker's in-flight window to its clients
 * (groups that got QoS 1/2 messages). Absent in older results.
 */
export interface BacklogDrain {
  group: string;
  /** The v5 Receive Maximum the clients sent; null: none sent, or MQTT 3.1.1 (no such property). */
  receiveMaximum: number | null;
  /** The group's ackDelay (ms); absent: acknowledged at once. */
  ackDelay?: number;
  /** Most QoS 1/2 messages in flight to one client at once (PUBLISH received, not yet PUBACK / PUBCOMP). */
  inflightMax: number;
  /** PUBLISH packets that arrived with the Receive Maximum already in flight (each breaks MQTT-3.3.4-9), and the clients they came to. */
  overCap: number;
  violators: number;
  /** Reconnect CONNACK to the last backlog message, slowest client (ms); null: no backlog arrived. */
  drainTime: number | null;
  /** Backlog messages that arrived after returns, and their rate per client: Σ messages / Σ drain time (messages/s). */
  drainedMessages: number;
  drainRate: number | null;
}

export interface RunResult {
  id: string;
  label: string;
  protocol: ProtocolVersion;
  broker: BrokerInfo;
  groups: GroupPlan[];
  startedAt: string;
  durationMs: number;
  redelivery: RedeliveryResult;
  latency: { e2e: Percentiles | null };
  reconnect: { time: Percentiles | null; notReconnected: number; connectFailures: number };
  /** Merged hdr-histogram-js compressed base64, µs (offlineAge absent in older results). */
  histograms: { e2e: string; redelivery: string; reconnect: string; offlineAge?: string };
  /** Age at arrival (arrival − send) of the messages sent while their subscriber was away; null: none arrived; absent in older results. */
  offlineAge?: Percentiles | null;
  /** MQTT 5 Message Expiry: what became of messages sent with an interval; absent when none were. */
  messageExpiry?: MessageExpiryResult;
  /** Payloads that were not the harness's (or were corrupted). */
  malformed: number;
  timeline: TimelineEvent[];
  checks: Check[];
  /** What the spec made of the settings, in plain words; always present. */
  explanations: string[];
  /** From the plan, e.g. an ignored setting. */
  notes: string[];
  verdict: Verdict;
  /** Why the verdict is `incomplete`; absent or empty otherwise (and in older results). */
  shortfalls?: Shortfall[];
  /** What the broker refused or changed; absent in older results. */
  brokerSaid?: BrokerSaid[];
  incomplete?: string;
  unsupported?: string;
  /** Session-expiry accuracy, from a measure-expiry phase: distributions, survival curves, method agreement. */
  expiry?: ExpiryResult;
  /** Broker memory: probes, samples on the run timeline, points and derived figures. */
  memory?: MemoryResult;
  /** Per subscriber group: backlog drain time and rate, the broker's in-flight window against the Receive Maximum. */
  drain?: BacklogDrain[];
  /** Shared subscriptions judged per group (docs/shared-subscriptions.md); absent without one. */
  shared?: SharedGroupResult[];
  /** The agent processes that ran the clients, their shares and clock offsets; absent when one process did. */
  agents?: AgentResult[];
}
