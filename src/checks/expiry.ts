/**
 * Session-expiry accuracy judged from what the shards saw: per session, when the broker
 * learned its connection was gone and when the session ended (its will, or its one probe),
 * against close + E. Two methods, cross-checked: the will method gives each session's end;
 * the probe method gives a survival curve whose 50% crossing must agree with the wills'
 * median within the broker's own resolution.
 */
import type { ProtocolVersion } from '../brokers/types.js';
import type { RunRecord } from '../engine/run-record.js';
import { newLatencyHistogram } from '../metrics/histograms.js';
import type { GroupPlan, MeasureExpiryPhase } from '../scenario/plan.js';
import type { ExpirySessionLog } from '../workers/expiry-protocol.js';
import { BURST_GAP_MS, burstStarts, closeBurstStarts } from './expiry-bursts.js';
import { judgeClose, round2 } from './expiry-close.js';
import { brokerResolution, expiryRunSpec } from './expiry-spec.js';
import type { ExpiryCloseResult, ExpiryGroupResult, ExpiryResult } from '../result/expiry.js';
import { mergeHistograms, summarise } from './latency.js';

const REFS = 10;
/** A will later than a probe that found the session gone, by more than this, contradicts it. */
const MIN_TOLERANCE_MS = 5;

/** The groups a measure-expiry phase measures whose own clients never connected: not redelivery subjects. */
export function expiryOnlyGroups(record: RunRecord): Set<string> {
  const phase = findPhase(record)?.phase;
  if (!phase) return new Set();
  const connected = new Set(record.ledgers.flatMap((l) => l.clients).filter((c) => c.attempts.length > 0).map((c) => c.ref.slice(0, c.ref.lastIndexOf('/'))));
  return new Set(phase.groups.filter((g) => !connected.has(g)));
}

function findPhase(record: RunRecord): { phase: MeasureExpiryPhase; index: number } | undefined {
  const index = record.run.phases.findIndex((p) => p.kind === 'measure-expiry');
  return index < 0 ? undefined : { phase: record.run.phases[index] as MeasureExpiryPhase, index };
}

