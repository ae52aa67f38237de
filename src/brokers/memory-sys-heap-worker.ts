/**
 * The $SYS heap subscriber, in a worker thread of its own: the main thread never holds an
 * MQTT socket (DESIGN.md), and the load's worker shards come and go with the phases while
 * this one lives from before the first connect to after the last phase. One mqtt.js client,
 * QoS 0, clean session; it posts every value it receives and every connection problem.
 */
import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

export interface SysHeapWorkerData {
  protocol: 'mqtt' | 'mqtts';
  host: string;
  port: number;
  username?: string;
  password?: string;
  clientId: string;
  topic: string;
  /** Published every sys_interval whatever the build: its pace is the broker's interval. */
  uptimeTopic: string;
}

export type SysHeapEvent =
  | { kind: 'subscribed' }
  | { kind: 'value'; text: string; retained: boolean }
  | { kind: 'uptime'; text: string; retained: boolean }
  | { kind: 'problem'; message: string };

const data = workerData as SysHeapWorkerData;
const post = (event: SysHeapEvent): void => parentPort?.postMessage(event);

const client = mqtt.connect({
  protocol: data.protocol,
  host: data.host,
  port: data.port,
  ...(data.username !== undefined ? { username: data.username } : {}),
  ...(data.password !== undefined ? { password: data.password } : {}),
  clientId: data.clientId,
  protocolVersion: 4,
  clean: true,
  // Follows a broker restart; resubscribes by itself (clean session).
  reconnectPeriod: 1000,
  connectTimeout: 5000,
  keepalive: 30,
});

client.on('connect', () => {
  client.subscribe([data.topic, data.uptimeTopic], { qos: 0 }, (err, granted) => {
    const qos = granted?.[0]?.qos;
    if (err) post({ kind: 'problem', message: `cannot subscribe to ${data.topic}: ${err.message}` });
    else if (qos === undefined || qos >= 0x80) post({ kind: 'problem', message: `the broker refused the subscription to ${data.topic} (SUBACK ${qos ?? 'empty'})` });
    else post({ kind: 'subscribed' });
  });
});
// Retain set: a value the broker kept from an earlier pass, sent because we just subscribed.
client.on('message', (topic, payload, packet) => {
  if (topic === data.topic) post({ kind: 'value', text: payload.toString(), retained: packet.retain });
  else if (topic === data.uptimeTopic) post({ kind: 'uptime', text: payload.toString(), retained: packet.retain });
});
client.on('error', (err) => post({ kind: 'problem', message: err.message }));
// The last value may no longer hold: the main thread forgets it until the next one comes.
client.on('offline', () => post({ kind: 'problem', message: `lost the connection to ${data.host}:${data.port}` }));

parentPort?.on('message', (message: { kind: 'stop' }) => {
  if (message.kind !== 'stop') return;
  client.end(true, {}, () => parentPort?.close());
});
