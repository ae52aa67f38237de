/**
 * Lies a broker tells by refusing, downgrading or going quiet — what Mosquitto cannot be
 * configured to do, forged by the MITM. Like the lies in lies.ts, each keeps the broker's
 * state consistent with what the client saw: a subscription the client was told failed is
 * never made on the broker, a publish answered with a refusal never reaches it, a
 * downgraded subscription is made at the granted QoS, so deliveries match the grant, and a
 * shortened session really ends when the shortened interval says.
 */
import type { IPublishPacket, ISubscribePacket, Packet } from 'mqtt-packet';
import type { MitmConnection } from './connection.js';
import { forgetSession, seqOf } from './lies.js';
import type { Lie } from './server.js';

/**
 * SUBACK 0x80 (3.1.1 Failure, v5 Unspecified error) for every subscription whose topic
 * matches: those subscriptions are taken out of the SUBSCRIBE before it reaches the broker
 * (a SUBSCRIBE left with none is answered by the MITM alone), so the broker never holds them
 * and nothing published to those topics reaches the client.
 */
export function subackFailure(topics: RegExp): Lie {
  /** Per connection and packet id: positions of the refused subscriptions in the client's SUBSCRIBE. */
  const pending = new Map<string, { refused: number[]; of: number }>();
  return {
    name: 'suback-failure',
    fromClient(conn, packet, mitm) {
      if (packet.cmd !== 'subscribe') return false;
      const refused = packet.subscriptions.flatMap((s, i) => (topics.test(s.topic) ? [i] : []));
      if (refused.length === 0) return false;
      for (const i of refused) mitm.record({ lie: 'suback-failure', clientId: conn.clientId, detail: packet.subscriptions[i]!.topic });
      const kept = packet.subscriptions.filter((_, i) => !refused.includes(i));
      if (kept.length === 0) {
        conn.toClient({ cmd: 'suback', messageId: packet.messageId, granted: refused.map(() => 0x80) });
        return true;
      }
      pending.set(`${conn.id}/${packet.messageId}`, { refused, of: packet.subscriptions.length });
      conn.toBroker({ ...packet, subscriptions: kept } as ISubscribePacket);
      return true;
    },
    fromBroker(conn, packet) {
      if (packet.cmd !== 'suback') return false;
      const p = pending.get(`${conn.id}/${packet.messageId}`);
      if (!p) return false;
      pending.delete(`${conn.id}/${packet.messageId}`);
      const fromBroker = [...(packet.granted as number[])];
      const granted = Array.from({ length: p.of }, (_, i) => (p.refused.includes(i) ? 0x80 : fromBroker.shift()!));
      conn.toClient({ ...packet, granted });
      return true;
    },
  };
}

/**
 * A broker that will not take a character in topic names: the client's first PUBLISH to a
 * topic containing `char` closes its connection (the PUBLISH is not forwarded).
 */
export function closeOnPublish(char: string): Lie {
  return {
    name: 'close-on-publish',
    fromClient(conn, packet, mitm) {
      if (packet.cmd !== 'publish' || !packet.topic.includes(char)) return false;
      mitm.record({ lie: 'close-on-publish', clientId: conn.clientId, seq: seqOf(packet), detail: packet.topic });
      conn.close();
      return true;
    },
  };
}

/**
 * MQTT 5: every CONNACK to a chosen client that asked a longer Session Expiry Interval
 * than `seconds` says `seconds` (the broker itself was asked, and keeps, the longer one).
 * The MITM holds the broker to the forged value: `seconds` after the client's connection
 * closes, if it has not come back, the MITM makes the broker forget its session (a clean
 * connect under its client id), so the session ends when the CONNACK said it would.
 */
export function shortenSessionExpiry(clients: RegExp, seconds: number): Lie {
  const timers = new Map<string, NodeJS.Timeout>();
  return {
    name: 'shorten-expiry',
    beforeConnect(conn) {
      const timer = timers.get(conn.clientId);
      if (timer) clearTimeout(timer);
      timers.delete(conn.clientId);
    },
    fromBroker(conn, packet, mitm) {
      if (packet.cmd !== 'connack' || conn.protocol !== 5 || !clients.test(conn.clientId)) return false;
      const asked = conn.connectPacket?.properties?.sessionExpiryInterval ?? 0;
      if (asked <= seconds) return false;
      conn.toClient({ ...packet, properties: { ...packet.properties, sessionExpiryInterval: seconds } });
      mitm.record({ lie: 'shorten-expiry', clientId: conn.clientId, detail: `${asked} → ${seconds}` });
      return true;
    },
    closed(conn, mitm) {
      if (conn.protocol !== 5 || !clients.test(conn.clientId) || conn.connectPacket === undefined) return;
      const clientId = conn.clientId;
      const timer = setTimeout(() => {
        timers.delete(clientId);
        if (mitm.isOnline(clientId)) return;
        void forgetSession(mitm.upstream, clientId, 5).then(
          () => mitm.record({ lie: 'shorten-expiry', clientId, detail: 'session ended' }),
          () => mitm.record({ lie: 'shorten-expiry', clientId, detail: 'could not end the session' }),
        );
      }, seconds * 1000);
      timer.unref();
      timers.set(clientId, timer);
    },
  };
}

