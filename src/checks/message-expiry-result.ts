import type { LifetimeTally } from './lifetime-tally.js';
import { LIFETIME_GRANULARITY_MS } from './message-expiry.js';
import type { MessageExpiryResult } from '../result/message-expiry.js';

export type { MessageExpiryResult };
import { count } from './words.js';

/** A built-in check as report/result.ts's Check has it (not imported: result.ts already imports the checks' types). */
interface BuiltinCheck {
  name: string;
  source: 'builtin';
  passed: boolean;
  actual: number;
  threshold: string;
  explanation: string;
}

export const EXPIRED_DELIVERED_CHECK = 'no expired message delivered';
export const INTERVAL_CHECK = 'Message Expiry Interval reduced by the time waited';

export function messageExpiryResult(t: LifetimeTally, marginMs: number): MessageExpiryResult | undefined {
  if (t.sent === 0) return undefined;
  return {
    sent: t.sent,
    deliveredInTime: t.deliveredInTime,
    expiredInQueue: t.expiredInQueue,
    deliveredExpired: t.deliveredExpired,
    lost: t.lost,
    notJudged: t.notJudged,
    interval: { ...t.interval },
    forwarded: { ...t.forwarded },
    worstLateMs: t.deliveredExpired > 0 ? Math.round(t.worstLateMs) : null,
    examples: { late: [...t.lateExamples], interval: [...t.intervalExamples] },
    resolution: { granularityMs: LIFETIME_GRANULARITY_MS, marginMs },
  };
}

/** The two promises of v5 §3.3.2.3.3, judged only for a run that sent messages with an interval. */
export function messageExpiryChecks(r: MessageExpiryResult | undefined): BuiltinCheck[] {
  if (!r) return [];
  const late = r.deliveredExpired;
  const badInterval = r.interval.notReduced + r.interval.wrong + r.interval.missing;
  const judged = r.interval.reduced + badInterval;
  return [
    {
      name: EXPIRED_DELIVERED_CHECK,
      source: 'builtin',
      passed: late === 0,
      actual: late,
      threshold: '== 0',
      explanation:
        late > 0
          ? `${count(late)} messages arrived after their Message Expiry Interval had passed (up to ${seconds(r.worstLateMs ?? 0)} late): the broker must delete an expired message, not deliver it (MQTT-3.3.2-5); e.g. ${r.examples.late.join('; ')}`
          : `${count(r.expiredInQueue)} expired in the queue as the spec says, ${count(r.deliveredInTime)} delivered in time`,
    },
    {
      name: INTERVAL_CHECK,
      source: 'builtin',
      passed: badInterval === 0,
      actual: badInterval,
      threshold: '== 0',
      explanation: badInterval > 0 ? intervalFault(r) : `${count(judged)} delivered after a wait of a second or more carried a reduced interval; ${count(r.interval.notJudged)} waited too briefly to tell`,
    },
  ];
}

function intervalFault(r: MessageExpiryResult): string {
  const parts = [
    r.interval.notReduced > 0 ? `${count(r.interval.notReduced)} forwarded the original interval, not the time left` : '',
    r.interval.wrong > 0 ? `${count(r.interval.wrong)} forwarded an interval that matches neither` : '',
    r.interval.missing > 0 ? `${count(r.interval.missing)} forwarded no interval` : '',
  ].filter((p) => p !== '');
  return `${parts.join(', ')}: the broker must send the received interval minus the time the message waited (MQTT-3.3.2-6); e.g. ${r.examples.interval.join('; ')}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One line for the run's explanations. */
export function messageExpiryExplanation(r: MessageExpiryResult | undefined): string[] {
  if (!r) return [];
  const parts = [`${count(r.deliveredInTime)} delivered in time`, `${count(r.expiredInQueue)} expired in the broker's queue before their subscriber came back (dropped as MQTT 5 requires: not expected, not lost)`];
  if (r.deliveredExpired > 0) parts.push(`${count(r.deliveredExpired)} delivered after their lifetime ended (a broker fault)`);
  if (r.lost > 0) parts.push(`${count(r.lost)} lost`);
  if (r.notJudged > 0) parts.push(`${count(r.notJudged)} not judged (their lifetime ended within ${seconds(r.resolution.granularityMs + r.resolution.marginMs)} of the reconnect, or while the backlog was being sent)`);
  return [`Message Expiry Interval (MQTT 5): of ${count(r.sent)} messages sent with one, ${parts.join(', ')}.`];
}
