import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { HarnessError } from '../errors.js';
import { tryConnect, type ConnectOutcome, type Endpoint } from './probe.js';
import type { BrokerSoftware, ProtocolVersion } from './types.js';

/**
 * Everything the harness learns about a broker's software and protocols lives here, so
 * later code (memory probes, the v5/v3.1.1 matrix) asks one place.
 */

/** Debian and Homebrew install the broker in sbin, often not on a user's PATH. */
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin'];

/** The mosquitto executable: PATH first, then the sbin folders. */
export function findMosquittoBinary(
  pathEnv = process.env.PATH ?? '',
  extraDirs: readonly string[] = SBIN_DIRS,
): Promise<string | undefined> {
  return findExecutable('mosquitto', [...pathEnv.split(delimiter), ...extraDirs]);
}

/** The first executable file called `name` in `dirs` (empty entries skipped). */
export async function findExecutable(name: string, dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs.filter((d) => d !== '')) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here: try the next folder
    }
  }
  return undefined;
}

/** `mosquitto -h` prints "mosquitto version 2.0.11" first, then exits with status 3. */
export function readMosquittoVersion(binary: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['-h'], { timeout: 5000 }, (err, stdout) => {
      const match = /^mosquitto version (\S+)/m.exec(String(stdout));
      if (match?.[1]) return resolve(match[1]);
      const why = err ? err.message : `unexpected output: ${String(stdout).split('\n')[0]}`;
      reject(new HarnessError('E_ENVIRONMENT', `cannot read the version of ${binary}: ${why}`));
    });
  });
}

export type ProbeResult =
  | { reachable: false; reason: string }
  | {
      reachable: true;
      /** Versions answered in kind; a login refusal counts, "unsupported version" does not. */
      protocols: ProtocolVersion[];
      /** Why no version let us log in; absent when one did. */
      refusal?: string;
      software: BrokerSoftware;
      version?: string;
    };

/** CONNACK codes meaning "I do not speak that version": v3.1.1 return code 1, v5 0x84. */
const UNSUPPORTED_VERSION = new Set([1, 0x84]);

function spoken(outcome: ConnectOutcome): boolean {
  return outcome.ok || (outcome.answered && !UNSUPPORTED_VERSION.has(outcome.code));
}

/**
 * A v5 CONNECT and a v3.1.1 CONNECT, one after the other. A broker that refuses v5 (with
 * return code 1 or by closing) and accepts v3.1.1 gets protocols ['3.1.1'].
 */
export async function probeBroker(endpoint: Endpoint, timeoutMs: number): Promise<ProbeResult> {
  let identity: { software: BrokerSoftware; version?: string } = { software: 'unknown' };
  const identify = async (client: MqttClient): Promise<void> => {
    identity = await readSysVersion(client, timeoutMs);
  };
  const v5 = await tryConnect(endpoint, '5', timeoutMs, identify);
  const v311 = await tryConnect(endpoint, '3.1.1', timeoutMs, v5.ok ? undefined : identify);
  if (!v5.ok && !v5.answered && !v311.ok && !v311.answered) {
    return { reachable: false, reason: v311.message };
  }
  const protocols: ProtocolVersion[] = [];
  if (spoken(v311)) protocols.push('3.1.1');
  if (spoken(v5)) protocols.push('5');
  // A login refusal explains more than "unsupported version" from the other attempt.
  const refusal = v5.ok || v311.ok ? undefined : [v5, v311].find(spoken)?.message ?? v311.message;
  return { reachable: true, protocols, ...(refusal ? { refusal } : {}), ...identity };
}

/**
 * Mosquitto publishes "mosquitto version X" retained on $SYS/broker/version (unless
 * sys_interval is 0); a retained message follows its SUBACK at once, so a short grace
 * after the SUBACK is enough.
 */
function readSysVersion(
  client: MqttClient,
  timeoutMs: number,
): Promise<{ software: BrokerSoftware; version?: string }> {
  return new Promise((resolve) => {
    let finished = false;
    const done = (result: { software: BrokerSoftware; version?: string }): void => {
      finished = true;
      clearTimeout(timer);
      client.removeListener('message', onMessage);
      resolve(result);
    };
    const onMessage = (topic: string, payload: Buffer): void => {
      const match = /^mosquitto version (\S+)/.exec(payload.toString());
      if (topic === '$SYS/broker/version' && match?.[1]) {
        done({ software: 'mosquitto', version: match[1] });
      }
    };
    let timer = setTimeout(() => done({ software: 'unknown' }), timeoutMs);
    client.on('message', onMessage);
    client.subscribe('$SYS/broker/version', { qos: 0 }, () => {
      if (finished) return;
      clearTimeout(timer);
      timer = setTimeout(() => done({ software: 'unknown' }), 200);
    });
  });
}
