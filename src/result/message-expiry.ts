/** What a received Message Expiry Interval says of the time the message waited. */
export type IntervalVerdict = 'reduced' | 'notReduced' | 'wrong' | 'missing' | 'notJudged';
export const INTERVAL_VERDICTS: readonly IntervalVerdict[] = ['reduced', 'notReduced', 'wrong', 'missing', 'notJudged'];

/**
 * What became of the messages sent with an MQTT 5 Message Expiry Interval, in result.json.
 * Present only for a run that sent some (a v5 run with a publish `messageExpiry`).
 */
export interface MessageExpiryResult {
  /** Messages sent with an interval (any fate). */
  sent: number;
  deliveredInTime: number;
  /** Their lifetime ended in the queue before their subscriber came back: dropped as the spec says, not lost. */
  expiredInQueue: number;
  /** Arrived after their lifetime ended: a broker fault [MQTT-3.3.2-5]. */
  deliveredExpired: number;
  lost: number;
  /** Lifetime ended within the harness's resolution of the return (or during the drain): either outcome meets the spec. */
  notJudged: number;
  /** The interval forwarded with each message delivered in time, against the time it waited [MQTT-3.3.2-6]. */
  interval: Record<IntervalVerdict, number>;
  /** Messages delivered in time, by the interval sent and the one forwarded, e.g. { "60 s -> 55 s": 80 }; absent in older results. */
  forwarded?: Record<string, number>;
  /** Latest arrival past send + interval, ms; null: none late. */
  worstLateMs: number | null;
  examples: { late: string[]; interval: string[] };
  /** How finely the checks can tell: the broker's whole-second granularity and the delivery margin, ms. */
  resolution: { granularityMs: number; marginMs: number };
}
