import type { RunPlan } from '../scenario/plan.js';
import type { BrokerSaid, Shortfall } from '../result/refusals.js';
import type { SharedCheck, SharedGroupResult } from '../result/shared.js';
import { count, duration } from './words.js';
import { qos0GrantWords } from './untested.js';

/**
 * What the spec holds a shared group to (MQTT 5 §4.8.2; Mosquitto gives 3.1.1 clients the
 * same): every owed message once to the group, and a QoS 2 message to one member only.
 * No checks without shared groups, so other runs read as before.
 */
export function sharedChecks(shared: readonly SharedGroupResult[]): SharedCheck[] {
  if (shared.length === 0) return [];
  const lost = shared.reduce((n, s) => n + s.lost, 0);
  const expected = shared.reduce((n, s) => n + s.expected, 0);
  const qos2 = shared.reduce((n, s) => n + s.qos2Duplicates, 0);
  return [
    {
      name: 'shared groups: every message once to the group',
      source: 'builtin',
      passed: lost === 0,
      actual: lost,
      threshold: '== 0',
      explanation:
        lost > 0
          ? shared.filter((s) => s.lost > 0).map((s) => `${count(s.lost)} of ${count(s.expected)} messages owed to ${s.filter} came to no member`).join('; ')
          : `all ${count(expected)} messages owed to shared groups came to a member`,
    },
    {
      name: 'shared groups: no QoS 2 message twice',
      source: 'builtin',
      passed: qos2 === 0,
      actual: qos2,
      threshold: '== 0',
      explanation:
        qos2 > 0
          ? shared.filter((s) => s.qos2Duplicates > 0).map((s) => `${count(s.qos2Duplicates)} extra copies of QoS 2 messages in ${s.filter} (exactly-once to the group broken, MQTT-4.8.2-4/5)`).join('; ')
          : 'no QoS 2 message came twice to a shared group',
    },
  ];
}

/** One line per shared group: what was owed, how it was split, what became of what a cut member held. */
export function sharedExplanations(shared: readonly SharedGroupResult[], said: readonly BrokerSaid[] = []): string[] {
  return shared.map((s) => {
    const head = `${s.filter} (${count(s.members)} members of ${s.groups.join(', ')})`;
    if (s.expected === 0 && s.delivered === 0) {
      const qos0 = qos0GrantWords(s.groups, said);
      if (qos0 !== '') return `${head}: ${count(s.sent)} messages sent, none owed (QoS 0 messages never are)${qos0}.`;
      return `${head}: ${count(s.sent)} messages sent, none owed: no member's session held the subscription when they were sent.`;
    }
    const parts = [`${head}: ${count(s.expected)} messages owed once to the group, ${count(s.delivered)} came`];
    const st = s.stranded;
    if (st.deliveredOnReturn > 0) {
      const how = [st.inFlightAtCut > 0 ? `${count(st.inFlightAtCut)} in flight to it at the cut` : '', st.chosenWhileAway > 0 ? `${count(st.chosenWhileAway)} sent while it was away (the broker kept choosing it)` : '']
        .filter(Boolean)
        .join(' and ');
      parts.push(
        `${count(st.deliveredOnReturn)} were held in the session of a member that was cut and came when it returned: ${how}; the last came ${duration(st.afterReturnMaxMs ?? 0)} after its return, at most ${duration(st.heldMaxMs ?? 0)} after sending`,
      );
    }
    parts.push(
      s.crossMember.messages > 0
        ? `${count(s.crossMember.messages)} came to more than one member (re-sent to another; ${s.crossMember.copies === 1 ? '1 extra copy' : `${count(s.crossMember.copies)} extra copies`})`
        : 'none was re-sent to another member',
    );
    if (s.lost > 0) parts.push(`${count(s.lost)} came to no member`);
    if (s.endedWithMember > 0) {
      parts.push(
        `${count(s.endedWithMember)} came to no member after the session of a member that could have held them ended while it was away: the broker dropped them with it (MQTT 5 §4.8.2: it SHOULD send a QoS 1 message to another member, and MUST NOT a QoS 2 one)`,
      );
    }
    if (s.notReturned > 0) parts.push(`${count(s.notReturned)} not judged: a member was still away at the end and may hold them`);
    parts.push(`split per member ${count(s.split.min)}–${count(s.split.max)}`);
    return `${parts.join('; ')}.`;
  });
}

/**
 * A v5 broker that says in CONNACK it has no shared subscriptions (Shared Subscription
 * Available 0, §3.2.2.3.13) cannot be judged on them: INCOMPLETE, even if a SUBACK said yes.
 */
export function sharedShortfalls(run: RunPlan, said: readonly BrokerSaid[]): Shortfall[] {
  const shared = new Set(run.groups.filter((g) => g.share !== undefined).map((g) => g.name));
  return said
    .filter((s) => shared.has(s.group) && s.property === 'sharedSubscriptionAvailable' && (s.value === false || s.value === 0))
    .map((s) => ({
      kind: 'subscribe' as const,
      done: 0,
      of: s.of,
      text: `group ${s.group} shares a subscription, and the broker said CONNACK Shared Subscription Available 0 to ${count(s.clients)} of ${count(s.of)} clients: it offers no shared subscriptions`,
    }));
}
