import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HarnessError } from '../errors.js';
import { isLoopbackAddress } from '../net/loopback.js';
import { parseBrokerUrl } from './broker-url.js';
import { probeBroker } from './capabilities.js';
import { targetJson } from './target-json.js';
import type { BrokerTarget, CredentialsFromEnv } from './types.js';

const PROBE_TIMEOUT_MS = 5_000;

export interface ExternalOptions {
  allowRemote?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * A broker the harness did not start, given by URL. Checks loopback (before any packet is
 * sent), reads credentials from the environment, and probes which versions it speaks.
 */
export async function connectExternal(
  spec: { url: string } & CredentialsFromEnv,
  { allowRemote = false, env = process.env }: ExternalOptions = {},
): Promise<BrokerTarget> {
  const address = parseBrokerUrl(spec.url);
  if (!allowRemote) await requireLoopback(address.host);
  const credentials = readCredentials(spec, env);
  const { protocol, host, port } = address;
  const probe = await probeBroker({ protocol, host, port, ...credentials }, PROBE_TIMEOUT_MS);
  if (!probe.reachable) {
    throw new HarnessError('E_ENVIRONMENT', `broker ${address.url} not reachable: ${probe.reason}`);
  }
  if (probe.refusal) {
    throw new HarnessError('E_ENVIRONMENT', `broker ${address.url} refused the connection: ${probe.refusal}`);
  }
  if (probe.protocols.length === 0) {
    throw new HarnessError('E_ENVIRONMENT', `broker ${address.url} accepts neither MQTT 5 nor 3.1.1`);
  }
  const identity = probe.version ? `; ${probe.software} ${probe.version}` : '';
  const target: BrokerTarget = {
    kind: 'external',
    host,
    port,
    url: address.url,
    protocols: probe.protocols,
    software: probe.software,
    ...(probe.version ? { version: probe.version } : {}),
    description: `external broker ${address.url} (MQTT ${probe.protocols.join(', ')}${identity})`,
    // Nothing to stop: the harness did not start it.
    stop: async () => {},
  };
  // Not enumerable, and toJSON leaves it out: a report or a log line never carries it.
  Object.defineProperty(target, 'credentials', { value: credentials, enumerable: false });
  return Object.assign(target, { toJSON: () => targetJson(target) });
}

/**
 * A load generator must not hit another machine by accident. A name is resolved, and every
 * address it has must be loopback; this guards against mistakes, not a hostile resolver.
 */
async function requireLoopback(host: string): Promise<void> {
  let addresses = [host];
  if (isIP(host) === 0) {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new HarnessError('E_ENVIRONMENT', `cannot resolve broker host ${host}: ${why}`);
    }
  }
  const remote = addresses.find((a) => !isLoopbackAddress(a));
  if (remote !== undefined) {
    const resolved = remote === host ? '' : ` (resolves to ${remote})`;
    throw new HarnessError(
      'E_REMOTE_TARGET',
      `broker host ${host}${resolved} is not on loopback; this is a load generator, so pass --allow-remote to target another machine`,
    );
  }
}

function readCredentials(spec: CredentialsFromEnv, env: NodeJS.ProcessEnv): { username?: string; password?: string } {
  const read = (name: string | undefined, field: string): string | undefined => {
    if (name === undefined) return undefined;
    const value = env[name];
    if (value === undefined) {
      throw new HarnessError('E_ENVIRONMENT', `environment variable ${name} (named by ${field}) is not set`);
    }
    return value;
  };
  const username = read(spec.usernameEnv, 'usernameEnv');
  const password = read(spec.passwordEnv, 'passwordEnv');
  return { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
}
