import type { ProtocolVersion } from '../brokers/types.js';
import type { Check, Verdict } from '../result/result.js';
import type { Shortfall } from '../result/refusals.js';
import type { ExpectationPlan } from '../scenario/plan.js';
import { LOSS_REASONS, type LossReason } from '../result/loss.js';
import type { LossPolicy } from './attribution.js';
import type { CanonicalUnit } from './expression.js';
import { evaluate } from './expression.js';
import { metricValue, type Measured } from './metric-values.js';
import type { Tally } from './redelivery.js';
import type { GroupOutcome } from './subscribers.js';
import { count, plural, size } from './words.js';

/**
 * The checks every run gets, whatever the scenario says: the spec's promises (nothing owed
 * is lost, QoS 2 arrives once, nothing arrives from a session that should be gone).
 */
export function builtinChecks(protocol: ProtocolVersion, outcomes: readonly GroupOutcome[], policy: LossPolicy): Check[] {
  const total = (pick: (t: Tally) => number) => outcomes.reduce((n, o) => n + pick(o.tally), 0);
  const failing = (pick: (t: Tally) => number) => outcomes.filter((o) => pick(o.tally) > 0);
  const lost = total((t) => t.lost);
  const expected = total((t) => t.expected);
  const qos2 = total((t) => t.qos2Duplicates);
  const unexpected = total((t) => t.unexpected);
  return [
    {
      name: 'no expected message lost',
      source: 'builtin',
      passed: lost === 0,
      actual: lost,
      threshold: '== 0',
      explanation:
        lost > 0
          ? failing((t) => t.lost).map((o) => lossLine(o, policy)).join('; ')
          : expected > 0
            ? `all ${count(expected)} expected messages arrived`
            : 'no message was expected (see the explanations)',
    },
    {
      name: 'no QoS 2 duplicates',
      source: 'builtin',
      passed: qos2 === 0,
      actual: qos2,
      threshold: '== 0',
      explanation:
        qos2 > 0
          ? failing((t) => t.qos2Duplicates)
              .map((o) => `${count(o.tally.qos2Duplicates)} extra copies of QoS 2 messages on ${o.group.name}: exactly-once broken (MQTT-4.3.3-10)`)
              .join('; ')
          : 'no QoS 2 message arrived twice',
    },
    {
      name: 'no unexpected messages',
      source: 'builtin',
      passed: unexpected === 0,
      actual: unexpected,
      threshold: '== 0',
      explanation:
        unexpected > 0
          ? failing((t) => t.unexpected).map((o) => unexpectedLine(protocol, o)).join('; ')
          : 'nothing arrived that the spec had no session for',
    },
  ];
}

/** "40 of 50 expected messages per client lost on devices: <main cause> (and N: <other cause>)" */
function lossLine({ group, tally: t }: GroupOutcome, policy: LossPolicy): string {
  const [shape, clients] = [...t.lossShapes].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const [lostEach, expectedEach] = shape.split('/');
  const what =
    t.lossShapes.size === 1 && clients === t.clients
      ? `${count(Number(lostEach))} of ${count(Number(expectedEach))} expected messages per client lost on ${group.name}`
      : `${count(t.lost)} of ${count(t.expected)} expected messages lost on ${group.name} (${count(sumShapes(t))} of ${count(t.clients)} clients)`;
  const reasons = LOSS_REASONS.filter((r) => t.lostBy[r] > 0).sort((a, b) => t.lostBy[b] - t.lostBy[a]);
  const others = reasons.slice(1).map((r) => `${count(t.lostBy[r])} ${r}`);
  return `${what}: ${cause(reasons[0] ?? 'unknown', t, policy)}${others.length > 0 ? ` (also ${others.join(', ')})` : ''}`;
}

function sumShapes(t: Tally): number {
  return [...t.lossShapes.values()].reduce((a, b) => a + b, 0);
}

