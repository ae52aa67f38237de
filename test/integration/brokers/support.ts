/** Shared by the broker integration tests: MQTT clients and process checks. */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Teardown } from '../../helpers/teardown.js';
import type { BrokerTarget } from '../../../src/brokers/types.js';

/** A temp run directory removed at teardown. */
export async function tempRunDir(td: Teardown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-chaos-brokers-'));
  td.add(`rm ${dir}`, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Registers stop() right away, so a failing assertion still stops the broker. */
export function owned<T extends BrokerTarget>(td: Teardown, target: T): T {
  td.add(target.description, () => target.stop());
  return target;
}

/**
 * Resolves with the connected client, or rejects with mqtt.js's error (CONNACK refusal,
 * socket error, close). `onMessage` is attached before CONNECT: a resumed session's queued
 * messages can arrive in the same read as the CONNACK.
 */
export function connectClient(
  td: Teardown,
  target: BrokerTarget,
  options: IClientOptions = {},
  onMessage?: (topic: string, payload: Buffer) => void,
): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = connect({ host: target.host, port: target.port, reconnectPeriod: 0, connectTimeout: 5000, ...options });
    if (onMessage) client.on('message', onMessage);
    td.add(`client ${options.clientId ?? ''}`, () => client.endAsync(true));
    client.once('connect', () => resolve(client));
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/**
 * True while the process runs. A zombie counts as gone: an orphan that exited waits for
 * PID 1 to reap it, which in a container can take a second or more.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // Gone since the signal check, unless there is no procfs to ask (not Linux).
    return !existsSync('/proc/self/stat');
  }
}

/** Waits until the PID is gone; false after `timeoutMs`. */
export async function pidGone(pid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await delay(50);
  }
  return true;
}
