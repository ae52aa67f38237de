import type { ProtocolVersion } from '../brokers/types.js';
import type { RunRecord } from '../engine/run-record.js';
import type { ClientLog, ConnectAttempt } from '../metrics/ledger.js';
import { codeName, hex } from '../protocol/reason-codes.js';
import type { GroupPlan } from '../scenario/plan.js';
import type { Check } from '../result/result.js';
import type { Shortfall } from '../result/refusals.js';
import { phaseWindows } from './phase-windows.js';
import { groupOf } from './subscribers.js';
import { count, duration, plural } from './words.js';

/**
 * Session takeovers (a `takeover` fault, done at its heal): a second connection with the
 * client's id while the first is still open for the broker. What the spec asks of the
 * broker, from the ledger's pairs of overlapping connections:
 *
 * - close the first connection: MQTT 3.1.1 MQTT-3.1.4-2; MQTT 5 MQTT-3.1.4-3, which also
 *   names the DISCONNECT it sends first, reason 0x8E Session taken over;
 * - Session Present 1 for a session that outlives its connection (3.1.1 CleanSession=0:
 *   MQTT-3.2.2-2; 5 Clean Start=0 with an expiry: MQTT-3.2.2-3), 0 after a clean start.
 *
 * Whether the messages owed arrived is the redelivery checks' (the session model carries
 * the session across the takeover).
 */
export const TAKEOVER_CODE = 0x8e;

export interface TakeoverTally {
  group: GroupPlan;
  /** Second connections that got a CONNACK. */
  takeovers: number;
  /** First connections the broker closed within closeWithin of the second CONNACK. */
  closed: number;
  /** ms from the second CONNACK to the first's close, slowest (negative: closed before the CONNACK arrived). */
  slowestCloseMs: number | null;
  /** Still open after closeWithin, or closed only by the client's own keep-alive or the heal. */
  notClosed: number;
  /** v5: DISCONNECT codes the broker sent on first connections, and closes with no DISCONNECT. */
  codes: Map<number, number>;
  noDisconnect: number;
  presentMissing: number;
  presentUnexpected: number;
  examples: string[];
  closeWithinMs: number;
}

/** One tally per group that was taken over; empty when the run has no takeover. */
export function tallyTakeovers(record: RunRecord): TakeoverTally[] {
  const heals = phaseWindows(record).flatMap((w) => (w.phase.kind === 'heal' && w.phase.takeover ? [{ window: w, takeover: w.phase.takeover }] : []));
  const tallies = new Map<string, TakeoverTally>();
  const logs = record.ledgers.flatMap((l) => l.clients);
  for (const { window, takeover } of heals) {
    for (const name of takeover.groups) {
      const group = record.run.groups.find((g) => g.name === name);
      if (!group) continue;
      const tally = tallies.get(name) ?? emptyTally(group, takeover.closeWithinMs);
      tallies.set(name, tally);
      for (const log of logs.filter((l) => groupOf(l.ref) === name)) {
        for (const [first, second] of pairsIn(log, window.start, window.end ?? Infinity)) addPair(tally, log, first, second);
      }
    }
  }
  return [...tallies.values()];
}

function emptyTally(group: GroupPlan, closeWithinMs: number): TakeoverTally {
  return { group, takeovers: 0, closed: 0, slowestCloseMs: null, notClosed: 0, codes: new Map(), noDisconnect: 0, presentMissing: 0, presentUnexpected: 0, examples: [], closeWithinMs };
}

/** (first, second) connections of takeovers begun in [from, to] whose second got a CONNACK. */
export function pairsIn(log: ClientLog, from: number, to: number): [ConnectAttempt, ConnectAttempt][] {
  const pairs: [ConnectAttempt, ConnectAttempt][] = [];
  log.attempts.forEach((a, i) => {
    const first = log.attempts[i - 1];
    if (a.takeover && first && a.connackAt !== undefined && a.startedAt >= from && a.startedAt <= to) pairs.push([first, a]);
  });
  return pairs;
}

