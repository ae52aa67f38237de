/**
 * A device that takes time over each message before acknowledging it (a group's ackDelay).
 * mqtt.js handles incoming packets one at a time and moves on to the next only once the
 * PUBACK / PUBREC of the last is written, so delaying its handleMessage callback would make
 * every device strictly serial: one message per ackDelay whatever the Receive Maximum. A
 * real device on a real link has several messages in flight at once, the broker's window
 * being the limit; so here mqtt.js is told at once that the acknowledgement went out (it
 * hands over the next packet), and the PUBACK / PUBREC is written ackDelay later. The delay
 * is the same for every message, so one FIFO and one timer per client suffice.
 *
 * An acknowledgement still due when its connection closes is dropped, never sent on the
 * next one: the broker re-sends that message on the new connection (MQTT-4.4.0-1).
 */
import type { MqttClient, Packet } from 'mqtt';

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, cbStorePut?: unknown, noStore?: boolean) => void;

/** mqtt.js 5 internals: the method every outgoing packet goes through, and the connection's stream. */
interface SendInternals {
  _sendPacket: SendPacket;
  stream: MqttClient['stream'];
  connected: boolean;
}

interface Due {
  at: number;
  packet: Packet;
  stream: MqttClient['stream'];
}

/** Makes `inst` write its PUBACKs and PUBRECs `delayMs` after mqtt.js asks for them. */
export function delayAcks(inst: MqttClient, delayMs: number): void {
  const internals = inst as unknown as SendInternals;
  // An mqtt.js without this internal would acknowledge at once, silently: say so instead.
  if (typeof internals._sendPacket !== 'function') throw new Error('ackDelay: this mqtt.js has no _sendPacket to delay acknowledgements through');
  const send = internals._sendPacket.bind(inst);
  const queue: Due[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (head < queue.length && queue[head]!.at <= now) {
      const due = queue[head++]!;
      if (internals.stream === due.stream && internals.connected) send(due.packet);
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else timer = setTimeout(flush, queue[head]!.at - now);
  };
  internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
    if (packet.cmd !== 'puback' && packet.cmd !== 'pubrec') return send(packet, cb, cbStorePut, noStore);
    queue.push({ at: performance.now() + delayMs, packet, stream: internals.stream });
    timer ??= setTimeout(flush, delayMs);
    cb?.();
  };
}
