/**
 * Worker thread of the idle-client bench's baseline: `count` bare mqtt.js clients (its
 * defaults, but for a persistent session, the keep-alive and protocol the harness's
 * clients use), each connected and subscribed once. Posts `ready` (or `failed`); on any
 * message from its parent, ends them and exits.
 */
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { parentPort, workerData } from 'node:worker_threads';

export interface BareClientsData {
  host: string;
  port: number;
  protocolVersion: 4 | 5;
  keepalive: number;
  /** `{i}` is replaced by the client's index. */
  clientId: string;
  topic: string;
  first: number;
  count: number;
}

const data = workerData as BareClientsData;
const port = parentPort!;

function connectOne(i: number): Promise<MqttClient> {
  const client = mqtt.connect({
    host: data.host,
    port: data.port,
    protocolVersion: data.protocolVersion,
    keepalive: data.keepalive,
    clean: false,
    ...(data.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 0xffffffff } } : {}),
    clientId: data.clientId.replaceAll('{i}', String(i)),
  });
  return new Promise((resolve, reject) => {
    client.once('error', reject);
    client.once('connect', () => {
      client.subscribe(data.topic.replaceAll('{i}', String(i)), { qos: 1 }, (err) => (err ? reject(err) : resolve(client)));
    });
  });
}

const clients: MqttClient[] = [];
try {
  for (let i = data.first; i < data.first + data.count; i++) clients.push(await connectOne(i));
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ failed: err instanceof Error ? err.message : String(err) });
}
port.once('message', () => {
  for (const client of clients) client.end(true);
  port.close();
});