function addPair(t: TakeoverTally, log: ClientLog, first: ConnectAttempt, second: ConnectAttempt): void {
  t.takeovers++;
  const connackAt = second.connackAt!;
  const byBroker =
    first.closedAt !== undefined && first.closedBy === 'lost' && !first.error?.includes('Keepalive timeout') && first.closedAt <= connackAt + t.closeWithinMs;
  if (byBroker) {
    t.closed++;
    t.slowestCloseMs = Math.max(t.slowestCloseMs ?? -Infinity, first.closedAt! - connackAt);
    if (first.disconnectCode !== undefined) t.codes.set(first.disconnectCode, (t.codes.get(first.disconnectCode) ?? 0) + 1);
    else t.noDisconnect++;
  } else {
    t.notClosed++;
    const why = first.closedAt === undefined ? 'still open at the end of the run' : `closed ${duration(first.closedAt - connackAt)} after the second CONNACK${first.closedBy !== 'lost' ? ` by the client (${first.closedBy})` : ''}`;
    if (t.examples.length < 3) t.examples.push(`${log.clientId}: ${why}`);
  }
  if (persists(t.group) && !second.sessionPresent) t.presentMissing++;
  if (t.group.clean && second.sessionPresent) t.presentUnexpected++;
}

/** A session that outlives its connection: the takeover must carry it over. */
function persists(group: GroupPlan): boolean {
  return !group.clean && group.sessionExpiry > 0;
}

/** The built-in checks of a run with takeovers (none without). */
export function takeoverChecks(protocol: ProtocolVersion, tallies: readonly TakeoverTally[]): Check[] {
  if (tallies.length === 0) return [];
  const v5 = protocol === '5';
  const closeRule = v5 ? 'MQTT-3.1.4-3' : 'MQTT-3.1.4-2';
  const sum = (pick: (t: TakeoverTally) => number) => tallies.reduce((n, t) => n + pick(t), 0);
  const notClosed = sum((t) => t.notClosed);
  const checks: Check[] = [
    {
      name: 'connection taken over closed by the broker',
      source: 'builtin',
      passed: notClosed === 0,
      actual: notClosed,
      threshold: '== 0',
      explanation: tallies.map((t) => closeLine(t, closeRule, v5)).join('; '),
    },
  ];
  if (v5) {
    const wrong = sum((t) => [...t.codes].filter(([code]) => code !== TAKEOVER_CODE).reduce((n, [, c]) => n + c, 0));
    checks.push({
      name: 'takeover DISCONNECT reason 0x8E',
      source: 'builtin',
      passed: wrong === 0,
      actual: wrong,
      threshold: '== 0',
      explanation: tallies.map(reasonLine).join('; '),
    });
  }
  const present = tallies.filter((t) => !t.group.clean && t.group.sessionExpiry === 0);
  const presentWrong = sum((t) => t.presentMissing + t.presentUnexpected);
  checks.push({
    name: 'Session Present at takeover',
    source: 'builtin',
    passed: presentWrong === 0,
    actual: presentWrong,
    threshold: '== 0',
    explanation: [...tallies.filter((t) => !present.includes(t)).map((t) => presentLine(t, v5)), ...present.map(notJudgedLine)].join('; '),
  });
  return checks;
}

function closeLine(t: TakeoverTally, rule: string, v5: boolean): string {
  if (t.takeovers === 0) return `${t.group.name}: no takeover completed (see shortfalls)`;
  if (t.notClosed > 0) {
    return `${count(t.notClosed)} of ${count(t.takeovers)} connections taken over on ${t.group.name} were not closed by the broker within ${duration(t.closeWithinMs)} of the second CONNACK (e.g. ${t.examples.join('; ')}): the server MUST close the existing client's connection (${rule})`;
  }
  const disconnects = v5 ? (t.noDisconnect === t.takeovers ? ', with no DISCONNECT first' : '') : '';
  return `the broker closed all ${count(t.takeovers)} connections taken over on ${t.group.name}${disconnects}, the slowest ${duration(t.slowestCloseMs ?? 0)} after the second CONNACK (${rule})`;
}

