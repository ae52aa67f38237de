/**
 * The lies a Mitm can tell, each aimed at chosen clients (by client id) and, where it
 * concerns messages, at chosen sequence numbers read from the harness's payload header.
 * Each leaves the broker's state consistent with what the client saw, so the broker does
 * not undo the lie later (a dropped QoS 1 message is acknowledged to the broker, or it
 * would be sent again on the next reconnect).
 */
import { connect } from 'node:net';
import mqttPacket, { type IConnectPacket, type IPublishPacket, type Packet } from 'mqtt-packet';
import { decodeHeader, type PayloadHeader } from '../../../src/workers/payload.js';
import type { MitmConnection } from './connection.js';
import type { Lie, Mitm } from './server.js';

/** The harness's sequence number of a PUBLISH, or undefined when the payload is not the harness's. */
export function seqOf(packet: IPublishPacket): number | undefined {
  const header: PayloadHeader = { group: 0, invocation: 0, publisher: 0, seq: 0, sentAt: 0 };
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  // Any invocation's message will do: the lies aim at sequence numbers.
  return decodeHeader(payload, header, 0) === 'not-ours' ? undefined : header.seq;
}

/** A broker PUBLISH to a chosen client carrying one of the chosen seqs. */
function chosen(conn: MitmConnection, packet: Packet, clients: RegExp, seqs: readonly number[]): packet is IPublishPacket {
  if (packet.cmd !== 'publish' || !clients.test(conn.clientId)) return false;
  const seq = seqOf(packet);
  return seq !== undefined && seqs.includes(seq);
}

/**
 * Every copy of the chosen messages to the chosen clients is dropped, and acknowledged to
 * the broker on the client's behalf (PUBACK; PUBREC, then PUBCOMP for the broker's PUBREL),
 * so the broker considers them delivered and never sends them again.
 */
export function dropMessages(clients: RegExp, seqs: readonly number[]): Lie {
  const released = new Set<string>();
  return {
    name: 'drop',
    fromBroker(conn, packet, mitm) {
      if (packet.cmd === 'pubrel' && released.delete(`${conn.id}/${packet.messageId}`)) {
        conn.toBroker({ cmd: 'pubcomp', messageId: packet.messageId! });
        return true;
      }
      if (!chosen(conn, packet, clients, seqs)) return false;
      if (packet.qos === 1) conn.toBroker({ cmd: 'puback', messageId: packet.messageId! });
      if (packet.qos === 2) {
        released.add(`${conn.id}/${packet.messageId}`);
        conn.toBroker({ cmd: 'pubrec', messageId: packet.messageId! });
      }
      mitm.record({ lie: 'drop', clientId: conn.clientId, seq: seqOf(packet)! });
      return true;
    },
  };
}

/**
 * The first QoS 2 delivery of each chosen message to the chosen clients arrives twice: the
 * broker's PUBLISH, then a copy under another packet id, so the client cannot tell it is
 * the same message (the MITM completes the copy's PUBREC/PUBREL/PUBCOMP itself).
 *
 * The copy goes out only after the broker's PUBREL for the original: mqtt.js hands a QoS 2
 * message over at PUBREL, and the MITM answers the copy's PUBREC at once, so a copy sent
 * beside the original would be handed over before earlier messages still waiting for the
 * broker's PUBREL — a reorder on top of the duplicate, which is not the lie meant here.
 */
export function duplicateQos2(clients: RegExp, seqs: readonly number[]): Lie {
  const done = new Set<string>();
  const awaitingRelease = new Map<string, IPublishPacket>();
  return {
    name: 'duplicate',
    fromBroker(conn, packet, mitm) {
      if (packet.cmd === 'pubrel') {
        const original = awaitingRelease.get(`${conn.id}/${packet.messageId}`);
        if (!original) return false;
        awaitingRelease.delete(`${conn.id}/${packet.messageId}`);
        conn.toClient(packet);
        conn.inject({ ...original });
        mitm.record({ lie: 'duplicate', clientId: conn.clientId, seq: seqOf(original)! });
        return true;
      }
      if (!chosen(conn, packet, clients, seqs) || packet.qos !== 2) return false;
      const key = `${conn.clientId}/${seqOf(packet)!}`;
      if (done.has(key)) return false;
      done.add(key);
      awaitingRelease.set(`${conn.id}/${packet.messageId}`, packet);
      return false;
    },
  };
}

