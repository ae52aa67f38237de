import type { ProtocolVersion } from '../brokers/types.js';
import type { GroupPlan } from '../scenario/plan.js';
import type { Tally } from './redelivery.js';
import type { GroupOutcome } from './subscribers.js';
import { count, duration, plural } from './words.js';

/**
 * What the spec made of each subscriber group's settings, in plain words with the run's
 * numbers: always written, because the costly surprise (v5 Clean Start=0 without a Session
 * Expiry Interval keeps nothing, unlike 3.1.1 CleanSession=0) passes every check.
 */
export function explain(protocol: ProtocolVersion, outcomes: readonly GroupOutcome[], marginMs: number, incomplete?: string): string[] {
  const lines: string[] = [];
  if (incomplete) lines.push(`The run did not complete (${incomplete}): the counts cover what was recorded.`);
  for (const { group, tally: t } of outcomes) {
    if (t.clients === 0) continue;
    const g = group.name;
    lines.push(sessionLine(protocol, group, t));
    if (t.silentGaps > 0) {
      lines.push(
        `${g}: the partition was silent, so the broker could learn of each lost connection only by keep-alive ` +
          `(1.5 × ${group.keepAliveSec} s, Mosquitto sweeps about every 6 s); where a session's end hangs on that moment, messages were not judged.`,
      );
    }
    const early = t.presentMissing - t.presentLostInRestart;
    if (early > 0) {
      lines.push(
        `${plural(early, 'reconnect')} of ${g} got Session Present 0 though by the spec the session still existed (${presentRef(protocol)}): the broker ended it early.`,
      );
    }
    if (t.presentLostInRestart > 0) {
      lines.push(
        `${plural(t.presentLostInRestart, 'reconnect')} of ${g} after the broker was killed and restarted got Session Present 0: the session was not persisted before the crash.`,
      );
    }
    if (t.presentUnexpected > 0) {
      const rule = group.clean ? `${cleanName(protocol)}=1 always gets 0` : 'by the spec the session had ended';
      lines.push(`${plural(t.presentUnexpected, 'reconnect')} of ${g} got Session Present 1 though ${rule} (${presentRef(protocol)}).`);
    }
    if (t.qos0Kept > 0) {
      lines.push(
        `${count(t.qos0Kept)} QoS 0 messages sent while ${g} were offline arrived anyway: the broker queued them (allowed, not required; Mosquitto queue_qos0_messages).`,
      );
    }
    if (t.leftover > 0) {
      lines.push(
        `${count(t.leftover)} messages left over from an earlier run reached ${g}: the broker still held sessions under these client ids. ` +
          'They carry another invocation\'s mark, so they were counted apart, never as delivered.',
      );
    }
    if (t.notReturned > 0) {
      lines.push(`${count(t.notReturned)} messages were sent to ${g} clients that had not come back when the run ended: not judged.`);
    }
  }
  const unjudged = outcomes.reduce((n, o) => n + o.tally.indeterminate, 0);
  if (unjudged > 0) {
    lines.push(
      `${count(unjudged)} messages were sent within ${marginMs} ms of a lost link, a resubscribe or a session's end ` +
        `(or while a partition was still unnoticed): either outcome meets the spec, so they were not judged.`,
    );
  }
  return lines;
}

/** The rule the settings invoke, then the numbers it produced. */
/**
 * Why messages sent while subscribers were offline did not reach them, when the session
 * settings say so: the cause a failed offline-delivery expectation should name.
 */
export function offlineCause(protocol: ProtocolVersion, outcomes: readonly GroupOutcome[]): string | undefined {
  for (const { group, tally: t } of outcomes) {
    if (t.offline === 0 || t.offlineDelivered === t.offline) continue;
    if (group.qos === 0) return `${group.name} subscribe at QoS 0, which the spec never queues`;
    if (group.clean) return `${group.name} use ${cleanName(protocol)}=1, so nothing is kept while they are offline`;
    if (protocol === '5' && group.sessionExpiry === 0) {
      return `Session Expiry Interval 0 ended each ${group.name} session at the disconnect (MQTT 5 §3.1.2.11.2): set session.expiry to keep it while offline`;
    }
  }
  return undefined;
}

function sessionLine(protocol: ProtocolVersion, group: GroupPlan, t: Tally): string {
  const g = group.name;
  if (group.qos === 0) {
    return `${g} subscribe at QoS 0: the spec never owes QoS 0 messages, so none of the ${count(t.offline)} sent while ${g} were offline were expected, and ${count(t.offlineDelivered)} arrived.`;
  }
  if (t.offline === 0) return `Nothing was sent to ${g} while they were offline, so their session settings were not put to the test.`;
  if (t.returns === 0) return `${g} did not come back before the run ended, so their session settings were not put to the test by reconnecting.`;
  const numbers = `${count(t.offlineExpected)} of the ${count(t.offline)} messages sent while ${g} were offline were expected, and ${count(t.offlineDelivered)} arrived.`;
  const expiry = group.sessionExpiry;
  if (protocol === '3.1.1') {
    return group.clean
      ? `CleanSession=1: the session lasts only as long as the connection (MQTT 3.1.1 §3.1.2.4), so ${numbers}`
      : `CleanSession=0: the session outlives a disconnect (MQTT 3.1.1 §3.1.2.4), so ${numbers} ` +
          'Under MQTT 5, Clean Start=0 alone ends the session at disconnect: set session.expiry (e.g. 3600) there for the same behaviour.';
  }
  if (group.clean) {
    const kept = expiry > 0 ? ` A Session Expiry Interval keeps a session only for a reconnect with Clean Start=0.` : '';
    return `Clean Start=1: the broker discards any session at connect (MQTT 5 §3.1.2.4), so ${numbers}${kept}`;
  }
  if (expiry === 0) {
    return (
      `Session Expiry Interval 0: the session ended at each disconnect (MQTT 5 §3.1.2.11.2), so ${numbers} ` +
      'Under MQTT 3.1.1, CleanSession=0 keeps the session: set session.expiry (e.g. 3600) for the same behaviour.'
    );
  }
  if (expiry >= 0xffffffff) return `Session Expiry Interval 0xFFFFFFFF: the session never expires (MQTT 5 §3.1.2.11.2), so ${numbers}`;
  if (t.returnsAfterEnd === 0) {
    return `Session Expiry Interval ${expiry} s: ${g} were back within ${duration(t.longestAwayMs)}, before their sessions expired (MQTT 5 §3.1.2.11.2), so ${numbers}`;
  }
  return (
    `Session Expiry Interval ${expiry} s: ${t.returnsAfterEnd} of ${plural(t.returns, 'return')} of ${g} came after the session had expired ` +
    `(away up to ${duration(t.longestAwayMs)}), so ${count(t.expiredWithSession)} messages went with their session (MQTT 5 §3.1.2.11.2); ${numbers}`
  );
}

function presentRef(protocol: ProtocolVersion): string {
  return protocol === '5' ? 'MQTT 5 §3.2.2.1.1' : 'MQTT 3.1.1 §3.2.2.2';
}

function cleanName(protocol: ProtocolVersion): string {
  return protocol === '5' ? 'Clean Start' : 'CleanSession';
}