export function judgeExpiry(record: RunRecord): ExpiryResult | undefined {
  const found = findPhase(record);
  if (!found) return undefined;
  const { phase, index } = found;
  const { protocol, groups } = record.run;
  const resolution = brokerResolution(record.broker);
  if (record.unsupported !== undefined) {
    const aedes = record.broker.software === 'aedes' || record.broker.kind === 'embedded-aedes' ? '; Aedes never expires a session at all' : '';
    return empty(index, resolution, `${record.unsupported}: the Session Expiry Interval and the Will Delay are MQTT 5 features, so session-expiry accuracy cannot be measured here${aedes}`);
  }
  const spec = expiryRunSpec(protocol, phase, groups, record.broker);
  if (!spec.measurable) return empty(index, resolution, spec.reason);
  const logs = record.ledgers.flatMap((l) => l.expiry?.sessions ?? []);
  if (logs.length === 0) {
    const why = record.incomplete ? `the run stopped before the phase measured anything (${record.incomplete})` : 'no session was measured';
    return empty(index, resolution, why);
  }

  const roundTrip = mergeHistograms(record.ledgers.map((l) => l.expiry?.roundTrip ?? ''));
  const loops = record.ledgers.flatMap((l) => (l.expiry?.eventLoop ? [l.expiry.eventLoop.p99Ms] : []));
  const eventLoopP99Ms = loops.length > 0 ? round2(Math.max(...loops)) : null;
  const roundTripP99Ms = roundTrip.percentiles?.p99 ?? null;
  const parts = [roundTripP99Ms, eventLoopP99Ms].filter((x): x is number => x !== null);
  const harnessMs = parts.length > 0 ? round2(Math.max(...parts)) : null;
  const toleranceMs = Math.max(MIN_TOLERANCE_MS, harnessMs ?? 0);

  // Each shard's observer reads its own stream of wills: bursts are found per ledger.
  const gapMs = Math.max(BURST_GAP_MS, toleranceMs);
  const burstStart = new Map(record.ledgers.flatMap((l) => [...burstStarts(l.expiry?.sessions ?? [], gapMs)]));
  // Each shard's clients see their closes through the proxy: chains are found per ledger too.
  const closeStart = new Map(record.ledgers.flatMap((l) => [...closeBurstStarts((l.expiry?.sessions ?? []).filter((s) => s.close === 'partition'), gapMs)]));
  const all = { error: newLatencyHistogram(), detection: newLatencyHistogram(), detectionSeen: newLatencyHistogram() };
  const earlyRefs: string[] = [];
  const neverRefs: string[] = [];
  const willMethod = protocol === '5';
  const groupResults: ExpiryGroupResult[] = [];
  let connectFailed = 0;
  for (const name of phase.groups) {
    const group = groups.find((g) => g.name === name);
    const mine = logs.filter((l) => l.group === name);
    if (!group || mine.length === 0) continue;
    const failedToConnect = mine.filter((l) => l.connectError !== undefined).length;
    connectFailed += failedToConnect;
    const ok = mine.filter((l) => l.connectError === undefined && l.closeError === undefined && l.closedAt !== undefined);
    const closes: ExpiryCloseResult[] = [];
    for (const close of ['graceful', 'abrupt', 'partition'] as const) {
      const sessions = ok.filter((l) => l.close === close);
      if (sessions.length === 0) continue;
      const judged = judgeClose(close, sessions, willMethod, toleranceMs, resolution.ms, all, burstStart, closeStart);
      earlyRefs.push(...judged.earlyRefs);
      neverRefs.push(...judged.neverRefs);
      closes.push(judged.result);
    }
    groupResults.push({
      group: name,
      expirySec: protocol === '5' ? group.sessionExpiry : spec.brokerExpiryMs !== undefined ? spec.brokerExpiryMs / 1000 : null,
      ...(phase.disconnectExpiry !== undefined && protocol === '5' ? { disconnectExpirySec: phase.disconnectExpiry } : {}),
      ...assignedExpiry(mine),
      keepAliveSec: group.keepAliveSec,
      willDelaySec: phase.willDelay,
      connectFailed: failedToConnect,
      closeFailed: mine.filter((l) => l.connectError === undefined && (l.closeError !== undefined || l.closedAt === undefined)).length,
      closes,
      ...disconnectChange(phase, group, protocol, ok),
    });
  }

  const closes = groupResults.flatMap((g) => g.closes);
  const sum = (pick: (c: ExpiryCloseResult) => number) => closes.reduce((n, c) => n + pick(c), 0);
  const stats = (key: keyof typeof all) => summarise(all[key]).percentiles;
  const verdicts = closes.filter((c) => c.agreement.agree !== null);
  const deltas = closes.flatMap((c) => (c.agreement.deltaMs === null ? [] : [c.agreement.deltaMs]));
  const worstDeltaMs = deltas.length > 0 ? deltas.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a)) : null;
  const agree = verdicts.length === 0 ? null : verdicts.every((c) => c.agreement.agree === true);
  return {
    phase: index,
    measured: true,
    method: willMethod ? 'wills and probes' : 'probes',
    sessions: sum((c) => c.sessions),
    connectFailed,
    error: stats('error'),
    detection: stats('detection'),
    detectionSeen: stats('detectionSeen'),
    early: sum((c) => c.early),
    never: sum((c) => c.never),
    resumedByProbe: sum((c) => c.resumedByProbe),
    willMissing: sum((c) => c.willMissing),
    contradictions: sum((c) => c.contradictions),
    willsQueued: sum((c) => c.willsQueued),
    earlyRefs: earlyRefs.slice(0, REFS),
    neverRefs: neverRefs.slice(0, REFS),
    groups: groupResults,
    agreement: {
      agree,
      toleranceMs: Math.round(resolution.ms + toleranceMs),
      worstDeltaMs: worstDeltaMs === null ? null : Math.round(worstDeltaMs),
      explanation: verdicts.map((c) => c.agreement.explanation).join('; ') || 'nothing to compare: one of the methods had no sessions',
    },
    resolution: { harnessMs, roundTripP99Ms, eventLoopP99Ms, brokerMs: resolution.ms, broker: resolution.basis },
    histograms: { error: summarise(all.error).encoded, detection: summarise(all.detection).encoded, detectionSeen: summarise(all.detectionSeen).encoded },
    notes: notesFor(phase, protocol, record, groups),
  };
}