function reasonLine(t: TakeoverTally): string {
  const parts = [...t.codes].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${count(n)} × ${codeName(code, '5', 'DISCONNECT')}`);
  const wrong = [...t.codes].filter(([code]) => code !== TAKEOVER_CODE);
  if (wrong.length > 0) {
    return `${t.group.name}: the broker sent DISCONNECT ${wrong.map(([code]) => hex(code)).join(', ')} on connections it took over (${parts.join(', ')}): MQTT-3.1.4-3 names 0x8E Session taken over, so the client wrongly learns a different cause`;
  }
  const silent = t.noDisconnect > 0 ? `${count(t.noDisconnect)} closed with no DISCONNECT (MQTT-3.1.4-3 says the server sends DISCONNECT 0x8E before it closes; only the close is a MUST, so this is reported, not failed: the client cannot tell a takeover from a network failure)` : '';
  return `${t.group.name}: ${[parts.length > 0 ? parts.join(', ') : '', silent].filter((s) => s !== '').join('; ') || 'no connection closed'}`;
}

function presentLine(t: TakeoverTally, v5: boolean): string {
  if (t.group.clean) {
    const rule = v5 ? 'MQTT-3.2.2-2' : 'MQTT-3.2.2-1';
    return t.presentUnexpected > 0
      ? `${t.group.name}: Session Present 1 on ${plural(t.presentUnexpected, 'takeover')} with a clean start: the server MUST answer 0 (${rule})`
      : `${t.group.name}: Session Present 0 on all ${count(t.takeovers)} takeovers with a clean start (${rule})`;
  }
  const rule = v5 ? 'MQTT-3.2.2-3' : 'MQTT-3.2.2-2';
  return t.presentMissing > 0
    ? `${t.group.name}: Session Present 0 on ${count(t.presentMissing)} of ${count(t.takeovers)} takeovers of sessions that outlive their connection: the broker held the session, so it MUST answer 1 and carry it over (${rule})`
    : `${t.group.name}: Session Present 1 on all ${count(t.takeovers)} takeovers: the session was carried over (${rule})`;
}

function notJudgedLine(t: TakeoverTally): string {
  return `${t.group.name}: not judged: MQTT 5 Session Expiry Interval 0 ends the session when its connection closes, and the takeover closes it, so whether the new connection resumes it is the broker's call`;
}

/** Takeovers the run did not make: clients not connected when it began, second connections that failed. */
export function takeoverShortfalls(record: RunRecord): Shortfall[] {
  const logs = record.ledgers.flatMap((l) => l.clients);
  const found: Shortfall[] = [];
  for (const w of phaseWindows(record)) {
    if (w.phase.kind !== 'heal' || !w.phase.takeover) continue;
    const groups = w.phase.takeover.groups;
    const clients = logs.filter((l) => groups.includes(groupOf(l.ref)));
    const end = w.end ?? Infinity;
    const done = clients.filter((l) => pairsIn(l, w.start, end).length > 0).length;
    if (done === clients.length) continue;
    const failed = clients.filter((l) => l.attempts.some((a) => a.takeover && a.startedAt >= w.start && a.startedAt <= end && a.connackAt === undefined));
    const parts = [`took over ${count(done)} of ${count(clients.length)} sessions`];
    if (failed.length > 0) parts.push(`${count(failed.length)} second connections failed (e.g. ${failed[0]!.attempts.find((a) => a.takeover && a.connackAt === undefined)?.error ?? 'closed before CONNACK'})`);
    const absent = clients.length - done - failed.length;
    if (absent > 0) parts.push(`${count(absent)} had no open connection to take over (it ended before the takeover: keep the fault shorter than keep-alive)`);
    found.push({ kind: 'takeover', phase: w.index, label: w.label, done, of: clients.length, text: `phase ${w.index + 1} (${w.label}): ${parts.join('; ')}` });
  }
  return found;
}

/** How to read a run with takeovers: what happened to the devices and what was owed. */
export function takeoverExplanations(protocol: ProtocolVersion, tallies: readonly TakeoverTally[]): string[] {
  return tallies
    .filter((t) => t.takeovers > 0)
    .map((t) => {
      const silent =
        protocol === '5' && t.noDisconnect > 0
          ? ` The broker closed ${count(t.noDisconnect)} of them with no DISCONNECT 0x8E Session taken over first (MQTT-3.1.4-3 describes one; only the close is a MUST), so those clients could not tell the takeover from a network failure.`
          : '';
      const owed = persists(t.group)
        ? 'the session outlives its connection, so what was sent meanwhile (in flight or queued on the old connection) was owed on the new one; QoS 1 messages in flight on the old connection may arrive twice, which QoS 1 allows'
        : 'the session does not outlive its connection, so what was sent meanwhile could arrive on the old connection or end with the session: not judged';
      return `${t.group.name}: ${plural(t.takeovers, 'session')} taken over: the old path went silent towards the broker, and each device connected again straight to the broker with the same client id while the old connection was still open for it; ${owed}.${silent}`;
    });
}
