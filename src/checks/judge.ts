import type { BrokerInfo, TimelineEvent } from '../result/timeline.js';
import type { RunRecord } from '../engine/run-record.js';
import type { BrokerSaid } from '../result/refusals.js';
import type { RedeliveryResult, Result, RunResult } from '../result/result.js';
import { lossPolicy } from './attribution.js';
import { explain, offlineCause } from './explain.js';
import { expiryOnlyGroups, judgeExpiry } from './expiry.js';
import { expiryChecks, expiryExplanations } from './expiry-verdict.js';
import { mergeHistograms } from './latency.js';
import { deriveMemory, explainMissingMemory } from './memory.js';
import type { Measured } from './metric-values.js';
import { measureReconnects } from './reconnect.js';
import { addTally, emptyTally, type Tally } from './redelivery.js';
import { groupOf, judgeSubscribers } from './subscribers.js';
import { builtinChecks, decideVerdict, expectationChecks } from './verdict.js';
import { brokerSaid } from './broker-said.js';
import { grantExplanations } from './explain-grants.js';
import { publishOutcomes } from './publish-outcome.js';
import { findShortfalls } from './shortfalls.js';
import { buildResult } from '../result/build.js';
import type { Plan } from '../scenario/plan.js';
import { takeoverChecks, takeoverExplanations, takeoverShortfalls, tallyTakeovers } from './takeover.js';
import { backlogDrains, overCapCloseExplanations, receiveMaximumChecks } from './backlog-drain.js';
import { judgeSharedGroups } from './shared-group.js';
import { sharedChecks, sharedExplanations, sharedShortfalls } from './shared-verdict.js';
import { newLatencyHistogram } from '../metrics/histograms.js';
import { summarise } from './latency.js';
import { messageExpiryChecks, messageExpiryExplanation, messageExpiryResult } from './message-expiry-result.js';
import { offlineAgeExplanation } from './offline-age.js';
import { untestedShortfalls } from './untested.js';

/**
 * Margin around a boundary known to the ms (a close the broker saw at once, a resubscribe):
 * publish and delivery take that long at most on loopback under load, so a message nearer
 * than this to the boundary may fall on either side.
 */
export const BOUNDARY_MARGIN_MS = 250;

/** One run of the matrix judged: counts, latencies, checks, explanations and the verdict. */
/** result.json for a scenario: each run judged, then handed to the result builder. */
export function judgeScenario(plan: Plan, records: readonly RunRecord[], tool?: Result['tool']): Result {
  return buildResult(plan, records.map(judgeRun), records[0]?.startedAtIso, tool);
}

