import type { ConnectAttempt } from '../metrics/ledger.js';
import { faultAt, type FaultWindow } from './faults.js';

/** Slack around fault events: the engine stamps them once the proxies have changed. */
export const FAULT_SLACK_MS = 250;

/**
 * Whether the broker ended this connection: it closed under a client that had a CONNACK,
 * with no scenario fault on the client's group to explain it, and not by the client's own
 * keep-alive timer (a silent broker is not a refusing one) or by the client's own refusal of
 * a QoS 2 PUBLISH over its Receive Maximum. A server DISCONNECT always is.
 */
export function closedByBroker(attempt: ConnectAttempt, faults: readonly FaultWindow[]): boolean {
  if (attempt.disconnectCode !== undefined) return true;
  if (attempt.closedBy !== 'lost' || attempt.connackAt === undefined || attempt.closedAt === undefined) return false;
  if (attempt.error?.includes('Keepalive timeout')) return false;
  if (closedOverReceiveMaximum(attempt)) return false;
  return faultAt(faults, attempt.closedAt, FAULT_SLACK_MS) === undefined;
}

/**
 * mqtt.js (5.16) closes the connection itself on a QoS 2 PUBLISH beyond the Receive Maximum
 * it sent (0x93 Receive Maximum exceeded, MQTT 5 §4.9): the broker broke the window, but the
 * close is the client's.
 */
export function closedOverReceiveMaximum(attempt: ConnectAttempt): boolean {
  return attempt.error?.includes('Receive Maximum exceeded') ?? false;
}