/**
 * The broker's PUBREL for each chosen QoS 2 message to the chosen clients never reaches
 * them: the PUBLISH goes through and the client's PUBREC reaches the broker, whose PUBREL
 * the MITM swallows and answers with PUBCOMP itself, so the broker considers the message
 * delivered while the client still holds it, waiting to hand it over. Aedes 1.2 does the
 * same to a persistent session when two PUBRECs arrive in one read (it sends one PUBREL
 * twice and the other never).
 */
export function withholdRelease(clients: RegExp, seqs: readonly number[]): Lie {
  const withheld = new Map<string, number>();
  return {
    name: 'withhold-release',
    fromBroker(conn, packet, mitm) {
      if (packet.cmd === 'pubrel') {
        const seq = withheld.get(`${conn.id}/${packet.messageId}`);
        if (seq === undefined) return false;
        withheld.delete(`${conn.id}/${packet.messageId}`);
        conn.toBroker({ cmd: 'pubcomp', messageId: packet.messageId! });
        mitm.record({ lie: 'withhold-release', clientId: conn.clientId, seq });
        return true;
      }
      if (chosen(conn, packet, clients, seqs) && packet.qos === 2) withheld.set(`${conn.id}/${packet.messageId}`, seqOf(packet)!);
      return false;
    },
  };
}

/**
 * The chosen message to each chosen client is held back and delivered right after the
 * next PUBLISH to that client (or after `holdMs` if none comes), once per client.
 */
export function reorder(clients: RegExp, seq: number, holdMs = 3000): Lie {
  const held = new Map<MitmConnection, { packet: IPublishPacket; timer: NodeJS.Timeout }>();
  const done = new Set<string>();
  const release = (conn: MitmConnection, mitm: Mitm, after?: number): void => {
    const h = held.get(conn);
    if (!h) return;
    held.delete(conn);
    clearTimeout(h.timer);
    conn.toClient(h.packet);
    if (after !== undefined) {
      done.add(conn.clientId);
      mitm.record({ lie: 'reorder', clientId: conn.clientId, seq, detail: `after ${after}` });
    }
  };
  return {
    name: 'reorder',
    fromBroker(conn, packet, mitm) {
      if (packet.cmd !== 'publish' || !clients.test(conn.clientId) || done.has(conn.clientId)) return false;
      if (held.has(conn)) {
        conn.toClient(packet);
        release(conn, mitm, seqOf(packet));
        return true;
      }
      if (!chosen(conn, packet, clients, [seq]) || packet.dup) return false;
      const timer = setTimeout(() => release(conn, mitm), holdMs);
      timer.unref();
      held.set(conn, { packet, timer });
      return true;
    },
    closed(conn) {
      // Never delivered: the broker sends it again on the next connection.
      const h = held.get(conn);
      if (h) clearTimeout(h.timer);
      held.delete(conn);
    },
  };
}

/** CONNECT with a clean session for `clientId`, then DISCONNECT: the broker drops its session. */
export function forgetSession(upstream: { host: string; port: number }, clientId: string, protocol: 3 | 4 | 5, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(upstream);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no CONNACK for ${clientId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const parser = mqttPacket.parser({ protocolVersion: protocol });
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd !== 'connack') return;
      clearTimeout(timer);
      socket.end(mqttPacket.generate({ cmd: 'disconnect' }, { protocolVersion: protocol }));
      socket.once('close', () => resolve(packet.sessionPresent));
    });
    socket.on('data', (data: Buffer) => parser.parse(data));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    const hello: IConnectPacket = {
      cmd: 'connect',
      protocolId: protocol === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion: protocol,
      clientId,
      clean: true,
      keepalive: 0,
    };
    socket.on('connect', () => socket.write(mqttPacket.generate(hello, { protocolVersion: protocol })));
  });
}

