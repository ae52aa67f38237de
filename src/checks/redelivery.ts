import type { ReceivedRun } from '../metrics/ledger.js';
import { attributeLoss, type LossPolicy } from './attribution.js';
import { LOSS_REASONS, type LossReason } from '../result/loss.js';
import type { Classified } from './expected.js';
import type { SessionModel } from './session-model.js';

/**
 * What the broker delivered against what the spec owed, counted per subscriber and summed
 * per group. Counts are of first copies unless named otherwise.
 */
export interface Tally {
  clients: number;
  expected: number;
  delivered: number;
  lost: number;
  lostBy: Record<LossReason, number>;
  /** Extra copies; those of QoS 2 messages break exactly-once. */
  duplicates: number;
  qos2Duplicates: number;
  outOfOrder: number;
  unexpected: number;
  indeterminate: number;
  /** Not owed, by why: no session held a subscription, it expired first, Clean Start discarded it. */
  noSession: number;
  expiredWithSession: number;
  discarded: number;
  notReturned: number;
  qos0Kept: number;
  /** Sent by an earlier invocation (a session it left on the broker): counted apart, never delivered. */
  leftover: number;
  /** Not the broker's to deliver: it refused them (a negative ack, or closed the connection first), or never acknowledged them. */
  refused: number;
  unacknowledged: number;
  /** Sent while the subscriber was away (any QoS), how many of those were owed, how many came. */
  offline: number;
  offlineExpected: number;
  offlineDelivered: number;
  /** Reconnect CONNACK to the last backlog message, slowest return; null: no backlog arrived. */
  drainTimeMs: number | null;
  /** Returns after time away, and how the broker's Session Present compared with the spec's. */
  returns: number;
  presentMissing: number;
  /** Of those, the returns whose time away spanned a kill of the broker (a broker-restart fault). */
  presentLostInRestart: number;
  presentUnexpected: number;
  /** Returns after the session had ended by the spec, and the longest time away. */
  returnsAfterEnd: number;
  longestAwayMs: number;
  /** Times away the broker could learn of only by keep-alive (a silent partition). */
  silentGaps: number;
  /** Clients that lost messages, by "lost/expected", so a uniform loss reads "40 of 50 per client". */
  lossShapes: Map<string, number>;
}

export function emptyTally(): Tally {
  return {
    clients: 0, expected: 0, delivered: 0, lost: 0,
    lostBy: Object.fromEntries(LOSS_REASONS.map((r) => [r, 0])) as Record<LossReason, number>,
    duplicates: 0, qos2Duplicates: 0, outOfOrder: 0, unexpected: 0, indeterminate: 0, noSession: 0,
    expiredWithSession: 0, discarded: 0, notReturned: 0, qos0Kept: 0, leftover: 0, refused: 0, unacknowledged: 0,
    offline: 0, offlineExpected: 0, offlineDelivered: 0, drainTimeMs: null,
    returns: 0, presentMissing: 0, presentLostInRestart: 0, presentUnexpected: 0, returnsAfterEnd: 0, longestAwayMs: 0, silentGaps: 0,
    lossShapes: new Map(),
  };
}

