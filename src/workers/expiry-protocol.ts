/**
 * The measure-expiry conversation between the engine and a shard, and what the shard hands
 * back in its ledger. Times are ms on the shared monotonic clock (performance.now()).
 *
 * expiry-connect: the shard's observer subscribes to the will topics, then each owned
 *   session connects (through the group's proxy) with its Will and subscribes.
 * expiry-close: graceful sessions send DISCONNECT, abrupt ones drop their socket,
 *   partitioned ones send a PINGREQ (syncKeepAlive) and stop their own keep-alive, so
 *   only the broker's keep-alive can end them. Then the engine black-holes the proxies.
 * expiry-observe: with the cut times, wills are awaited and probes fired, until every
 *   session is accounted for or its bound has passed; then never-expired sessions are
 *   discarded (Clean Start), so nothing is left on the broker.
 */
import type { ExpiryClose, MeasureExpiryPhase } from '../scenario/plan.js';

export interface ExpiryCut {
  /** The first toxic was being added. */
  startedAt: number;
  /** Every toxic of the group's proxies is in place. */
  at: number;
}

export type ExpiryCommand =
  | {
      kind: 'expiry-connect';
      phase: MeasureExpiryPhase;
      /** Unique per run: will topics are `mqtt-chaos/expiry/${tag}/${shard}/${group}/${index}`. */
      tag: string;
      /** Session expiry (ms) a 3.1.1 session gets from the broker itself; absent for v5. */
      brokerExpiryMs?: number;
    }
  | { kind: 'expiry-close' }
  | { kind: 'expiry-observe'; cuts: Record<string, ExpiryCut> };

export interface ExpiryProbeLog {
  /** Planned offset from the session's expected end, ms. */
  offsetMs: number;
  plannedAt: number;
  /** CONNECT written; CONNACK received: the broker looked the session up in between. */
  sentAt?: number;
  connackAt?: number;
  sessionPresent?: boolean;
  error?: string;
}

export interface ExpirySessionLog {
  group: string;
  index: number;
  close: ExpiryClose;
  /** The session expiry that applies after this close, ms (graceful: the DISCONNECT's, if changed; else what the broker's CONNACK assigned). */
  expectedMs: number;
  /** v5: the Session Expiry Interval the broker's CONNACK assigned instead of the requested one, s. */
  assignedSec?: number;
  connackAt?: number;
  connectError?: string;
  /** Our DISCONNECT written, our socket dropped, or (partition) the cut in place. */
  closedAt?: number;
  closeError?: string;
  /** Partition: the toxics were being added. */
  cutStartedAt?: number;
  /** Partition: the broker's last packet from the client (the sync PINGRESP, else the last one sent). */
  lastPacketAt?: number;
  /** Partition: the connection closed under the client — the broker's close, passed on by the proxy. */
  lostAt?: number;
  /** Reason code of a DISCONNECT the server sent (0x82: the change of expiry was rejected). */
  serverDisconnect?: number;
  /** The first copy of the session's will. */
  willAt?: number;
  extraWills: number;
  /** No will by then: never expired. */
  boundAt?: number;
  probe?: ExpiryProbeLog;
  /** Discarded by a Clean Start connection after its bound (it had not ended). */
  cleanedUp?: boolean;
}

export interface ExpiryLedger {
  sessions: ExpirySessionLog[];
  /** The observer's round trips through the broker (publish to itself), µs, hdr compressed base64; '' when none. */
  roundTrip: string;
  /** This worker's event-loop delay during the phase, ms. */
  eventLoop: { p99Ms: number; maxMs: number } | null;
  /** The observer could not connect or subscribe: wills were not watched. */
  observerError?: string;
}
