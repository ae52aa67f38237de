/**
 * One group's sessions of one way of closing, judged: the will method's errors (early and
 * never-ended apart), the partition's detection delay, the probe method's survival curve,
 * and whether the two agree.
 */
import { newLatencyHistogram, recordMs } from '../metrics/histograms.js';
import type { ExpiryClose } from '../scenario/plan.js';
import type { ExpirySessionLog } from '../workers/expiry-protocol.js';
import type { BurstStarts } from './expiry-bursts.js';
import { aliveShare, survivalCurve, type ProbePoint } from './expiry-survival.js';
import type { Survival } from '../result/expiry.js';
import { signed } from './words.js';
import type { ExpiryAgreement, ExpiryCloseResult } from '../result/expiry.js';
import { summarise } from './latency.js';

export type Histograms = Record<'error' | 'detection' | 'detectionSeen', ReturnType<typeof newLatencyHistogram>>;

/** A session whose will came on the wrong side of its probe: which side, and by how much. */
interface Contradiction {
  ref: string;
  /** Session Present 1 with the will before the CONNECT; else Session Present 0 with the will after the CONNACK. */
  present: boolean;
  /** How far the will's stamp lies on the wrong side, ms. */
  byMs: number;
}

/**
 * One group's sessions of one way of closing. `burstStart` gives, for a session whose will
 * came, the first stamp of the burst of wills it arrived in (see expiry-bursts.ts); without
 * it, each will's own stamp. `closeStart` does the same for a partition's closes as the
 * clients saw them (see closeBurstStarts).
 */
export function judgeClose(
  close: ExpiryClose,
  sessions: readonly ExpirySessionLog[],
  willMethod: boolean,
  toleranceMs: number,
  brokerMs: number,
  all: Histograms,
  burstStart: BurstStarts = new Map(),
  closeStart: BurstStarts = new Map(),
): { result: ExpiryCloseResult; earlyRefs: string[]; neverRefs: string[] } {
  const own = { error: newLatencyHistogram(), detection: newLatencyHistogram(), detectionSeen: newLatencyHistogram() };
  const record = (key: keyof Histograms, ms: number): void => {
    recordMs(own[key], ms);
    recordMs(all[key], ms);
  };
  const earlyRefs: string[] = [];
  const neverRefs: string[] = [];
  const probes: ProbePoint[] = [];
  const willEnds: number[] = [];
  let resumedByProbe = 0;
  let willMissing = 0;
  const contradicting: Contradiction[] = [];
  let willsQueued = 0;
  let aliveLate = 0;
  let closeLagMs = 0;
  const ref = (l: ExpirySessionLog) => `${l.group}/${l.index}`;
  for (const l of sessions) {
    const base = l.closedAt!;
    const p = l.probe;
    if (p && p.sessionPresent !== undefined && p.error === undefined && p.sentAt !== undefined && p.connackAt !== undefined) {
      // The broker looked the session up between CONNECT and CONNACK: the middle, within half that.
      const offset = (p.sentAt + p.connackAt) / 2 - base - l.expectedMs;
      probes.push({ offsetMs: offset, alive: p.sessionPresent });
      if (p.sessionPresent) {
        resumedByProbe++;
        if (l.willAt !== undefined && l.willAt < p.sentAt - toleranceMs) contradicting.push({ ref: ref(l), present: true, byMs: p.sentAt - l.willAt });
        if (!willMethod && offset > brokerMs) aliveLate++;
      } else {
        if (p.connackAt - base - l.expectedMs < 0) earlyRefs.push(ref(l));
        if (willMethod && l.willAt === undefined) willMissing++;
        if (l.willAt !== undefined && l.willAt > p.connackAt + toleranceMs) {
          // Stamped late in a burst the observer was already reading at the CONNACK: the broker
          // may have sent it before; the burst's start bounds when.
          const from = burstStart.get(l) ?? l.willAt;
          if (from <= p.connackAt + toleranceMs) willsQueued++;
          else contradicting.push({ ref: ref(l), present: false, byMs: l.willAt - p.connackAt });
        }
      }
      continue;
    }
    if (!willMethod || p) continue; // a probe that failed leaves the session out of both methods
    if (l.willAt === undefined || (l.boundAt !== undefined && l.willAt > l.boundAt)) {
      neverRefs.push(ref(l));
      willEnds.push(Infinity);
      continue;
    }
    const endMs = l.willAt - base - l.expectedMs;
    willEnds.push(endMs);
    if (close !== 'partition') {
      if (endMs < 0) earlyRefs.push(ref(l));
      else record('error', endMs);
      continue;
    }
    // Partition: the cut + E frame; the broker's close seen through the proxy gives the error.
    if (endMs < 0) {
      earlyRefs.push(ref(l));
      continue;
    }
    record('detection', endMs);
    if (l.lostAt !== undefined) {
      record('detectionSeen', l.lostAt - base);
      // The close reached the client through the proxy, later than the broker made it: the
      // first close of its chain bounds when the broker closed it.
      const closed = Math.min(l.lostAt, closeStart.get(l) ?? l.lostAt);
      closeLagMs = Math.max(closeLagMs, l.lostAt - closed);
      const error = l.willAt - closed - l.expectedMs;
      if (error < 0) earlyRefs.push(ref(l));
      else record('error', error);
    }
  }
  const survival = survivalCurve(probes, willEnds);
  const ended = willEnds.filter(Number.isFinite).sort((a, b) => a - b);
  const willMedianMs = willEnds.length > 0 && ended.length * 2 >= willEnds.length ? round2(median(willEnds)) : null;
  const willBandMs = band(willEnds, probes.length);
  const result: ExpiryCloseResult = {
    close,
    sessions: sessions.length,
    expectedMs: sessions[0]!.expectedMs,
    willOnly: sessions.filter((l) => !l.probe).length,
    probed: probes.length,
    error: summarise(own.error).percentiles,
    detection: summarise(own.detection).percentiles,
    detectionSeen: summarise(own.detectionSeen).percentiles,
    early: earlyRefs.length,
    never: willMethod ? neverRefs.length : aliveLate,
    resumedByProbe,
    willMissing,
    contradictions: contradicting.length,
    willsQueued,
    survival,
    willMedianMs,
    ...(willBandMs ? { willBandMs } : {}),
    ...(close === 'partition' && closeLagMs > 0 ? { closeLagMs: round2(closeLagMs) } : {}),
    agreement: agreement(close, survival, willEnds, willMedianMs, willBandMs, contradicting, willsQueued, brokerMs, toleranceMs),
  };
  return { result, earlyRefs, neverRefs };
}