export function judgeRun(record: RunRecord): RunResult {
  const { run } = record;
  const described = {
    id: run.id,
    label: run.label,
    protocol: run.protocol,
    broker: withoutCredentials(record.broker),
    groups: run.groups,
    startedAt: record.startedAtIso,
    durationMs: Math.round(record.endedAt - record.startedAt),
    timeline: record.timeline.map((e): TimelineEvent => ({ ...e, at: Math.round((e.at - record.startedAt) * 10) / 10 })),
    notes: run.notes,
    malformed: record.ledgers.reduce((n, l) => n + l.malformed, 0),
    ...(record.incomplete !== undefined ? { incomplete: record.incomplete } : {}),
  };
  if (record.unsupported !== undefined) {
    const nothing = mergeHistograms([]);
    const unsupportedExpiry = judgeExpiry(record);
    return {
      ...described,
      redelivery: redeliveryResult(emptyTally(), null),
      latency: { e2e: null },
      reconnect: { time: null, notReconnected: 0, connectFailures: 0 },
      histograms: { e2e: nothing.encoded, redelivery: nothing.encoded, reconnect: nothing.encoded },
      checks: [],
      explanations: [`Not run: ${record.unsupported}`, ...expiryExplanations(unsupportedExpiry, run.groups)],
      verdict: 'unsupported',
      shortfalls: [],
      brokerSaid: [],
      unsupported: record.unsupported,
      ...(unsupportedExpiry ? { expiry: unsupportedExpiry } : {}),
    };
  }

  // Groups only a measure-expiry phase connected (with clients of its own) had no messages to judge.
  const expiryOnly = expiryOnlyGroups(record);
  const published = publishOutcomes(record);
  const ages = newLatencyHistogram();
  const outcomes = judgeSubscribers(record, BOUNDARY_MARGIN_MS, published, ages).filter((o) => !expiryOnly.has(o.group.name));
  const said = brokerSaid(record);
  const shared = judgeSharedGroups(record, BOUNDARY_MARGIN_MS, published);
  const expiry = judgeExpiry(record);
  const total = emptyTally();
  for (const o of outcomes) addTally(total, o.tally);
  const e2e = mergeHistograms(record.ledgers.map((l) => l.histograms.e2e));
  const redelivery = mergeHistograms(record.ledgers.map((l) => l.histograms.redelivery));
  const reconnects = measureReconnects(record.timeline, record.ledgers.flatMap((l) => l.clients), groupOf);
  const memory = deriveMemory(record);
  const drain = backlogDrains(run.protocol, outcomes);
  const age = summarise(ages);
  const messageExpiry = messageExpiryResult(total.lifetimes, BOUNDARY_MARGIN_MS);
  const measured: Measured = {
    offlineAge: age.percentiles,
    ...(messageExpiry ? { messageExpiry } : {}),
    redelivery: redeliveryResult(total, redelivery.percentiles),
    latency: { e2e: e2e.percentiles },
    reconnect: {
      time: reconnects.time.percentiles,
      notReconnected: reconnects.notReconnected,
      connectFailures: reconnects.connectFailures,
    },
    ...(memory ? { memory } : {}),
    ...(expiry ? { expiry } : {}),
    ...(drain.length > 0 ? { drain } : {}),
    ...(shared.length > 0 ? { shared } : {}),
  };
  const takeovers = tallyTakeovers(record);
  const checks = [
    ...builtinChecks(run.protocol, outcomes, lossPolicy(record.broker, record.timeline)),
    ...takeoverChecks(run.protocol, takeovers),
    ...receiveMaximumChecks(run.protocol, outcomes),
    ...sharedChecks(shared),
    ...messageExpiryChecks(messageExpiry),
    ...expiryChecks(expiry), ...expectationChecks(run.expect, measured, offlineCause(run.protocol, outcomes))];
  explainMissingMemory(checks, run.expect, memory);
  const shortfalls = [...findShortfalls({ record, said, published, expiryOnly }), ...takeoverShortfalls(record), ...sharedShortfalls(run, said), ...untestedShortfalls(run, outcomes, messageExpiry, said, shared)];
  return {
    ...described,
    ...measured,
    histograms: { e2e: e2e.encoded, redelivery: redelivery.encoded, reconnect: reconnects.time.encoded, offlineAge: age.encoded },
    checks,
    explanations: [
      ...explain(run.protocol, outcomes, BOUNDARY_MARGIN_MS, record.incomplete),
      ...takeoverExplanations(run.protocol, takeovers),
      ...messageExpiryExplanation(messageExpiry),
      ...offlineAgeExplanation(run, age.percentiles),
      ...grantExplanations(run, outcomes, said),
      ...overCapCloseExplanations(record.ledgers.flatMap((l) => l.clients)),
      ...sharedExplanations(shared, said),
      ...expiryExplanations(expiry, run.groups),
    ],
    verdict: decideVerdict(checks, shortfalls),
    shortfalls,
    ...(record.agents ? { agents: record.agents } : {}),
    brokerSaid: said,
    timeline: [...described.timeline, ...saidEvents(said, described.timeline)].sort((a, b) => a.at - b.at),
  };
}

/** The first refusal or change of each kind, on the run's timeline (times already from the run's start). */
function saidEvents(said: readonly BrokerSaid[], timeline: readonly TimelineEvent[]): TimelineEvent[] {
  const phaseAt = (at: number): number => timeline.filter((e) => e.kind === 'phase-start' && e.at <= at).at(-1)?.phase ?? -1;
  return said
    .filter((s) => s.kind !== 'told')
    .map((s) => ({ at: s.firstAt, kind: 'broker-said', phase: phaseAt(s.firstAt), group: s.group, label: `${s.group}: ${s.what}` }));
}

function redeliveryResult(t: Tally, latency: RedeliveryResult['latency']): RedeliveryResult {
  return {
    expected: t.expected,
    delivered: t.delivered,
    lost: t.lost,
    lostBy: t.lostBy,
    duplicates: t.duplicates,
    qos2Duplicates: t.qos2Duplicates,
    outOfOrder: t.outOfOrder,
    unexpected: t.unexpected,
    indeterminate: t.indeterminate,
    noSession: t.noSession,
    expiredWithSession: t.expiredWithSession,
    discarded: t.discarded,
    notReturned: t.notReturned,
    refused: t.refused,
    unacknowledged: t.unacknowledged,
    qos0Kept: t.qos0Kept,
    leftover: t.leftover,
    offline: t.offline,
    offlineDelivered: t.offlineDelivered,
    latency,
    drainTime: t.drainTimeMs === null ? null : Math.round(t.drainTimeMs * 1000) / 1000,
  };
}

/** The URL a report keeps, without user or password even if one slipped into it. */
function withoutCredentials(broker: BrokerInfo): BrokerInfo {
  try {
    const url = new URL(broker.url);
    if (url.username === '' && url.password === '') return { ...broker };
    url.username = '';
    url.password = '';
    return { ...broker, url: url.toString() };
  } catch {
    return { ...broker };
  }
}
