import type { BrokerSaid } from '../result/refusals.js';
import type { RunPlan } from '../scenario/plan.js';
import type { GroupOutcome } from './subscribers.js';
import { count } from './words.js';

/**
 * Where the broker granted less than the scenario asked, what the run was judged by
 * instead, in plain words; and what MQTT 3.1.1 cannot tell the client at all.
 */
export function grantExplanations(run: RunPlan, outcomes: readonly GroupOutcome[], said: readonly BrokerSaid[]): string[] {
  const lines: string[] = [];
  for (const s of said) {
    if (s.kind === 'told') continue;
    const of = `${count(s.clients)} of ${count(s.of)}`;
    if (s.packet === 'SUBACK' && s.kind === 'changed') {
      lines.push(
        `${s.group}: the broker granted QoS ${String(s.code)} to the subscriptions of ${of} clients, asked at QoS ${String(run.groups.find((g) => g.name === s.group)?.qos)}, so their messages were judged at QoS ${String(s.code)}` +
          (s.code === 1 ? ' (duplicates allowed and shown): exactly-once was not tested on this broker.' : ': nothing sent to them was owed while they were offline.'),
      );
    } else if (s.property === 'sessionExpiryInterval') {
      const asked = run.groups.find((g) => g.name === s.group)?.sessionExpiry;
      lines.push(`${s.group}: the broker cut the requested Session Expiry Interval of ${String(asked)} s to ${String(s.value)} s (CONNACK, MQTT 5 §3.2.2.3.2) for ${of} clients; their sessions were judged by ${String(s.value)} s.`);
    } else if (s.property === 'serverKeepAlive') {
      lines.push(`${s.group}: the broker set keep-alive to ${String(s.value)} s (Server Keep Alive, MQTT 5 §3.2.2.3.14) for ${of} clients; the session model uses it.`);
    } else if (s.property === 'maximumQoS') {
      lines.push(`${s.group}: the broker's CONNACK says ${s.what.replace(/ \(.*/, '')} (MQTT 5 §3.2.2.3.4): publishes above it are a protocol error it answers with DISCONNECT 0x9B.`);
    }
  }
  const refused = outcomes.reduce((n, o) => n + o.tally.refused, 0);
  if (refused > 0) lines.push(`${count(refused)} messages were refused by the broker (see what it said): neither sent nor lost, and the run is incomplete for them.`);
  const unknown = outcomes.reduce((n, o) => n + o.tally.lostBy.unknown, 0);
  if (run.protocol === '3.1.1' && unknown > 0) {
    lines.push(
      'MQTT 3.1.1 has no negative acknowledgement: a broker that acknowledges a publish and then drops it (an ACL denial, a topic it will not take) ' +
        'looks exactly like this loss to the client. Under MQTT 5 the broker answers PUBACK 0x87 Not authorized instead, and the harness counts the message refused.',
    );
  }
  return lines;
}
