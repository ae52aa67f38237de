import type { IntervalVerdict } from '../result/message-expiry.js';
/**
 * MQTT 5 Message Expiry (v5 §3.3.2.3.3): a message the sender gave a lifetime must not be
 * delivered once it has passed [MQTT-3.3.2-5], and the interval the broker forwards is the
 * one received minus the time the message waited [MQTT-3.3.2-6]. What the harness can tell
 * is bounded by its resolution: the interval counts whole seconds (Mosquitto stores a
 * message's end as a wall-clock second and checks it when it sends), and a message takes
 * up to the boundary margin to travel on loopback under load. Nearer a boundary than that,
 * nothing is judged.
 */

/** Whole-second intervals on a whole-second wall clock, checked at send: an end lands in (E, E + 1 s], plus the loop's wake-up. */
export const LIFETIME_GRANULARITY_MS = 1100;
/** The checks' boundary margin (judge.ts BOUNDARY_MARGIN_MS), the default where none is passed. */
export const DEFAULT_MARGIN_MS = 250;

/** Where a message's lifetime stood when its subscriber came back after time away. */
export type AtReturn = 'alive' | 'expired' | 'boundary';

/** One message's lifetime on the run clock (ms). */
export interface Lifetime {
  intervalSec: number;
  /** The spec's end: send + interval. */
  endsAt: number;
  /** The latest a broker of whole-second resolution may still hold it. */
  endsBy: number;
  /** Set for a message sent into a session while its subscriber was away. */
  atReturn?: AtReturn;
}

export function lifetimeOf(sentAt: number, intervalSec: number): Lifetime {
  const endsAt = sentAt + intervalSec * 1000;
  return { intervalSec, endsAt, endsBy: endsAt + LIFETIME_GRANULARITY_MS };
}

/**
 * At the reconnect CONNACK `returnAt`: certainly ended (the broker must drop it), certainly
 * alive (it must deliver it), or too close to say. The broker looks at its queue between the
 * CONNECT and the CONNACK, up to a margin before `returnAt`.
 */
export function lifetimeAtReturn(lifetime: Lifetime, returnAt: number, marginMs: number): AtReturn {
  if (lifetime.endsBy < returnAt - marginMs) return 'expired';
  if (lifetime.endsAt > returnAt + marginMs) return 'alive';
  return 'boundary';
}

/** Arrived after its lifetime had surely ended, by more than the margin a delivery takes to travel. */
export function deliveredLate(lifetime: Lifetime, arrivedAt: number, marginMs: number): boolean {
  return arrivedAt > lifetime.endsBy + marginMs;
}

/**
 * `received`: the interval on the first copy (s), -1 or undefined when it carried none;
 * `waitedMs`: arrival − send. The broker held the message between waitedMs − margin (the
 * travel) and waitedMs, and counts in whole seconds, so the interval must lie in
 * [E − ⌈waited⌉ − 1, E − ⌊waited − margin⌋]. A wait under a second plus the margin cannot
 * tell a reduced interval from the original: not judged, unless the interval is out of range.
 */
export function judgeInterval(intervalSec: number, received: number | undefined, waitedMs: number, marginMs: number): IntervalVerdict {
  // In its last second a whole-second broker has 0 left and may send no interval at all (Mosquitto does).
  if (received === undefined || received < 0) return waitedMs + marginMs >= (intervalSec - 1) * 1000 ? 'notJudged' : 'missing';
  const hi = intervalSec - Math.floor(Math.max(0, waitedMs - marginMs) / 1000);
  const lo = intervalSec - Math.ceil(waitedMs / 1000) - 1;
  if (received > hi) return received >= intervalSec ? 'notReduced' : 'wrong';
  if (received < lo) return 'wrong';
  return hi >= intervalSec ? 'notJudged' : 'reduced';
}

/** "30 s sent, 30 s forwarded after 3.2 s" */
export function intervalExample(intervalSec: number, received: number | undefined, waitedMs: number): string {
  const got = received === undefined || received < 0 ? 'none forwarded' : `${received} s forwarded`;
  return `${intervalSec} s sent, ${got} after ${(waitedMs / 1000).toFixed(1)} s in the broker`;
}
