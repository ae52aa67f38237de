/**
 * At a run's end: every session the run left on the broker is cleared by reconnecting its
 * client id once with Clean Start=1 (CleanSession=1) and disconnecting, which makes the
 * broker discard it (MQTT 5 §3.1.2.4, 3.1.1 §3.1.2.4). Straight to the broker: the fault
 * proxy may still be cut. Bounded: a few connections at a time, and a time limit after
 * which the rest are counted as not cleared.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { discardSession, type Connection } from './expiry-client.js';
import type { ClearReport, ClearRequest } from './protocol.js';

const OUT_OF_TIME = 'out of time';

export async function clearSessions(connections: readonly Connection[], { limitMs, concurrency }: ClearRequest): Promise<ClearReport> {
  const failures = new Map<string, number>();
  let cleared = 0;
  let next = 0;
  let late = false;
  const lane = async (): Promise<void> => {
    while (!late && next < connections.length) {
      const why = await discardSession(connections[next++]!);
      if (late) return;
      if (why === undefined) cleared++;
      else failures.set(why, (failures.get(why) ?? 0) + 1);
    }
  };
  const timer = new AbortController();
  const lanes = Promise.all(Array.from({ length: Math.min(concurrency, connections.length) }, lane));
  await Promise.race([lanes, sleep(limitMs, undefined, { signal: timer.signal }).then(() => (late = true), () => undefined)]);
  timer.abort();
  const notCleared = connections.length - cleared;
  const unanswered = notCleared - [...failures.values()].reduce((n, k) => n + k, 0);
  if (unanswered > 0) failures.set(OUT_OF_TIME, unanswered);
  const [why, times] = [...failures].sort((a, b) => b[1] - a[1])[0] ?? [];
  return { cleared, notCleared, ...(why !== undefined ? { why: `${times} × ${why}` } : {}) };
}
