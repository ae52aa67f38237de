/**
 * A raw v5 client (mqtt-packet over a socket, no mqtt.js, none of the harness) that counts
 * what a real Mosquitto has in flight to it: it subscribes with a persistent session and
 * a Receive Maximum, goes away while a backlog is published, comes back and acknowledges
 * each PUBLISH `ackDelayMs` after it arrived. A cross-check of the harness's own count.
 */
import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { startMosquitto } from '../../helpers/brokers.js';
import type { Teardown } from '../../helpers/teardown.js';

export interface WindowSeen {
  received: number;
  /** In flight when the first PUBACK went out: the window the broker opened at the reconnect. */
  firstWindow: number;
  max: number;
}

interface Raw {
  socket: Socket;
  send(packet: Packet): void;
}

function open(port: number, onPacket: (packet: Packet, raw: Raw) => void, td: Teardown): Raw {
  const socket = connect(port, '127.0.0.1');
  const raw: Raw = { socket, send: (packet) => socket.write(mqttPacket.generate(packet, { protocolVersion: 5 })) };
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  parser.on('packet', (packet: Packet) => onPacket(packet, raw));
  socket.on('data', (data: Buffer) => parser.parse(data));
  socket.on('error', () => {});
  td.add('raw client socket', () => void socket.destroy());
  return raw;
}

/** Resolves once `done()` is true, checking every 20 ms; bounded by `limitMs`. */
async function until(done: () => boolean, limitMs: number): Promise<void> {
  for (const end = Date.now() + limitMs; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
}

export async function maxInFlightSeen(
  td: Teardown,
  binary: string,
  { receiveMaximum, backlog, ackDelayMs }: { receiveMaximum: number; backlog: number; ackDelayMs: number },
): Promise<WindowSeen> {
  const broker = await startMosquitto(td, binary);
  const clientId = 'raw-window';
  const topic = 'raw/window';
  const connectPacket: Packet = {
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId, clean: false, keepalive: 60,
    properties: { sessionExpiryInterval: 3600, receiveMaximum },
  };
  let subscribed = false;
  const first = open(broker.port, (packet, raw) => {
    if (packet.cmd === 'connack') raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] });
    if (packet.cmd === 'suback') subscribed = true;
  }, td);
  first.send(connectPacket);
  await until(() => subscribed, 5000);
  first.send({ cmd: 'disconnect' });
  first.socket.end();

  let acked = 0;
  const publisher = open(broker.port, (packet) => {
    if (packet.cmd === 'puback') acked++;
  }, td);
  publisher.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'raw-publisher', clean: true, keepalive: 60 });
  for (let i = 0; i < backlog; i++) publisher.send({ cmd: 'publish', topic, payload: Buffer.from(String(i)), qos: 1, messageId: i + 1, retain: false, dup: false });
  await until(() => acked === backlog, 5000);

  const seen: WindowSeen = { received: 0, firstWindow: 0, max: 0 };
  let now = 0;
  const back = open(broker.port, (packet, raw) => {
    if (packet.cmd !== 'publish') return;
    seen.received++;
    seen.max = Math.max(seen.max, ++now);
    setTimeout(() => {
      if (seen.firstWindow === 0) seen.firstWindow = now;
      raw.send({ cmd: 'puback', messageId: packet.messageId! });
      now--;
    }, ackDelayMs);
  }, td);
  back.send(connectPacket);
  await until(() => seen.received === backlog && now === 0, 10_000);
  back.socket.destroy();
  return seen;
}
