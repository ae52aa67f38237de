/**
 * What the workers saw, as plain data: the raw material the checks judge. Times are ms on
 * the shared monotonic clock (performance.now(); equal across worker threads on Node 20).
 * Clients are named by `ClientRef` = `${group}/${index}`, publishers and subscribers alike.
 */
import type { ExpiryLedger } from '../workers/expiry-protocol.js';
import type { SaidPacket } from '../result/refusals.js';

export type ClientRef = string;

/** One connection attempt of one client and how it ended. */
export interface ConnectAttempt {
  startedAt: number;
  /** CONNACK received (absent: the attempt failed). */
  connackAt?: number;
  sessionPresent?: boolean;
  /** CONNACK reason / return code when refused, or the socket error. */
  error?: string;
  /** The connection closed (client saw it): absent while still open at the end. */
  closedAt?: number;
  /** 'graceful' (we sent DISCONNECT), 'abrupt' (we destroyed the socket), 'lost' (the network or broker ended it). */
  closedBy?: 'graceful' | 'abrupt' | 'lost';
  /** SUBACK received for its topic on this connection (a resubscribe after Session Present 0 counts). */
  subscribedAt?: number;
  /** CONNACK return (3.1.1) or reason (5) code of a refused connection. */
  code?: number;
  /** v5 CONNACK: the Session Expiry Interval the broker assigned (s), and its Server Keep Alive (s). */
  assignedExpiry?: number;
  serverKeepAlive?: number;
  /** v5: the reason code of a DISCONNECT the broker sent on this connection. */
  disconnectCode?: number;
  /** For a connection that closed without our doing: the last packet the client had sent, e.g. "PUBLISH fleet/1 (QoS 2)". */
  afterPacket?: string;
}

export interface ClientLog {
  ref: ClientRef;
  clientId: string;
  attempts: ConnectAttempt[];
  /** The broker's last SUBACK code for its topic: the QoS granted, or a failure (≥ 0x80); absent: never answered. */
  granted?: number;
}


/**
 * One thing the broker said, counted over a group's clients: a code (refusals) or a v5
 * CONNACK property with its value. The first few occurrences are kept verbatim.
 */
export interface SaidEntry {
  group: string;
  packet: SaidPacket;
  /** The reason / return code, or the SUBACK grant. */
  code?: number;
  /** A v5 CONNACK property's name and value, e.g. "maximumQoS", 1. */
  property?: string;
  value?: number | string | boolean;
  /** Packets (or closes), and the distinct clients they came to: shards own disjoint clients, so both add up. */
  count: number;
  clients: number;
  /** Up to EXAMPLES, e.g. "backend/0: DISCONNECT 0x9B QoS not supported". */
  examples: string[];
  /** ms on the run clock. */
  firstAt: number;
}

/**
 * Messages one publisher sent to one subscriber's topic, one entry per message in seq
 * order. A publisher numbers messages per topic from 0, continuing across phases.
 */
export interface SentRun {
  publisher: ClientRef;
  target: ClientRef;
  qos: 0 | 1 | 2;
  /** Every message's payload size (absent in hand-made ledgers: unknown). */
  payloadBytes?: number;
  firstSeq: number;
  /** Send times, one per message (index i is seq firstSeq + i). */
  sentAt: number[];
  /** PUBACK/PUBCOMP time per message, absent entries (null) when never acknowledged. */
  ackedAt: (number | null)[];
  /** Messages the broker refused with a reason code ≥ 0x80 (PUBACK, PUBREC, PUBCOMP): index → code. */
  refused?: Record<number, number>;
}

/** What one subscriber received from one publisher, keyed by sequence number. */
export interface ReceivedRun {
  subscriber: ClientRef;
  publisher: ClientRef;
  /** seq of each first copy, in arrival order (so out-of-order is visible). */
  seqs: number[];
  /** arrival time of each first copy, aligned with seqs. */
  firstAt: number[];
  /** QoS each first copy arrived with, aligned with seqs. */
  qos: (0 | 1 | 2)[];
  /** extra copies per seq (only seqs with duplicates appear). */
  duplicates: Record<number, number>;
  /**
   * seqs of QoS 2 PUBLISHes the subscriber received and acknowledged (PUBREC) whose PUBREL
   * never came in the same session, so the client never handed them over; absent when none.
   */
  unreleased?: number[];
}

/** Everything one worker shard recorded in one run. */
export interface ShardLedger {
  shard: number;
  clients: ClientLog[];
  sent: SentRun[];
  received: ReceivedRun[];
  /** Messages whose payload could not be decoded (not ours, or corrupted). */
  malformed: number;
  /** Messages an earlier invocation sent, per subscriber that got any (absent when none): never counted received. */
  leftover?: Record<ClientRef, number>;
  /**
   * hdr-histogram-js compressed base64, µs. e2e: send → arrival of messages sent while the
   * subscriber was connected; redelivery: reconnect CONNACK → arrival of messages sent
   * while it was away (the backlog).
   */
  histograms: Record<'e2e' | 'redelivery', string>;
  /** What the broker refused or changed, per group; merged over shards by the checks. */
  said?: SaidEntry[];
  /** What a measure-expiry phase saw in this shard; absent without one. */
  expiry?: ExpiryLedger;
}
