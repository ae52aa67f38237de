import type { ProtocolVersion } from '../brokers/types.js';
import type { ClientLog } from '../metrics/ledger.js';
import type { GroupPlan, Qos } from '../scenario/plan.js';

/**
 * A group's settings as the broker granted them to one client: the QoS of its SUBACK, the
 * Session Expiry Interval and Server Keep Alive of its (last) v5 CONNACK. The spec holds
 * the broker to what it granted (MQTT 5 §3.2.2.3.2, §3.2.2.3.14; §3.9.3), so that is what
 * the client's messages are judged by.
 */
export function grantedGroup(group: GroupPlan, log: ClientLog, protocol: ProtocolVersion): GroupPlan {
  const qos = log.granted !== undefined && log.granted < 0x80 && log.granted < group.qos ? (log.granted as Qos) : group.qos;
  let sessionExpiry = group.sessionExpiry;
  let keepAliveSec = group.keepAliveSec;
  if (protocol === '5') {
    for (const a of log.attempts) {
      if (a.connackAt === undefined) continue;
      if (a.assignedExpiry !== undefined) sessionExpiry = a.assignedExpiry;
      if (a.serverKeepAlive !== undefined) keepAliveSec = a.serverKeepAlive;
    }
  }
  if (qos === group.qos && sessionExpiry === group.sessionExpiry && keepAliveSec === group.keepAliveSec) return group;
  return { ...group, qos, sessionExpiry, keepAliveSec };
}