/**
 * The probe boundary against the wills' band (their median, widened by the probes' sampling
 * error), within the broker's resolution plus the harness's: two conditions, each named
 * with its own yes or no, so a failure says which one failed.
 */
function agreement(
  close: ExpiryClose,
  s: Survival,
  willEnds: readonly number[],
  willMedianMs: number | null,
  willBand: { from: number; to: number; share: number } | undefined,
  contradicting: readonly Contradiction[],
  willsQueued: number,
  brokerMs: number,
  toleranceMs: number,
): ExpiryAgreement {
  const what = `${close}: `;
  const sides = sessionsSentence(contradicting, willsQueued, toleranceMs);
  if (s.points.length === 0 || willEnds.length === 0) {
    return { deltaMs: null, agree: null, explanation: `${what}only one method had sessions` };
  }
  if (s.boundaryMs !== null && willMedianMs !== null) {
    const from = Math.min(willBand?.from ?? willMedianMs, willMedianMs);
    const to = Math.max(willBand?.to ?? willMedianMs, willMedianMs);
    const deltaMs = round2(s.boundaryMs < from ? s.boundaryMs - from : s.boundaryMs > to ? s.boundaryMs - to : 0);
    const allowedMs = Math.round(brokerMs + toleranceMs);
    const within = Math.abs(deltaMs) <= allowedMs;
    const agree = within && contradicting.length === 0;
    const pct = willBand ? Math.round(willBand.share * 100) : 0;
    const spanText = willBand && to - from >= 100 ? `; ${50 - pct}–${50 + pct}% of them ended from ${signed(from)} to ${signed(to)} (±${pct}%: the sampling error of ${s.points.reduce((n, p) => n + p.probes, 0)} probes)` : '';
    return {
      deltaMs,
      agree,
      explanation:
        `${what}probes cross 50% at ${signed(s.boundaryMs)}, wills' median ${signed(willMedianMs)}${spanText} ` +
        `(Δ ${signed(deltaMs)}, within the broker's ${brokerMs} ms + the harness's ${Math.round(toleranceMs)} ms: ${within ? 'yes' : 'no'})${sides}`,
    };
  }
  // The boundary lies outside the probed offsets: the wills must say the same at the edge.
  const edge = s.outside === 'after' ? s.points.at(-1)!.offsetMs : s.points[0]!.offsetMs;
  const share = aliveShare(willEnds, edge) ?? 0;
  const same = s.outside === 'after' ? share >= 0.5 : share <= 0.5;
  const agree = same && contradicting.length === 0;
  const side = s.outside === 'after' ? 'alive at the last probe' : 'gone from the first probe';
  return { deltaMs: null, agree, explanation: `${what}most sessions ${side} (${signed(edge)}); wills: ${Math.round(share * 100)}% alive there (the same: ${same ? 'yes' : 'no'})${sides}` };
}

/** " and every will on its probe's side: no — 1 session … (3 wills stamped late …)" */
function sessionsSentence(contradicting: readonly Contradiction[], willsQueued: number, toleranceMs: number): string {
  const queued =
    willsQueued > 0
      ? ` (${willsQueued} ${willsQueued === 1 ? 'will' : 'wills'} stamped after a Session Present 0 CONNACK came in a burst of wills already arriving by then: sent before it, stamped late, not contradictions)`
      : '';
  if (contradicting.length === 0) return ` and every will on its probe's side: yes${queued}`;
  const worst = contradicting.reduce((a, b) => (b.byMs > a.byMs ? b : a));
  const how = worst.present
    ? `will ${Math.round(worst.byMs)} ms before a probe that found the session present`
    : `will ${Math.round(worst.byMs)} ms after a probe's Session Present 0 CONNACK, in no burst under way by then`;
  const n = contradicting.length;
  return ` and every will on its probe's side: no — ${n} ${n === 1 ? 'session' : 'sessions'} had a will on the wrong side of its probe beyond the ${Math.round(toleranceMs)} ms tolerance (worst ${worst.ref}: ${how})${queued}`;
}

/**
 * The will ends where their survival passes 50% ± 1/√probes (two standard errors of a
 * share measured by that many probes, at most ±25%); undefined without probes or when an
 * end is missing (never ended) at the upper share.
 */
function band(willEnds: readonly number[], probes: number): { from: number; to: number; share: number } | undefined {
  if (probes === 0 || willEnds.length === 0) return undefined;
  const share = Math.min(0.25, 1 / Math.sqrt(probes));
  const sorted = [...willEnds].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const from = at(0.5 - share);
  const to = at(0.5 + share);
  if (!Number.isFinite(to)) return undefined;
  return { from: round2(from), to: round2(to), share: Math.round(share * 1000) / 1000 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}
