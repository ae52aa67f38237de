import type { Message } from './expected.js';
import { deliveredLate, intervalExample, judgeInterval } from './message-expiry.js';
import { INTERVAL_VERDICTS, type IntervalVerdict } from '../result/message-expiry.js';

/** Examples kept per kind of fault, for the check's explanation. */
const EXAMPLES = 3;

/**
 * Messages sent with a Message Expiry Interval, each in one class: delivered in time,
 * expired in the queue as the spec says, delivered after its lifetime (a broker fault), lost,
 * or not judged (its end too near the return, or inside the backlog's drain). Messages no
 * session owed (sent before a subscription, into a session that ended) are in none.
 */
export interface LifetimeTally {
  sent: number;
  deliveredInTime: number;
  expiredInQueue: number;
  deliveredExpired: number;
  lost: number;
  notJudged: number;
  /** The forwarded interval of each message delivered in time, against the time it waited. */
  interval: Record<IntervalVerdict, number>;
  /** Latest arrival past the spec's end (send + interval), ms; 0: none late. */
  worstLateMs: number;
  lateExamples: string[];
  intervalExamples: string[];
  /** Messages delivered in time by interval sent and forwarded, e.g. "60 s -> 55 s": 12 (at most FORWARDED_KINDS kinds). */
  forwarded: Record<string, number>;
}

const FORWARDED_KINDS = 20;

export function emptyLifetimeTally(): LifetimeTally {
  return {
    sent: 0, deliveredInTime: 0, expiredInQueue: 0, deliveredExpired: 0, lost: 0, notJudged: 0,
    interval: Object.fromEntries(INTERVAL_VERDICTS.map((v) => [v, 0])) as Record<IntervalVerdict, number>,
    worstLateMs: 0, lateExamples: [], intervalExamples: [], forwarded: {},
  };
}

/**
 * An owed message with a lifetime that never came, whose lifetime ended while the broker was
 * still sending that time away's backlog (up to `drainEnd`): it may have expired in the queue
 * before its turn, as the spec allows.
 */
export function expiredDuringDrain(message: Message, drainEnd: number, marginMs: number): boolean {
  return message.lifetime !== undefined && message.gap >= 0 && message.lifetime.endsAt <= drainEnd + marginMs;
}

/** `who` names the subscriber in examples; `received` is the interval the first copy carried. */
export function noteLifetime(
  lt: LifetimeTally,
  message: Message,
  arrivedAt: number | undefined,
  received: number | undefined,
  notJudgedLoss: boolean,
  marginMs: number,
  who: string,
): void {
  const lifetime = message.lifetime;
  if (!lifetime) return;
  lt.sent++;
  const seq = `${who} #${message.seq} from ${message.publisher}`;
  if (arrivedAt !== undefined) {
    if (deliveredLate(lifetime, arrivedAt, marginMs)) {
      lt.deliveredExpired++;
      const late = arrivedAt - lifetime.endsAt;
      lt.worstLateMs = Math.max(lt.worstLateMs, late);
      if (lt.lateExamples.length < EXAMPLES) lt.lateExamples.push(`${seq}: ${lifetime.intervalSec} s lifetime, arrived ${((arrivedAt - message.sentAt) / 1000).toFixed(1)} s after it was sent`);
      return;
    }
    lt.deliveredInTime++;
    const waited = arrivedAt - message.sentAt;
    const verdict = judgeInterval(lifetime.intervalSec, received, waited, marginMs);
    lt.interval[verdict]++;
    countForwarded(lt.forwarded, `${lifetime.intervalSec} s -> ${received === undefined || received < 0 ? 'none' : `${received} s`}`, 1);
    if ((verdict === 'notReduced' || verdict === 'wrong' || verdict === 'missing') && lt.intervalExamples.length < EXAMPLES) {
      lt.intervalExamples.push(`${seq}: ${intervalExample(lifetime.intervalSec, received, waited)}`);
    }
    return;
  }
  if (message.fate === 'expiredInQueue') lt.expiredInQueue++;
  else if (message.fate === 'indeterminate' || (message.fate === 'expected' && notJudgedLoss)) lt.notJudged++;
  else if (message.fate === 'expected') lt.lost++;
}

export function addLifetimeTally(into: LifetimeTally, from: LifetimeTally): void {
  for (const k of ['sent', 'deliveredInTime', 'expiredInQueue', 'deliveredExpired', 'lost', 'notJudged'] as const) into[k] += from[k];
  for (const v of INTERVAL_VERDICTS) into.interval[v] += from.interval[v];
  into.worstLateMs = Math.max(into.worstLateMs, from.worstLateMs);
  into.lateExamples.push(...from.lateExamples.slice(0, EXAMPLES - into.lateExamples.length));
  into.intervalExamples.push(...from.intervalExamples.slice(0, EXAMPLES - into.intervalExamples.length));
  for (const [kind, n] of Object.entries(from.forwarded)) countForwarded(into.forwarded, kind, n);
}

function countForwarded(into: Record<string, number>, kind: string, n: number): void {
  if (into[kind] !== undefined || Object.keys(into).length < FORWARDED_KINDS) into[kind] = (into[kind] ?? 0) + n;
}
