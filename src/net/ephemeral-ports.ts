import { readFileSync } from 'node:fs';

/** Linux's default ip_local_port_range (32768–60999), for where /proc cannot tell. */
const LINUX_DEFAULT = 28_232;

/**
 * How many ephemeral ports the kernel hands out: outgoing connections from one source
 * address to one destination address:port can be at most this many at once (counting
 * the ones still in TIME_WAIT).
 */
export function ephemeralPortCount(): number {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) && high >= low) return high - low + 1;
  } catch {
    // Not Linux, or /proc hidden: the default is the usual answer.
  }
  return LINUX_DEFAULT;
}

/**
 * Connections the harness puts on one (source address, destination port) pair by
 * default: half the range, so the sockets a reconnect round leaves in TIME_WAIT (60 s on
 * Linux) still find free ports for the next round.
 */
export function defaultConnectionsPerPort(): number {
  return Math.floor(ephemeralPortCount() / 2);
}
