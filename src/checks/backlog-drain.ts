/**
 * How fast each subscriber group's backlog drained, and how many messages the broker had in
 * flight to one client while it did: what a v5 client's Receive Maximum caps (MQTT 5 §4.9)
 * and MQTT 3.1.1 leaves to the broker. A PUBLISH beyond the client's Receive Maximum breaks
 * MQTT-3.3.4-9; that is a built-in check, failed whenever it happened.
 */
import type { ProtocolVersion } from '../brokers/types.js';
import type { ClientLog } from '../metrics/ledger.js';
import { closedOverReceiveMaximum } from './broker-closes.js';
import { groupOf } from './subscribers.js';
import type { BacklogDrain, Check } from '../result/result.js';
import type { GroupOutcome } from './subscribers.js';
import { count, plural } from './words.js';

export const RECEIVE_MAXIMUM_CHECK = 'Receive Maximum respected (MQTT-3.3.4-9)';

/** One entry per subscriber group that got QoS 1/2 messages; empty when none did. */
export function backlogDrains(protocol: ProtocolVersion, outcomes: readonly GroupOutcome[]): BacklogDrain[] {
  return outcomes
    .filter((o) => o.tally.inflightMax > 0)
    .map(({ group, tally: t }) => ({
      group: group.name,
      receiveMaximum: protocol === '5' ? (group.receiveMaximum ?? null) : null,
      ...(group.ackDelayMs !== undefined ? { ackDelay: group.ackDelayMs } : {}),
      inflightMax: t.inflightMax,
      overCap: t.inflightOverCap,
      violators: t.inflightViolators,
      drainTime: t.drainTimeMs === null ? null : Math.round(t.drainTimeMs * 1000) / 1000,
      drainedMessages: t.drainedMessages,
      drainRate: drainRate(t.drainedMessages, t.drainMsTotal),
    }));
}

/** Backlog messages per second of draining, per client on average: Σ messages / Σ drain time over every return. */
export function drainRate(messages: number, ms: number): number | null {
  return messages > 0 && ms > 0 ? Math.round((messages / ms) * 1000 * 10) / 10 : null;
}

/** Only for v5 runs with a group that sets a Receive Maximum: elsewhere there is no cap the broker could break. */
export function receiveMaximumChecks(protocol: ProtocolVersion, outcomes: readonly GroupOutcome[]): Check[] {
  const capped = outcomes.filter((o) => protocol === '5' && o.group.receiveMaximum !== undefined);
  if (capped.length === 0) return [];
  const over = capped.reduce((n, o) => n + o.tally.inflightOverCap, 0);
  const failing = capped.filter((o) => o.tally.inflightOverCap > 0);
  return [
    {
      name: RECEIVE_MAXIMUM_CHECK,
      source: 'builtin',
      passed: over === 0,
      actual: over,
      threshold: '== 0',
      explanation:
        over > 0
          ? failing
              .map(
                ({ group, tally: t }) =>
                  `${count(t.inflightOverCap)} PUBLISH packets sent to ${plural(t.inflightViolators, 'client')} of ${group.name} with Receive Maximum ${count(group.receiveMaximum!)} already in flight (most in flight: ${count(t.inflightMax)}): the broker exceeded the client's Receive Maximum (MQTT-3.3.4-9)`,
              )
              .join('; ')
          : capped.map(({ group, tally: t }) => `${group.name}: at most ${count(t.inflightMax)} in flight, Receive Maximum ${count(group.receiveMaximum!)}`).join('; '),
    },
  ];
}

/** Why connections of a group ended without the broker closing them: the client refused a QoS 2 PUBLISH over its Receive Maximum. */
export function overCapCloseExplanations(logs: readonly ClientLog[]): string[] {
  const byGroup = new Map<string, { closes: number; clients: number }>();
  for (const log of logs) {
    const closes = log.attempts.filter(closedOverReceiveMaximum).length;
    if (closes === 0) continue;
    const entry = byGroup.get(groupOf(log.ref)) ?? { closes: 0, clients: 0 };
    entry.closes += closes;
    entry.clients++;
    byGroup.set(groupOf(log.ref), entry);
  }
  return [...byGroup].map(
    ([group, { closes, clients }]) =>
      `${group}: the client closed ${plural(closes, 'connection')} of ${plural(clients, 'client')} itself (mqtt.js, 0x93 Receive Maximum exceeded): the broker sent a QoS 2 PUBLISH over the Receive Maximum (MQTT 5 §4.9), so what it had sent on those connections was not handed over`,
  );
}
