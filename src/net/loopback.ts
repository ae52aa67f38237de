import { isIP } from 'node:net';

/** True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x; hostnames are not resolved here. */
export function isLoopbackAddress(address: string): boolean {
  const host = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) {
    const lower = host.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    return lower.startsWith('::ffff:127.');
  }
  return false;
}

/** True when a URL's host is localhost or a loopback address; other names are not resolved (so they count as remote). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || isLoopbackAddress(host);
}

/** Splits "host:port" (or "[v6]:port") the way Go's net.SplitHostPort does. */
export function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0 || hostport[end + 1] !== ':') return undefined;
    return { host: hostport.slice(1, end), port: hostport.slice(end + 2) };
  }
  const colon = hostport.lastIndexOf(':');
  if (colon < 0) return undefined;
  const host = hostport.slice(0, colon);
  if (host.includes(':')) return undefined;
  return { host, port: hostport.slice(colon + 1) };
}

/** Joins host and port as Go's net.JoinHostPort does (brackets around IPv6). */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