/**
 * A broker that grants QoS 1 to QoS 2 subscriptions of the chosen clients: their SUBSCRIBE
 * is rewritten to QoS 1 before it reaches the broker, so the broker's own SUBACK grants 1
 * and it really delivers at QoS 1.
 */
export function downgradeSubscription(clients: RegExp): Lie {
  return {
    name: 'downgrade',
    fromClient(conn, packet, mitm) {
      if (packet.cmd !== 'subscribe' || !clients.test(conn.clientId)) return false;
      if (!packet.subscriptions.some((s) => s.qos === 2)) return false;
      for (const s of packet.subscriptions) if (s.qos === 2) mitm.record({ lie: 'downgrade', clientId: conn.clientId, detail: s.topic });
      conn.toBroker({ ...packet, subscriptions: packet.subscriptions.map((s) => (s.qos === 2 ? { ...s, qos: 1 } : s)) } as ISubscribePacket);
      return true;
    },
  };
}

/** Which publishes a lie refuses: by topic, and optionally only these sequence numbers. */
export interface PublishChoice {
  topics: RegExp;
  seqs?: readonly number[];
}

function chosenPublish(packet: Packet, choice: PublishChoice): packet is IPublishPacket {
  if (packet.cmd !== 'publish' || packet.qos === 0 || !choice.topics.test(packet.topic)) return false;
  if (choice.seqs === undefined) return true;
  const seq = seqOf(packet);
  return seq !== undefined && choice.seqs.includes(seq);
}

/**
 * MQTT 5: the chosen publishes are answered by the MITM with PUBACK (QoS 1) or PUBREC
 * (QoS 2) carrying `code` (e.g. 0x97 Quota exceeded), and never reach the broker. A PUBREL
 * the client still sends for a refused QoS 2 id is answered with PUBCOMP 0x92 Packet
 * Identifier not found, as the spec has a broker do.
 */
export function pubackCode(code: number, choice: PublishChoice): Lie {
  const refusedIds = new Set<string>();
  return {
    name: 'puback-code',
    fromClient(conn, packet, mitm) {
      if (packet.cmd === 'pubrel' && refusedIds.delete(`${conn.id}/${packet.messageId}`)) {
        conn.toClient({ cmd: 'pubcomp', messageId: packet.messageId!, reasonCode: 0x92 });
        return true;
      }
      if (conn.protocol !== 5 || !chosenPublish(packet, choice)) return false;
      if (packet.qos === 1) conn.toClient({ cmd: 'puback', messageId: packet.messageId!, reasonCode: code });
      else {
        refusedIds.add(`${conn.id}/${packet.messageId}`);
        conn.toClient({ cmd: 'pubrec', messageId: packet.messageId!, reasonCode: code });
      }
      mitm.record({ lie: 'puback-code', clientId: conn.clientId, seq: seqOf(packet), detail: packet.topic });
      return true;
    },
    closed(conn) {
      for (const key of [...refusedIds]) if (key.startsWith(`${conn.id}/`)) refusedIds.delete(key);
    },
  };
}

/**
 * A broker that stops acknowledging: after `after` QoS > 0 PUBLISHes from each chosen
 * client have gone through, every later one is swallowed — neither forwarded nor answered
 * — while the connection stays up (PINGREQ and the rest still pass).
 */
export function stallPublishes(clients: RegExp, after: number): Lie {
  const passed = new Map<MitmConnection, number>();
  return {
    name: 'stall',
    fromClient(conn, packet, mitm) {
      if (packet.cmd !== 'publish' || packet.qos === 0 || !clients.test(conn.clientId)) return false;
      const n = passed.get(conn) ?? 0;
      if (n < after) {
        passed.set(conn, n + 1);
        return false;
      }
      if (!packet.dup) mitm.record({ lie: 'stall', clientId: conn.clientId, seq: seqOf(packet), detail: packet.topic });
      return true;
    },
    closed(conn) {
      passed.delete(conn);
    },
  };
}

/**
 * A broker that grants QoS 0 to every subscription of the chosen clients (it may: MQTT 5
 * §3.9.3): their SUBSCRIBE is rewritten to QoS 0 before it reaches the broker, so the
 * broker's own SUBACK grants 0 and it really holds nothing for them while they are away.
 */
export function grantQos0(clients: RegExp): Lie {
  return {
    name: 'grant-qos0',
    fromClient(conn, packet, mitm) {
      if (packet.cmd !== 'subscribe' || !clients.test(conn.clientId)) return false;
      for (const s of packet.subscriptions) mitm.record({ lie: 'grant-qos0', clientId: conn.clientId, detail: s.topic });
      conn.toBroker({ ...packet, subscriptions: packet.subscriptions.map((s) => ({ ...s, qos: 0 })) } as ISubscribePacket);
      return true;
    },
  };
}