function disconnectChange(phase: MeasureExpiryPhase, group: GroupPlan, protocol: ProtocolVersion, ok: readonly ExpirySessionLog[]): Pick<ExpiryGroupResult, 'disconnectChange'> {
  if (protocol !== '5' || group.sessionExpiry !== 0 || !phase.disconnectExpiry) return {};
  const changed = ok.filter((l) => l.close === 'graceful');
  return {
    disconnectChange: {
      toSec: phase.disconnectExpiry,
      sessions: changed.length,
      protocolErrorSeen: changed.filter((l) => l.serverDisconnect === 0x82).length,
      endedAtClose: changed.filter((l) => (l.willAt !== undefined && !l.probe) || l.probe?.sessionPresent === false).length,
      aliveAfter: changed.filter((l) => l.probe?.sessionPresent === true).length,
    },
  };
}

function notesFor(phase: MeasureExpiryPhase, protocol: ProtocolVersion, record: RunRecord, groups: readonly GroupPlan[]): string[] {
  const notes: string[] = [];
  const cap = record.broker.options.persistent_client_expiration;
  if (protocol === '5' && cap !== undefined) notes.push(`Mosquitto persistent_client_expiration (${String(cap)}) also caps v5 sessions, silently (no CONNACK Session Expiry Interval).`);
  if (protocol === '3.1.1') notes.push('MQTT 3.1.1 has no Will Delay: only probes measure a broker-side expiry, and each probe resumes a live session.');
  const zero = groups.filter((g) => phase.groups.includes(g.name) && g.sessionExpiry === 0);
  if (protocol === '5' && phase.disconnectExpiry && zero.length > 0) {
    notes.push(
      `Session Expiry 0 at CONNECT, ${phase.disconnectExpiry} s at DISCONNECT: a protocol error the broker must reject (MQTT 5 §3.14.2.2.2), ending the session at once; the DISCONNECT carried reason 0x00, so a will means the broker treated it as an abnormal close.`,
    );
  }
  return notes;
}

function empty(index: number, resolution: { ms: number; basis: string }, why: string): ExpiryResult {
  const nothing = mergeHistograms([]).encoded;
  return {
    phase: index,
    measured: false,
    notMeasured: why,
    method: 'wills and probes',
    sessions: 0,
    connectFailed: 0,
    error: null,
    detection: null,
    detectionSeen: null,
    early: 0,
    never: 0,
    resumedByProbe: 0,
    willMissing: 0,
    contradictions: 0,
    willsQueued: 0,
    earlyRefs: [],
    neverRefs: [],
    groups: [],
    agreement: { agree: null, toleranceMs: resolution.ms, worstDeltaMs: null, explanation: 'not measured' },
    resolution: { harnessMs: null, roundTripP99Ms: null, eventLoopP99Ms: null, brokerMs: resolution.ms, broker: resolution.basis },
    histograms: { error: nothing, detection: nothing, detectionSeen: nothing },
    notes: [],
  };
}

/** The Session Expiry Interval the broker assigned the group's sessions in CONNACK, when it overrode the requested one. */
function assignedExpiry(logs: readonly ExpirySessionLog[]): { assignedExpirySec?: number } {
  const assigned = logs.find((l) => l.assignedSec !== undefined)?.assignedSec;
  return assigned !== undefined ? { assignedExpirySec: assigned } : {};
}
