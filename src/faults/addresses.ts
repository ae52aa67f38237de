import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { joinHostPort, splitHostPort } from '../net/loopback.js';

/** An error whose text is what Toxiproxy's Go code would say (it becomes a 500 body). */
export class GoError extends Error {}

export interface ResolvedAddress {
  host: string;
  port: number;
}

/** Go's net.ResolveTCPAddr("tcp", addr): an empty or wildcard host means every interface. */
export async function resolveTcpAddress(address: string): Promise<ResolvedAddress> {
  const parts = splitHostPort(address);
  if (!parts) throw new GoError(`address ${address}: missing port in address`);
  if (!/^\d+$/.test(parts.port)) throw new GoError(`lookup tcp/${parts.port}: unknown port`);
  const port = Number(parts.port);
  if (port > 65535) throw new GoError(`address ${address}: invalid port`);
  if (parts.host === '' || isIP(parts.host)) return { host: parts.host, port };
  try {
    const found = await lookup(parts.host, { order: 'ipv4first' });
    return { host: found.address, port };
  } catch {
    throw new GoError(`lookup ${parts.host}: no such host`);
  }
}

/** Go's TCPAddr.String(). */
export function formatTcpAddress({ host, port }: ResolvedAddress): string {
  return host === '' ? `:${port}` : joinHostPort(host, port);
}

/** What Go's net package would call the listener's address once bound. */
export function formatBoundAddress(host: string, port: number): string {
  return joinHostPort(host === '0.0.0.0' ? '::' : host, port);
}

/** Go listens dual-stack on a wildcard address; Node does that for '::'. */
export function listenHost(host: string): string {
  return host === '' || host === '0.0.0.0' ? '::' : host;
}

const syscallTexts: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'cannot assign requested address',
};

/** Node's bind failure as Go's `listen tcp 127.0.0.1:80: bind: permission denied`. */
export function listenError(address: ResolvedAddress, err: NodeJS.ErrnoException): GoError {
  const text = (err.code && syscallTexts[err.code]) ?? err.message;
  return new GoError(`listen tcp ${formatTcpAddress(address)}: bind: ${text}`);
}
