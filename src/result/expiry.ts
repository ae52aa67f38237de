/** What result.json holds for a measure-expiry phase (ExpiryResult). */
import type { ExpiryClose } from '../scenario/plan.js';
import type { Summary } from './latency.js';

/** A distribution of durations in ms; results have carried `min` here from the start. */
export type ExpiryStats = Summary;

export interface ExpiryAgreement {
  /** Probe boundary minus the nearest end of the wills' band (0 inside it), ms. */
  deltaMs: number | null;
  /** null: one method had nothing to compare. */
  agree: boolean | null;
  explanation: string;
}

export interface ExpiryCloseResult {
  close: ExpiryClose;
  /** Sessions connected and closed as planned. */
  sessions: number;
  /** The expiry that applied after the close, ms. */
  expectedMs: number;
  willOnly: number;
  probed: number;
  /** Observed end − (close + E): graceful and abrupt from our close; partition from the close the proxy passed on. */
  error: ExpiryStats | null;
  /** Partition: the cut to the moment the broker learned of it, derived as will − E. */
  detection: ExpiryStats | null;
  /** Partition: the cut to the broker's close, as the proxy passed it on to the client. */
  detectionSeen: ExpiryStats | null;
  early: number;
  never: number;
  resumedByProbe: number;
  willMissing: number;
  /** Sessions with a will on the wrong side of their probe, beyond the harness's tolerance. */
  contradictions: number;
  /** Wills stamped after a Session Present 0 CONNACK, in a burst of wills already arriving by then: not contradictions. */
  willsQueued: number;
  survival: Survival;
  /** Median end of the will-timed sessions, ms from the expected end (partition: from the cut + E). */
  willMedianMs: number | null;
  /**
   * Where the will-timed sessions' survival passes 50% ± the probes' sampling error (two
   * standard errors, 1/√probes): the ends at those shares, ms. A boundary from n probes is
   * uncertain by that share; where the ends come in bursts straddling 50% (Mosquitto ends
   * sessions once a second), the band spans the bursts, and the median alone would jump
   * from one burst to the other on a single session.
   */
  willBandMs?: { from: number; to: number; share: number };
  /** Partition: the latest a close reached its client after the first close of its chain (see closeBurstStarts), ms. */
  closeLagMs?: number;
  agreement: ExpiryAgreement;
}

export interface ExpiryGroupResult {
  group: string;
  /** Session Expiry Interval at CONNECT (s); 3.1.1: the broker's own, when known. */
  expirySec: number | null;
  /** v5: the Session Expiry Interval the broker's CONNACK assigned instead (s), when it did; sessions were measured against it. */
  assignedExpirySec?: number;
  disconnectExpirySec?: number;
  keepAliveSec: number;
  willDelaySec: number;
  connectFailed: number;
  closeFailed: number;
  closes: ExpiryCloseResult[];
  /** A non-zero interval at DISCONNECT after 0 at CONNECT: the broker must reject it (MQTT 5 §3.14.2.2.2). */
  disconnectChange?: {
    toSec: number;
    sessions: number;
    /** Clients that saw the broker's DISCONNECT 0x82 (Protocol Error) before their socket closed; it may close first. */
    protocolErrorSeen: number;
    /** Ended at the close: the will came at once (Will Delay 0), or the probe found no session. */
    endedAtClose: number;
    /** A probe found the session alive: the broker accepted the change. */
    aliveAfter: number;
  };
}

export interface ExpiryResult {
  /** Index of the measure-expiry phase. */
  phase: number;
  measured: boolean;
  /** Why nothing (or not everything) could be measured, in plain words. */
  notMeasured?: string;
  method: 'wills and probes' | 'probes';
  sessions: number;
  connectFailed: number;
  error: ExpiryStats | null;
  detection: ExpiryStats | null;
  detectionSeen: ExpiryStats | null;
  early: number;
  never: number;
  resumedByProbe: number;
  willMissing: number;
  contradictions: number;
  willsQueued: number;
  /** Up to 10 of each, as group/index. */
  earlyRefs: string[];
  neverRefs: string[];
  groups: ExpiryGroupResult[];
  agreement: { agree: boolean | null; toleranceMs: number; worstDeltaMs: number | null; explanation: string };
  resolution: {
    /** The harness's own timing resolution: the larger of the two below, ms. */
    harnessMs: number | null;
    /** The will observer's round trip through the broker, p99. */
    roundTripP99Ms: number | null;
    /** The workers' event-loop delay while closes, wills and probes were stamped, p99 (worst shard). */
    eventLoopP99Ms: number | null;
    brokerMs: number;
    broker: string;
  };
  /** hdr-histogram-js compressed base64, µs. */
  histograms: { error: string; detection: string; detectionSeen: string };
  notes: string[];
}

export interface SurvivalPoint {
  /** Mean offset of the probes in this slice of the window, ms. */
  offsetMs: number;
  probes: number;
  alive: number;
  /** alive / probes. */
  fraction: number;
  /** The will method's answer at the same offsets: the share of will-timed sessions not yet ended, averaged over the slice's probes. */
  willFraction: number | null;
}

export interface Survival {
  points: SurvivalPoint[];
  /** Where the fitted curve crosses 50%, ms from the expected end; null when not inside the probed offsets. */
  boundaryMs: number | null;
  /** Which side of the probed offsets the boundary lies on, when it is not inside them. */
  outside?: 'before' | 'after';
  /** Latest offset a probe found the session alive, earliest one found it gone. */
  lastAliveMs: number | null;
  firstGoneMs: number | null;
  /** Mean gap between neighbouring probes, ms: how finely the curve is sampled. */
  spacingMs: number | null;
}