function cause(reason: LossReason, t: Tally, policy: LossPolicy): string {
  switch (reason) {
    case 'queue-limit': {
      const q = policy.queue!;
      return `Mosquitto max_queued_messages is ${count(q.limit)}${q.isDefault ? ' (the default)' : ''}, newest messages dropped over the limit`;
    }
    case 'size-limit':
      return `Mosquitto message_size_limit is ${size(policy.sizeLimit ?? 0)}: it acknowledged the larger publishes and dropped them (MQTT 3.1.1 cannot refuse a publish; MQTT 5 answers PUBACK 0x95)`;
    case 'session-ended-early':
      return `the broker answered Session Present 0 on ${plural(t.presentMissing, 'reconnect')} though the spec keeps the session`;
    case 'session-expired':
      return `Mosquitto persistent_client_expiration is ${policy.sessionCap?.setting}: the broker ended sessions the spec keeps`;
    case 'broker-restart':
      return `the broker was killed and restarted while it held them: not persisted before the crash (${persistenceWords(policy)})`;
    case 'never-released':
      return 'the broker never sent PUBREL for QoS 2 messages the clients had received and acknowledged with PUBREC, so they were never handed over (MQTT-4.3.3: a broker fault)';
    case 'unknown':
      return 'cause unknown (no broker limit or session loss explains it)';
  }
}

/** What Mosquitto's settings promised to save before a crash. */
function persistenceWords(policy: LossPolicy): string {
  const r = policy.restarts;
  if (!r?.persistence) return 'persistence is off: sessions and queued messages live in memory only';
  if (r.autosaveOnChanges) return `persistence saves after every ${r.autosaveInterval ?? '1800'} changes`;
  return `persistence saves every ${r.autosaveInterval ?? '1800'} s (autosave_interval) and at a clean shutdown, not at a kill`;
}

function unexpectedLine(protocol: ProtocolVersion, { group, tally: t }: GroupOutcome): string {
  const what = `${count(t.unexpected)} messages arrived on ${group.name} though the spec had no session to hold them`;
  if (t.presentUnexpected === 0) return `${what}: sent while no session held a subscription for them`;
  const setting =
    protocol === '5' && !group.clean && group.sessionExpiry === 0 ? ' despite Session Expiry Interval 0' : group.clean ? ' despite a clean start' : '';
  return `${what}: the broker answered Session Present 1 on ${plural(t.presentUnexpected, 'reconnect')}${setting}, keeping the session past its end`;
}

/** The scenario's `expect` lines against the measured values. */
/** `cause` names why offline messages went missing, for failed offline-delivery expectations. */
export function expectationChecks(expect: readonly ExpectationPlan[], measured: Measured, cause?: string): Check[] {
  return expect.map((e) => {
    const actual = metricValue(measured, e.metric);
    const threshold = `${e.op} ${withUnit(e.value, e.unit)}`;
    if (actual === null) {
      return { name: e.source, source: e.origin, passed: true, actual, threshold, explanation: `${e.metric} has no samples in this run: nothing to hold against ${threshold}` };
    }
    const passed = evaluate(e, actual);
    const because = !passed && cause && e.metric.startsWith('redelivery.offline') ? `: ${cause}` : '';
    const explanation = `${e.metric} was ${withUnit(actual, e.unit)}${passed ? `, within ${threshold}` : `, needs ${threshold}${because}`}`;
    return { name: e.source, source: e.origin, passed, actual, threshold, explanation };
  });
}

function withUnit(value: number, unit: CanonicalUnit): string {
  switch (unit) {
    case 'count':
      return count(value);
    case 'fraction':
      return `${count(value * 100)}%`;
    case 'B':
      return size(value);
    default:
      return `${count(value)} ${unit}`;
  }
}

/** A run that fell short of what the scenario asked is INCOMPLETE whatever its checks say: its figures are not the ones asked for. */
export function decideVerdict(checks: readonly Check[], shortfalls: readonly Shortfall[]): Verdict {
  if (shortfalls.length > 0) return 'incomplete';
  return checks.some((c) => !c.passed) ? 'fail' : 'pass';
}