export function tallySubscriber(model: SessionModel, classified: Classified, received: readonly ReceivedRun[], policy: LossPolicy): Tally {
  const t = emptyTally();
  t.clients = 1;
  const arrivals = arrivalTimes(received);
  const unreleased = new Set(received.flatMap((run) => (run.unreleased ?? []).map((seq) => key(run.publisher, seq))));
  const qosOf = new Map<string, number>();
  const drainEnd = model.gaps.map(() => -Infinity);
  for (const message of classified.messages) {
    const arrivedAt = arrivals.get(message.publisher)?.get(message.seq);
    const arrived = arrivedAt !== undefined;
    qosOf.set(key(message.publisher, message.seq), message.qos);
    if (message.fate === 'refused' || message.fate === 'unacknowledged') {
      // Neither sent to the subscriber nor lost: whether a copy came anyway is the broker's business.
      t[message.fate]++;
      continue;
    }
    if (message.gap >= 0) {
      t.offline++;
      if (message.fate === 'expected') t.offlineExpected++;
      if (arrived) {
        t.offlineDelivered++;
        drainEnd[message.gap] = Math.max(drainEnd[message.gap]!, arrivedAt);
        if (message.qos === 0) t.qos0Kept++;
      }
    }
    switch (message.fate) {
      case 'qos0':
        break;
      case 'expected':
        t.expected++;
        if (arrived) t.delivered++;
        else {
          t.lost++;
          t.lostBy[attributeLoss(message, model, classified.backlog, policy, unreleased.has(key(message.publisher, message.seq)))]++;
        }
        break;
      case 'indeterminate':
        // Near a boundary either outcome meets the spec; but a message that arrived on the
        // very connection it was sent during was owed and delivered, whatever came after.
        if (arrived && message.gap < 0 && arrivedBeforeNextGap(model, message.sentAt, arrivedAt)) {
          t.expected++;
          t.delivered++;
        } else t.indeterminate++;
        break;
      default:
        t[message.fate]++;
        if (arrived) t.unexpected++;
    }
  }
  if (t.lost > 0) t.lossShapes.set(`${t.lost}/${t.expected}`, 1);
  model.gaps.forEach((gap, i) => {
    if (gap.detectedBy === 'keep-alive') t.silentGaps++;
    if (gap.to === Infinity) return;
    t.returns++;
    t.longestAwayMs = Math.max(t.longestAwayMs, gap.to - gap.from);
    if (gap.specPresent === false) t.returnsAfterEnd++;
    if (gap.specPresent === true && gap.subscribed && !gap.observedPresent) {
      t.presentMissing++;
      if (policy.restarts?.at.some((at) => gap.from <= at && at < gap.to)) t.presentLostInRestart++;
    }
    if (gap.specPresent === false && gap.observedPresent) t.presentUnexpected++;
    if (drainEnd[i]! >= gap.to) t.drainTimeMs = Math.max(t.drainTimeMs ?? 0, drainEnd[i]! - gap.to);
  });
  countCopies(t, received, qosOf);
  return t;
}

function arrivedBeforeNextGap(model: SessionModel, sentAt: number, arrivedAt: number): boolean {
  const next = model.gaps.find((gap) => gap.from >= sentAt);
  return next === undefined || arrivedAt < next.from;
}

function key(publisher: string, seq: number): string {
  return `${publisher}\u0000${seq}`;
}

/** publisher -> seq -> arrival of the first copy. */
function arrivalTimes(received: readonly ReceivedRun[]): Map<string, Map<number, number>> {
  const byPublisher = new Map<string, Map<number, number>>();
  for (const run of received) {
    const seqs = byPublisher.get(run.publisher) ?? new Map<number, number>();
    run.seqs.forEach((seq, i) => {
      if (!seqs.has(seq)) seqs.set(seq, run.firstAt[i]!);
    });
    byPublisher.set(run.publisher, seqs);
  }
  return byPublisher;
}

/**
 * Duplicates, and order (MQTT §4.6: per publisher, topic and QoS, judged on first copies):
 * a sequence number first seen after a higher one from the same publisher is out of order.
 */
function countCopies(t: Tally, received: readonly ReceivedRun[], qosOf: ReadonlyMap<string, number>): void {
  for (const run of received) {
    const highest = [-Infinity, -Infinity, -Infinity];
    run.seqs.forEach((seq, i) => {
      const qos = run.qos[i] ?? 0;
      if (seq < highest[qos]!) t.outOfOrder++;
      else highest[qos] = seq;
    });
    for (const [seq, extra] of Object.entries(run.duplicates)) {
      t.duplicates += extra;
      if ((qosOf.get(key(run.publisher, Number(seq))) ?? 0) === 2) t.qos2Duplicates += extra;
    }
  }
}

/** Adds `from` into `into`: sums, maxima for times, shapes merged. */
export function addTally(into: Tally, from: Tally): void {
  for (const name of SUMMED) into[name] += from[name];
  for (const reason of LOSS_REASONS) into.lostBy[reason] += from.lostBy[reason];
  if (from.drainTimeMs !== null) into.drainTimeMs = Math.max(into.drainTimeMs ?? 0, from.drainTimeMs);
  into.longestAwayMs = Math.max(into.longestAwayMs, from.longestAwayMs);
  for (const [shape, clients] of from.lossShapes) into.lossShapes.set(shape, (into.lossShapes.get(shape) ?? 0) + clients);
}

const SUMMED = [
  'clients', 'expected', 'delivered', 'lost', 'duplicates', 'qos2Duplicates', 'outOfOrder', 'unexpected',
  'indeterminate', 'noSession', 'expiredWithSession', 'discarded', 'notReturned', 'qos0Kept', 'leftover', 'refused', 'unacknowledged', 'offline', 'offlineExpected',
  'offlineDelivered', 'returns', 'presentMissing', 'presentLostInRestart', 'presentUnexpected', 'returnsAfterEnd', 'silentGaps',
] as const satisfies readonly (keyof Tally)[];
