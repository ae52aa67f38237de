/**
 * When the will observer stamped a will late because it came in a burst. A broker that
 * expires sessions in a periodic sweep (Mosquitto: once a second) publishes the wills of
 * one sweep back to back; the observer receives them one after another and stamps each as
 * it reads it, so the last of a few hundred is stamped tens of ms after the broker sent it.
 * Meanwhile a probe on its own connection gets its CONNACK at once. So a will stamped after
 * a probe's "Session Present 0" may have been sent before that CONNACK: what bounds its
 * sending is the start of the burst it arrived in, not its own stamp.
 *
 * Seen on managed Mosquitto 2.0.11: in every such session the broker's log has "Expiring
 * client … due to timeout" before the probe's "New client connected … (p5, c0, k0)", while
 * the will was stamped 18–32 ms after the probe's CONNACK, among the sweep's other wills.
 */
import type { ExpirySessionLog } from '../workers/expiry-protocol.js';

export type BurstStarts = ReadonlyMap<ExpirySessionLog, number>;

/**
 * Wills of one burst: each within this of the one before. The observer's stream of one
 * sweep can pause: sampling a tenth of a sweep's wills showed gaps up to 31 ms. Still far
 * below the 1 s between Mosquitto's sweeps.
 */
export const BURST_GAP_MS = 50;
/** A burst longer than this is not taken as one broker moment: the will's own stamp stands. */
export const BURST_SPAN_MS = 500;

/**
 * For each session of one shard (one will observer) whose will came, the stamp of the first
 * will of its burst: wills chained by gaps of at most `gapMs`, not reaching back more than
 * BURST_SPAN_MS. Sessions of different shards must not be mixed: each observer reads its own
 * stream.
 */
export function burstStarts(sessions: readonly ExpirySessionLog[], gapMs = BURST_GAP_MS): Map<ExpirySessionLog, number> {
  return chainStarts(sessions, (l) => l.willAt, gapMs, BURST_SPAN_MS);
}

/**
 * The same for a partition's closes as the clients saw them (lostAt). Mosquitto closes the
 * connections of one keep-alive sweep in one pass, but the closes reach the clients through
 * the proxy and a busy worker one after another: seen on managed Mosquitto 2.0.11, 500
 * connections the log shows closed in one second ("exceeded timeout", all in the same
 * second; their wills in one burst) reached the clients over 690 ms, so the last were
 * stamped up to 690 ms after the broker closed them. The chain's first stamp bounds when
 * the broker closed the connection; a chain spans at most CLOSE_SPAN_MS, Mosquitto's
 * keep-alive resolution (whole seconds), so a later sweep's closes never borrow an earlier
 * start by more than that.
 */
export function closeBurstStarts(sessions: readonly ExpirySessionLog[], gapMs = BURST_GAP_MS): Map<ExpirySessionLog, number> {
  return chainStarts(sessions, (l) => l.lostAt, gapMs, CLOSE_SPAN_MS);
}

/** A chain of close stamps longer than this is not taken as one broker moment. */
export const CLOSE_SPAN_MS = 1000;

function chainStarts(
  sessions: readonly ExpirySessionLog[],
  stamp: (l: ExpirySessionLog) => number | undefined,
  gapMs: number,
  spanMs: number,
): Map<ExpirySessionLog, number> {
  const stamped = sessions.filter((l) => stamp(l) !== undefined).sort((a, b) => stamp(a)! - stamp(b)!);
  const starts = new Map<ExpirySessionLog, number>();
  let start = -Infinity;
  let previous = -Infinity;
  for (const l of stamped) {
    const at = stamp(l)!;
    if (at - previous > gapMs || at - start > spanMs) start = at;
    starts.set(l, start);
    previous = at;
  }
  return starts;
}
