import type { MessageExpiryResult } from '../result/message-expiry.js';
import type { BrokerSaid, Shortfall } from '../result/refusals.js';
import type { SharedGroupResult } from '../result/shared.js';
import type { RunPlan } from '../scenario/plan.js';
import type { GroupOutcome } from './subscribers.js';
import { count } from './words.js';

/**
 * A feature the scenario asked to test whose built-in check would hold on nothing: sessions
 * that outlive a disconnect sent messages while away, none owed because every subscription
 * was granted QoS 0; a v5 Receive Maximum with no QoS 1/2 message ever in flight to its
 * group; messages sent with a Message Expiry Interval none of which could be judged; a
 * shared subscription owed nothing because its members were granted QoS 0. Most often the
 * broker granted QoS 0 to the subscriptions (it may), so it held nothing for the devices
 * while they were away. The checks then pass vacuously, so the run is INCOMPLETE, never a
 * PASS.
 */
export function untestedShortfalls(
  run: RunPlan,
  outcomes: readonly GroupOutcome[],
  messageExpiry: MessageExpiryResult | undefined,
  said: readonly BrokerSaid[],
  shared: readonly SharedGroupResult[] = [],
): Shortfall[] {
  const found: Shortfall[] = [];
  for (const { group, tally } of outcomes) {
    // Persistent sessions asked at QoS 1/2, every one granted QoS 0, sent messages while away: nothing was owed.
    // The plan's QoS: an outcome's group carries the QoS it was judged at (the grant).
    const asked = run.groups.find((g) => g.name === group.name)?.qos ?? 0;
    const all0 = said.some((s) => s.group === group.name && s.packet === 'SUBACK' && s.kind === 'changed' && s.code === 0 && s.clients === s.of);
    const endsAtDisconnect = group.clean || (run.protocol === '5' && group.sessionExpiry === 0);
    if (endsAtDisconnect || asked === 0 || !all0 || tally.offline === 0 || tally.offlineExpected > 0) continue;
    found.push({
      kind: 'untested',
      done: 0,
      of: tally.offline,
      text: `delivery to the sessions of ${group.name} while they were away was never tested: ${count(tally.offline)} messages sent to them meanwhile, none owed${qos0GrantWords([group.name], said, asked)}`,
    });
  }
  if (run.protocol === '5') {
    for (const { group, tally } of outcomes) {
      if (group.receiveMaximum === undefined || tally.inflightMax > 0) continue;
      found.push({
        kind: 'untested',
        done: 0,
        of: 1,
        text: `Receive Maximum ${count(group.receiveMaximum)} of ${group.name} was never tested: no QoS 1 or 2 message was in flight to it${qos0GrantWords([group.name], said, run.groups.find((g) => g.name === group.name)?.qos)}`,
      });
    }
  }
  if (messageExpiry && messageExpiry.sent > 0) {
    const m = messageExpiry;
    const judged = m.deliveredInTime + m.expiredInQueue + m.deliveredExpired + m.lost;
    if (judged === 0) {
      const downgraded = outcomes.map((o) => o.group.name);
      const nearBoundary = m.notJudged > 0 ? `; ${count(m.notJudged)} ended too near their subscriber's return to tell` : '';
      found.push({
        kind: 'untested',
        done: 0,
        of: m.sent,
        text: `Message Expiry was never tested: of ${count(m.sent)} messages sent with an interval, none was owed to a subscriber and judged${nearBoundary}${qos0GrantWords(downgraded, said)}`,
      });
    }
  }
  for (const s of shared) {
    const why = qos0GrantWords(s.groups, said);
    if (s.sent === 0 || s.expected > 0 || why === '') continue;
    found.push({ kind: 'untested', done: 0, of: s.sent, text: `shared subscription ${s.filter} was never tested: ${count(s.sent)} messages sent to it, none owed to the group${why}` });
  }
  return found;
}

/** ": the broker granted QoS 0 to the subscriptions of 6 of 6 devices, …" when it did; "" when it did not. */
export function qos0GrantWords(groups: readonly string[], said: readonly BrokerSaid[], asked?: number): string {
  const to0 = said.filter((s) => s.packet === 'SUBACK' && s.kind === 'changed' && s.code === 0 && groups.includes(s.group));
  if (to0.length === 0) return asked === 0 ? ' (the group subscribes at QoS 0)' : '';
  const who = to0.map((s) => `${count(s.clients)} of ${count(s.of)} ${s.group}`).join(', ');
  return `: the broker granted QoS 0 to the subscriptions of ${who}${asked !== undefined ? `, asked at QoS ${String(asked)}` : ''}, so nothing was held or in flight for them`;
}
