import type { BrokerInfo, TimelineEvent } from '../result/timeline.js';
import type { Message } from './expected.js';
import type { SessionModel } from './session-model.js';
import type { LossReason } from '../result/loss.js';

/** Why an expected message never came, where the harness can know it. */

/** What the broker's stated configuration says about dropping messages. */
export interface LossPolicy {
  /** Mosquitto's per-client offline queue (QoS 1/2 only). */
  queue?: { limit: number; isDefault: boolean; inflight: number };
  /** Mosquitto's message_size_limit (payload bytes; 0 or absent: none): a 3.1.1 broker acknowledges a larger publish and drops it. */
  sizeLimit?: number;
  /** Mosquitto's persistent_client_expiration: a broker-side cap on any session, as set and in ms. */
  sessionCap?: { setting: string; ms: number };
  /** Kills of the broker by a broker-restart fault (run clock), and what its persistence promised. */
  restarts?: { at: readonly number[]; persistence: boolean; autosaveInterval?: string; autosaveOnChanges: boolean };
}

const MOSQUITTO_QUEUE_DEFAULT = 1000;
const MOSQUITTO_INFLIGHT_DEFAULT = 20;
/** mosquitto.conf(5): persistent_client_expiration is an integer and one of h d w m y. */
const EXPIRATION_UNIT_SEC: Record<string, number> = { h: 3600, d: 86_400, w: 604_800, m: 2_592_000, y: 31_536_000 };

export function lossPolicy(broker: BrokerInfo, timeline: readonly TimelineEvent[] = []): LossPolicy {
  if (broker.software !== 'mosquitto' && broker.kind !== 'managed-mosquitto') return {};
  const policy: LossPolicy = {};
  const kills = timeline.filter((e) => e.kind === 'fault-start' && e.fault.kind === 'broker-restart').map((e) => e.at);
  if (kills.length > 0) {
    const autosave = broker.options.autosave_interval;
    policy.restarts = {
      at: kills,
      persistence: broker.options.persistence === true || broker.options.persistence === 'true',
      ...(autosave !== undefined ? { autosaveInterval: String(autosave) } : {}),
      autosaveOnChanges: broker.options.autosave_on_changes === true || broker.options.autosave_on_changes === 'true',
    };
  }
  const limit = numberOption(broker, 'max_queued_messages');
  // 0 means unlimited.
  if (limit !== 0) {
    policy.queue = {
      limit: limit ?? MOSQUITTO_QUEUE_DEFAULT,
      isDefault: limit === undefined,
      inflight: numberOption(broker, 'max_inflight_messages') ?? MOSQUITTO_INFLIGHT_DEFAULT,
    };
  }
  const sizeLimit = numberOption(broker, 'message_size_limit');
  if (sizeLimit !== undefined && sizeLimit > 0) policy.sizeLimit = sizeLimit;
  const cap = /^([0-9]+)([hdwmy])$/.exec(String(broker.options.persistent_client_expiration ?? ''));
  if (cap) policy.sessionCap = { setting: cap[0], ms: Number(cap[1]) * EXPIRATION_UNIT_SEC[cap[2]!]! * 1000 };
  return policy;
}

function numberOption(broker: BrokerInfo, name: string): number | undefined {
  const value = broker.options[name];
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The reason an expected message was lost. A kill of the broker in the time away before the
 * subscriber's return explains it first (the broker had not persisted it, or the session it
 * went into). Then the return that should have brought it (the first
 * reconnect after it was sent) decides first: a session the broker dropped though the spec
 * keeps it loses everything it held. Otherwise Mosquitto's queue limit explains a message
 * sent while away once the backlog passed the limit: it drops the newest, and 2.0.11 counts
 * in-flight messages too, so the boundary may sit up to max_inflight_messages lower.
 * `unreleased`: the subscriber received the QoS 2 PUBLISH and answered PUBREC, but the
 * broker's PUBREL never came in that session, so the client could not hand it over.
 */
export function attributeLoss(message: Message, model: SessionModel, backlog: readonly number[], policy: LossPolicy, unreleased: boolean): LossReason {
  const returning = model.gaps.find((gap) => gap.to > message.sentAt);
  // The broker was killed during the time away that should have ended with the message: it
  // came back only if saved before the kill; one sent after the restart, only if the session was.
  const kill = returning && policy.restarts?.at.find((at) => returning.from <= at && at < returning.to);
  if (kill !== undefined && (message.sentAt < kill || returning?.observedPresent === false)) return 'broker-restart';
  if (returning && returning.specPresent === true && returning.observedPresent === false) {
    const away = returning.to - returning.learned.lo;
    return policy.sessionCap !== undefined && away > policy.sessionCap.ms ? 'session-expired' : 'session-ended-early';
  }
  if (unreleased) return 'never-released';
  if (policy.sizeLimit !== undefined && message.payloadBytes > policy.sizeLimit) return 'size-limit';
  const queue = policy.queue;
  if (queue && message.gap >= 0 && backlog[message.gap]! > queue.limit && message.queueRank >= queue.limit - queue.inflight) {
    return 'queue-limit';
  }
  return 'unknown';
}
