/**
 * MQTT.js clients for fault tests: no automatic reconnect, everything that happens
 * recorded with timestamps, released by the teardown registry, every wait bounded.
 */
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Teardown } from './teardown.js';
import { now, waitUntil } from './tcp.js';

export interface Received {
  topic: string;
  payload: string;
  at: number;
}

export class RecordedClient {
  readonly errors: Array<NodeJS.ErrnoException> = [];
  readonly messages: Received[] = [];
  connectedAt: number | undefined;
  closedAt: number | undefined;

  constructor(readonly client: MqttClient) {
    client.on('connect', () => {
      this.connectedAt ??= now();
    });
    client.on('error', (err) => {
      this.errors.push(err as NodeJS.ErrnoException);
    });
    client.on('close', () => {
      this.closedAt ??= now();
    });
    client.on('message', (topic, payload) => {
      this.messages.push({ topic, payload: payload.toString(), at: now() });
    });
  }

  get errorCodes(): string[] {
    return this.errors.map((e) => e.code ?? e.message);
  }

  waitClosed(timeoutMs: number): Promise<void> {
    return waitUntil(() => this.closedAt !== undefined, timeoutMs, 'the MQTT connection to close');
  }

  waitMessages(n: number, timeoutMs: number): Promise<void> {
    return waitUntil(() => this.messages.length >= n, timeoutMs, `${n} MQTT messages`);
  }

  /** A QoS 1 publish; resolves with the time until PUBACK, rejects after timeoutMs. */
  async publishQos1(topic: string, payload: string, timeoutMs = 5000): Promise<number> {
    const start = now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.publishAsync(topic, payload, { qos: 1 }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no PUBACK within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
    }
    return now() - start;
  }
}

let counter = 0;
export function clientId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

function open(port: number, td: Teardown, options: IClientOptions): RecordedClient {
  const client = mqtt.connect({
    host: '127.0.0.1',
    port,
    protocol: 'mqtt',
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    keepalive: 60,
    ...options,
  });
  td.add(`mqtt client ${options.clientId ?? ''}`, () => {
    client.end(true);
  });
  return new RecordedClient(client);
}

/** Connects (CONNACK received) or rejects with what happened instead. */
export async function mqttConnect(port: number, td: Teardown, options: IClientOptions = {}): Promise<RecordedClient> {
  const rec = open(port, td, { clientId: clientId('c'), ...options });
  await waitUntil(
    () => rec.connectedAt !== undefined || rec.closedAt !== undefined,
    7000,
    `MQTT CONNACK via port ${port}`,
  );
  if (rec.connectedAt === undefined) {
    throw new Error(`MQTT connect via port ${port} failed: ${rec.errorCodes.join(', ') || 'closed'}`);
  }
  return rec;
}

/** Starts a connection attempt and returns at once; inspect the recorder later. */
export function mqttAttempt(port: number, td: Teardown, options: IClientOptions = {}): RecordedClient {
  return open(port, td, { clientId: clientId('a'), ...options });
}
