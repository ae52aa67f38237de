/**
 * A broker without shared subscriptions, forged by the MITM in front of a Mosquitto that
 * has them: every SUBSCRIBE to a `$share/...` filter is answered by the MITM alone with a
 * failure (v5 0x9E Shared Subscriptions not supported, 3.1.1 0x80 Failure) and never
 * reaches the broker, so nothing published to the topic reaches the client; under v5 every
 * CONNACK also says Shared Subscription Available 0 (MQTT 5 §3.2.2.3.13).
 */
import type { ISubscribePacket } from 'mqtt-packet';
import type { Lie } from './server.js';

export const SHARED_NOT_SUPPORTED = 0x9e;

export function noSharedSubscriptions(): Lie {
  return {
    name: 'no-shared-subscriptions',
    fromClient(conn, packet, mitm) {
      if (packet.cmd !== 'subscribe') return false;
      const subscribe = packet as ISubscribePacket;
      if (!subscribe.subscriptions.every((s) => s.topic.startsWith('$share/'))) return false;
      for (const s of subscribe.subscriptions) mitm.record({ lie: 'no-shared-subscriptions', clientId: conn.clientId, detail: s.topic });
      const code = conn.protocol === 5 ? SHARED_NOT_SUPPORTED : 0x80;
      conn.toClient({ cmd: 'suback', messageId: subscribe.messageId, granted: subscribe.subscriptions.map(() => code) });
      return true;
    },
    fromBroker(conn, packet) {
      if (packet.cmd !== 'connack' || conn.protocol !== 5) return false;
      conn.toClient({ ...packet, properties: { ...packet.properties, sharedSubscriptionAvailable: false } });
      return true;
    },
  };
}
