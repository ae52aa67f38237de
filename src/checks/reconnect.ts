import type { TimelineEvent } from '../result/timeline.js';
import type { ClientLog, ConnectAttempt } from '../metrics/ledger.js';
import { newLatencyHistogram, recordMs } from '../metrics/histograms.js';
import { faultWindows } from './faults.js';
import { summarise, type Merged } from './latency.js';

/**
 * The engine stamps fault-start and fault-stop once the proxies have changed, so a close (or,
 * rarely, a reconnect) can be logged a moment before its event. A reconnect before the heal's
 * stamp counts as 0 ms. Only a client whose connection the fault ended counts: one that rode
 * it out (a slow link, a partition it never noticed) or was offline before did not reconnect.
 */
const EVENT_SLACK_MS = 250;

export interface Reconnects {
  /** Heal (fault-stop) to the first CONNACK after it, for each client the fault had cut off. */
  time: Merged;
  /** Cut-off clients with no CONNACK after the heal before the run ended. */
  notReconnected: number;
  /** Connection attempts that got no CONNACK (refused, timed out, a CONNACK error), all clients. */
  connectFailures: number;
}

/** `groupOf` maps a client ref to its group name. */
export function measureReconnects(
  timeline: readonly TimelineEvent[],
  logs: readonly ClientLog[],
  groupOf: (ref: string) => string,
): Reconnects {
  const histogram = newLatencyHistogram();
  let notReconnected = 0;
  let connectFailures = 0;
  // An attempt still under way when the run stopped (no error, never closed) is not a failure.
  const failed = (a: ConnectAttempt) => a.connackAt === undefined && (a.error !== undefined || a.closedAt !== undefined);
  for (const log of logs) connectFailures += log.attempts.filter(failed).length;
  const windows = faultWindows(timeline);
  for (const log of logs) {
    const connections = log.attempts.filter((a) => a.connackAt !== undefined).sort((a, b) => a.connackAt! - b.connackAt!);
    for (const fault of windows.get(groupOf(log.ref)) ?? []) {
      if (fault.stop === undefined) continue;
      const before = connections.filter((a) => a.connackAt! < fault.stop! - EVENT_SLACK_MS);
      const last = before.at(-1);
      const cutOff = last?.closedAt !== undefined && last.closedAt >= fault.start - EVENT_SLACK_MS && last.closedAt <= fault.stop;
      if (!cutOff) continue;
      const back = connections[before.length];
      if (back) recordMs(histogram, back.connackAt! - fault.stop);
      else notReconnected++;
    }
  }
  return { time: summarise(histogram), notReconnected, connectFailures };
}