/**
 * Ends the chosen clients' sessions early: on a client's first reconnect (its second
 * CONNECT, with a persistent session asked for) the MITM first makes the broker forget the
 * session, by connecting as that client with a clean session, so the broker answers Session
 * Present 0 and what it held for the client is gone. The CONNACK is passed on as the broker
 * gave it, and recorded.
 */
export function endSessionEarly(clients: RegExp): Lie {
  const lied = new Set<MitmConnection>();
  return {
    name: 'end-session',
    async beforeConnect(conn, packet, mitm) {
      if (!clients.test(packet.clientId) || packet.clean || mitm.connectsOf(packet.clientId) !== 2) return;
      await forgetSession(mitm.upstream, packet.clientId, conn.protocol);
      lied.add(conn);
    },
    fromBroker(conn, packet, mitm) {
      if (packet.cmd !== 'connack' || !lied.delete(conn)) return false;
      mitm.record({ lie: 'end-session', clientId: conn.clientId, detail: `session present ${packet.sessionPresent ? 1 : 0}` });
      return false;
    },
  };
}

/**
 * Sessions that never end: a chosen v5 client's CONNECT with Clean Start=0 reaches the
 * broker with Session Expiry Interval 0xFFFFFFFF, whatever the client asked for, so the
 * broker keeps the session and its backlog after a disconnect, and answers Session Present
 * 1 on the reconnect. Each such reconnect's CONNACK is recorded.
 */
export function keepSessionForever(clients: RegExp): Lie {
  const kept = new Set<MitmConnection>();
  return {
    name: 'keep-session',
    beforeConnect(conn, packet) {
      if (conn.protocol !== 5 || packet.clean || !clients.test(packet.clientId)) return;
      packet.properties = { ...packet.properties, sessionExpiryInterval: 0xffffffff };
      kept.add(conn);
    },
    fromBroker(conn, packet, mitm) {
      if (packet.cmd !== 'connack' || !kept.delete(conn) || mitm.connectsOf(conn.clientId) < 2) return false;
      mitm.record({ lie: 'keep-session', clientId: conn.clientId, detail: `session present ${packet.sessionPresent ? 1 : 0}` });
      return false;
    },
  };
}

/**
 * Messages the chosen clients' sessions must not hold, delivered anyway: while a chosen
 * client is away, every PUBLISH another client sends to its subscribed topic is recorded;
 * right after the CONNACK of its next connection the MITM delivers those copies (QoS 1,
 * packet ids of its own), whatever the session said.
 */
export function replayOffline(clients: RegExp): Lie {
  const topics = new Map<string, Set<string>>();
  const recorded = new Map<string, IPublishPacket[]>();
  return {
    name: 'replay',
    fromClient(conn, packet, mitm) {
      if (packet.cmd === 'subscribe' && clients.test(conn.clientId)) {
        const set = topics.get(conn.clientId) ?? new Set<string>();
        for (const s of packet.subscriptions) set.add(s.topic);
        topics.set(conn.clientId, set);
      }
      if (packet.cmd === 'publish' && packet.qos > 0) {
        for (const [clientId, subscribed] of topics) {
          if (subscribed.has(packet.topic) && !mitm.isOnline(clientId)) {
            recorded.set(clientId, [...(recorded.get(clientId) ?? []), { ...packet, qos: 1, dup: false, retain: false }]);
          }
        }
      }
      return false;
    },
    fromBroker(conn, packet, mitm) {
      if (packet.cmd !== 'connack' || !recorded.has(conn.clientId)) return false;
      const copies = recorded.get(conn.clientId)!;
      recorded.delete(conn.clientId);
      conn.toClient(packet);
      for (const copy of copies) {
        conn.inject(copy);
        mitm.record({ lie: 'replay', clientId: conn.clientId, seq: seqOf(copy)! });
      }
      return true;
    },
  };
}
