import type { RunRecord } from '../engine/run-record.js';
import type { ClientLog, ConnectAttempt, SentRun } from '../metrics/ledger.js';
import type { BrokerSaid, Shortfall } from '../result/refusals.js';
import type { PhasePlan } from '../scenario/plan.js';
import { phaseWindows, type PhaseWindow } from './phase-windows.js';
import { measureReconnects } from './reconnect.js';
import type { PublishOutcomes } from './publish-outcome.js';
import { groupOf } from './subscribers.js';
import { count } from './words.js';
import { lostAgentShortfalls } from './agent-shortfalls.js';

export interface ShortfallInput {
  record: RunRecord;
  said: readonly BrokerSaid[];
  published: PublishOutcomes;
  /** Groups connected only by a measure-expiry phase: not this module's to count. */
  expiryOnly: ReadonlySet<string>;
}

/**
 * What the scenario asked that the run did not do — a phase that ended with work undone
 * (connected n of N, subscribed n of N, published n of M), subscribers that never came back, a
 * premise the run did not set up itself, a run stopped early — each with its counts and the
 * broker's own words. Any one makes the run INCOMPLETE: never a PASS.
 */
export function findShortfalls(input: ShortfallInput): Shortfall[] {
  const { record } = input;
  const logs = record.ledgers.flatMap((l) => l.clients).filter((l) => !input.expiryOnly.has(groupOf(l.ref)));
  const found: Shortfall[] = [];
  if (record.incomplete !== undefined) {
    found.push({ kind: record.incomplete.startsWith('interrupted') ? 'interrupted' : 'stopped', text: `the run stopped early: ${record.incomplete}` });
  }
  found.push(...lostAgentShortfalls(record));
  for (const window of phaseWindows(record)) {
    const short = phaseShortfall(window, logs, input);
    if (short) found.push(short);
  }
  if (!found.some((f) => f.kind === 'publish')) {
    const stray = unsettledPublishes(record, input.published);
    if (stray) found.push(stray);
  }
  const stranded = strandedSubscribers(record, logs);
  if (stranded) found.push({ ...stranded, text: `${stranded.text}${brokerWords(input.said, [...new Set(logs.map((l) => groupOf(l.ref)))], Infinity)}` });
  const premise = sessionsFoundAtStart(logs, record);
  if (premise) found.push(premise);
  return found;
}

function phaseShortfall(w: PhaseWindow, logs: readonly ClientLog[], input: ShortfallInput): Shortfall | undefined {
  const { phase } = w;
  const of = (groups: readonly string[]): ClientLog[] => logs.filter((l) => groups.includes(groupOf(l.ref)));
  const head = `phase ${w.index + 1} (${w.label})`;
  const end = w.end;
  if (end === undefined) return undefined;
  const relEnd = end - input.record.startedAt;
  switch (phase.kind) {
    case 'connect': {
      const groups = phase.groups.map((g) => g.name);
      const clients = of(groups);
      const done = clients.filter((l) => l.attempts.some((a) => connectedIn(a, w.start, end))).length;
      if (done === clients.length) return undefined;
      return { kind: 'connect', phase: w.index, label: w.label, done, of: clients.length, text: `${head}: connected ${count(done)} of ${count(clients.length)}${brokerWords(input.said, groups, relEnd)}` };
    }
    case 'subscribe': {
      const subscribers = input.record.run.groups.filter((g) => phase.groups.includes(g.name) && g.topic !== undefined).map((g) => g.name);
      const clients = of(subscribers);
      const refused = clients.filter((l) => l.granted !== undefined && l.granted >= 0x80).length;
      const done = clients.filter((l) => !(l.granted !== undefined && l.granted >= 0x80) && l.attempts.some((a) => subscribedBy(a, end))).length;
      if (done === clients.length) return undefined;
      const parts = [`subscribed ${count(done)} of ${count(clients.length)}`];
      if (refused > 0) parts.push(`${count(refused)} refused`);
      return { kind: 'subscribe', phase: w.index, label: w.label, done, of: clients.length, text: `${head}: ${parts.join('; ')}${brokerWords(input.said, subscribers, relEnd)}` };
    }
    case 'publish':
      return publishShortfall(w, phase, head, input);
    default:
      return undefined;
  }
}

