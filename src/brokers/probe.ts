import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, ErrorWithReasonCode, type MqttClient } from 'mqtt';
import type { ProtocolVersion } from './types.js';

/** Where and as whom to connect; `host` without brackets (mqtt.js takes a bare IPv6). */
export interface Endpoint {
  protocol: 'mqtt' | 'mqtts';
  host: string;
  port: number;
  username?: string;
  password?: string;
}

export type ConnectOutcome =
  | { ok: true }
  /** The broker answered with a CONNACK that refuses: it speaks MQTT, maybe not this version. */
  | { ok: false; answered: true; code: number; message: string }
  /** No CONNACK: socket error, closed, or timed out. */
  | { ok: false; answered: false; message: string };

/**
 * One CONNECT with the given protocol version and a fresh clean session. On success
 * `use` runs with the connected client before a normal DISCONNECT.
 */
export function tryConnect(
  endpoint: Endpoint,
  version: ProtocolVersion,
  timeoutMs: number,
  use?: (client: MqttClient) => Promise<void>,
): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const client = connect({
      ...endpoint,
      protocolVersion: version === '5' ? 5 : 4,
      clientId: `mqtt-chaos-probe-${randomBytes(6).toString('hex')}`,
      clean: true,
      reconnectPeriod: 0,
      // Our own timer below decides; mqtt.js's would close without saying why.
      connectTimeout: timeoutMs * 2,
    });
    let connected = false;
    let settled = false;
    const settle = (outcome: ConnectOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const fail = (outcome: ConnectOutcome): void => {
      if (connected) return;
      client.end(true);
      settle(outcome);
    };
    let timer = setTimeout(() => {
      fail({ ok: false, answered: false, message: `no CONNACK within ${timeoutMs} ms` });
    }, timeoutMs);
    client.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      void (use ? use(client) : Promise.resolve()).catch(() => {}).finally(() => {
        // A graceful DISCONNECT, unless the broker has stopped answering by now.
        timer = setTimeout(() => client.end(true, {}, () => settle({ ok: true })), timeoutMs);
        client.end(false, {}, () => settle({ ok: true }));
      });
    });
    client.on('error', (err) => {
      if (err instanceof ErrorWithReasonCode) {
        fail({ ok: false, answered: true, code: err.code, message: err.message });
      } else {
        fail({ ok: false, answered: false, message: err.message });
      }
    });
    client.on('close', () => {
      fail({ ok: false, answered: false, message: 'connection closed before CONNACK' });
    });
  });
}

/**
 * Polls with v3.1.1 CONNECTs until the broker answers one (any CONNACK, even a refusal:
 * it is up and parsing MQTT), `timeoutMs` passes, or `gaveUp()` says the process is gone.
 */
export async function waitUntilAnswering(
  endpoint: Endpoint,
  timeoutMs: number,
  gaveUp: () => boolean,
): Promise<ConnectOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = Math.max(1, deadline - Date.now());
    const outcome = await tryConnect(endpoint, '3.1.1', Math.min(1000, left));
    if (outcome.ok || outcome.answered || gaveUp() || Date.now() >= deadline) return outcome;
    await delay(50);
  }
}
