/**
 * The mqtt.js options of a simulated client. Reconnect and re-subscription are switched
 * off in mqtt.js because the client does both itself (seeded jitter; re-subscribe only
 * after Session Present 0, so a lost session stays visible).
 */
import { createConnection, type Socket } from 'node:net';
import type { IClientOptions } from 'mqtt';
import type { ProtocolVersion } from '../brokers/types.js';
import type { GroupPlan } from '../scenario/plan.js';
import type { Endpoint } from './protocol.js';

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Without a `log`, mqtt.js makes a `debug` logger per client (~1 KB of heap each, for
 * output nobody sees); with DEBUG set it is kept, so DEBUG=mqttjs* still traces clients.
 */
const silent = process.env.DEBUG ? {} : { log: (): void => {} };

export interface OptionsInput {
  clientId: string;
  group: GroupPlan;
  endpoint: Endpoint;
  protocol: ProtocolVersion;
  credentials?: { username?: string; password?: string };
}

export function clientOptions({ clientId, group, endpoint, protocol, credentials }: OptionsInput): IClientOptions {
  const v5 = protocol === '5';
  return {
    // The engine gives an address (127.0.0.1, never a name): a dns.lookup per connect would
    // queue on libuv's 4 shared threads.
    host: endpoint.host,
    port: endpoint.port,
    protocol: 'mqtt',
    protocolVersion: v5 ? 5 : 4,
    clientId,
    clean: group.clean,
    keepalive: group.keepAliveSec,
    reconnectPeriod: 0,
    resubscribe: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...silent,
    ...(v5 ? connectProperties(group) : {}),
    ...(credentials?.username !== undefined ? { username: credentials.username } : {}),
    ...(credentials?.password !== undefined ? { password: credentials.password } : {}),
  };
}

/**
 * v5 CONNECT properties (3.1.1 has none). Session Expiry 0 is the protocol default, so it is
 * left out; Receive Maximum only when the group sets it, so the broker's default otherwise
 * applies (Mosquitto: max_inflight_messages).
 */
function connectProperties(group: GroupPlan): Pick<IClientOptions, 'properties'> {
  const properties: NonNullable<IClientOptions['properties']> = {};
  if (group.sessionExpiry > 0) properties.sessionExpiryInterval = group.sessionExpiry;
  if (group.receiveMaximum !== undefined) properties.receiveMaximum = group.receiveMaximum;
  return Object.keys(properties).length > 0 ? { properties } : {};
}

/**
 * mqtt.js's stream builder for the endpoint: its own TCP builder cannot bind a source
 * address, which spreading a population over 127.0.0.x needs.
 */
export function connectionTo({ host, port, localAddress }: Endpoint): () => Socket {
  return () => createConnection({ host, port, ...(localAddress !== undefined ? { localAddress } : {}) });
}

/** An error as one line, with its code when it has one (errno or MQTT reason code). */
export function oneLine(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  const code = (err as { code?: unknown } | null)?.code;
  return code !== undefined && !message.includes(String(code)) ? `${String(code)}: ${message}` : message;
}