function publishShortfall(w: PhaseWindow, phase: Extract<PhasePlan, { kind: 'publish' }>, head: string, input: ShortfallInput): Shortfall | undefined {
  const { record, published } = input;
  // A shared group is one target that every publisher sends perTarget to.
  const targets = phase.shared ? 1 : (record.run.groups.find((g) => g.name === phase.to)?.count ?? 0);
  const publishers = phase.shared ? (record.run.groups.find((g) => g.name === phase.from)?.count ?? 0) : 1;
  const planned = phase.perTarget * targets * publishers;
  const runs: SentRun[] = record.ledgers.flatMap((l) => l.sent).filter((r) => groupOf(r.publisher) === phase.from && groupOf(r.target) === phase.to);
  const tally = { sent: 0, acked: 0, refused: 0, unacknowledged: 0 };
  const end = w.end ?? Infinity;
  for (const run of runs) {
    run.sentAt.forEach((at, i) => {
      if (at < w.start || at > end) return;
      tally.sent++;
      tally[published.of(run, i)]++;
    });
  }
  if (tally.acked >= planned) return undefined;
  const parts = [`${count(tally.acked)} of ${count(planned)} published and acknowledged`];
  if (tally.refused > 0) parts.push(`${count(tally.refused)} refused`);
  if (tally.unacknowledged > 0) parts.push(`${count(tally.unacknowledged)} never acknowledged`);
  if (planned > tally.sent) parts.push(`${count(planned - tally.sent)} never sent`);
  return {
    kind: 'publish',
    phase: w.index,
    label: w.label,
    done: tally.acked,
    of: planned,
    text: `${head}: ${parts.join('; ')}${brokerWords(input.said, [phase.from], end - record.startedAt)}`,
  };
}

/** Refused or unacknowledged publishes no publish phase accounts for (a run without a phase timeline). */
function unsettledPublishes(record: RunRecord, published: PublishOutcomes): Shortfall | undefined {
  const tally = { acked: 0, refused: 0, unacknowledged: 0 };
  for (const run of record.ledgers.flatMap((l) => l.sent)) run.sentAt.forEach((_, i) => tally[published.of(run, i)]++);
  if (tally.refused + tally.unacknowledged === 0) return undefined;
  const total = tally.acked + tally.refused + tally.unacknowledged;
  const parts = [`${count(tally.acked)} of ${count(total)} publishes acknowledged`];
  if (tally.refused > 0) parts.push(`${count(tally.refused)} refused`);
  if (tally.unacknowledged > 0) parts.push(`${count(tally.unacknowledged)} never acknowledged`);
  return { kind: 'publish', done: tally.acked, of: total, text: parts.join('; ') };
}

/**
 * Subscribers a healed fault cut off that never came back: the messages the run exists to
 * judge were never asked of the broker. A publisher that stayed away is not one (its later
 * publish phases, if any, fall short on their own).
 */
function strandedSubscribers(record: RunRecord, logs: readonly ClientLog[]): Shortfall | undefined {
  const subscribers = new Set(record.run.groups.filter((g) => g.role === 'subscriber').map((g) => g.name));
  const { notReconnected } = measureReconnects(record.timeline, logs.filter((l) => subscribers.has(groupOf(l.ref))), groupOf);
  if (notReconnected === 0) return undefined;
  return { kind: 'reconnect', done: 0, of: notReconnected, text: `${count(notReconnected)} subscribers cut off by a fault never reconnected after the heal` };
}

function connectedIn(a: ConnectAttempt, start: number, end: number): boolean {
  return a.connackAt !== undefined && a.connackAt <= end && (a.closedAt === undefined || a.closedAt >= start);
}

/** Its subscription in place by `end`: acknowledged, or carried by a session the broker kept. */
function subscribedBy(a: ConnectAttempt, end: number): boolean {
  return (a.subscribedAt !== undefined && a.subscribedAt <= end) || (a.sessionPresent === true && a.connackAt! <= end);
}

/** "; the broker said: DISCONNECT 0x9B QoS not supported (40×, e.g. backend-0: …)" from its refusals up to `until`. */
function brokerWords(said: readonly BrokerSaid[], groups: readonly string[], until: number): string {
  const words = said.filter((s) => s.kind !== 'told' && groups.includes(s.group) && s.firstAt <= until).slice(0, 2);
  if (words.length === 0) return '';
  return `; the broker: ${words.map((s) => `${s.what} (${count(s.count)}×${s.examples[0] ? `, e.g. ${s.examples[0]}` : ''})`).join('; ')}`;
}

/**
 * Session Present 1 on a client's very first connect with Clean Start=0: the broker held a
 * session this run did not make (an earlier run's, under the same client id), so the run
 * measured a premise it did not set up.
 */
function sessionsFoundAtStart(logs: readonly ClientLog[], record: RunRecord): Shortfall | undefined {
  const persistent = new Set(record.run.groups.filter((g) => !g.clean).map((g) => g.name));
  const byGroup = new Map<string, number>();
  for (const log of logs) {
    const group = groupOf(log.ref);
    if (!persistent.has(group)) continue;
    const first = log.attempts.find((a) => a.connackAt !== undefined);
    if (first?.sessionPresent) byGroup.set(group, (byGroup.get(group) ?? 0) + 1);
  }
  if (byGroup.size === 0) return undefined;
  const found = [...byGroup].map(([g, n]) => `${count(n)} of ${count(record.run.groups.find((x) => x.name === g)?.count ?? n)} ${g}`).join(', ');
  const total = [...byGroup.values()].reduce((a, b) => a + b, 0);
  return {
    kind: 'premise',
    done: 0,
    of: total,
    text: `${found} found a session already on the broker at their first connect (Session Present 1): it was left by an earlier run with the same client ids, so this run did not set up what it measured`,
  };
}
