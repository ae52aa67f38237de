import type { Histogram } from 'hdr-histogram-js';
import type { RunRecord } from '../engine/run-record.js';
import type { ClientLog, ReceivedRun, SentRun } from '../metrics/ledger.js';
import type { GroupPlan } from '../scenario/plan.js';
import { lossPolicy } from './attribution.js';
import { classifyMessages } from './expected.js';
import { faultWindows } from './faults.js';
import { addTally, emptyTally, tallySubscriber, type Tally } from './redelivery.js';
import { publishOutcomes, type PublishOutcomes } from './publish-outcome.js';
import { modelSession } from './session-model.js';
import { grantedGroup } from './granted.js';

/** One subscriber group's settings and what happened to the messages sent to it. */
export interface GroupOutcome {
  group: GroupPlan;
  tally: Tally;
}

/** "devices/12" -> "devices" */
export function groupOf(ref: string): string {
  return ref.slice(0, ref.lastIndexOf('/'));
}

/**
 * Judges every subscriber of the run but shared groups' members, one at a time (memory stays
 * per subscriber), summed per group. `ages` (optional) gets the age at arrival of every
 * message sent while its subscriber was away.
 */
export function judgeSubscribers(record: RunRecord, marginMs: number, published: PublishOutcomes = publishOutcomes(record), ages?: Histogram): GroupOutcome[] {
  const outcomes = new Map<string, GroupOutcome>();
  for (const group of record.run.groups) {
    // A shared group's members are judged together, by shared-group.ts.
    if (group.role === 'subscriber' && group.share === undefined) outcomes.set(group.name, { group, tally: emptyTally() });
  }
  const faults = faultWindows(record.timeline);
  const policy = lossPolicy(record.broker, record.timeline);
  const sent = byRef(record.ledgers.flatMap((l) => l.sent), (s) => s.target);
  const received = byRef(record.ledgers.flatMap((l) => l.received), (r) => r.subscriber);
  const leftover: Record<string, number> = Object.assign({}, ...record.ledgers.map((l) => l.leftover ?? {}));
  const logs: ClientLog[] = record.ledgers.flatMap((l) => l.clients);
  // The settings every client of a group was granted alike, for the group's explanation.
  const granted = new Map<string, GroupPlan | undefined>();
  for (const log of logs) {
    const outcome = outcomes.get(groupOf(log.ref));
    if (!outcome) continue;
    // Judged by what the broker granted this client, not by what the scenario asked.
    const group = grantedGroup(outcome.group, log, record.run.protocol);
    const seen = granted.get(group.name);
    if (!granted.has(group.name)) granted.set(group.name, group);
    else if (seen && !sameGrant(seen, group)) granted.set(group.name, undefined);
    const model = modelSession(log.attempts, group, faults.get(group.name) ?? [], { marginMs });
    const classified = classifyMessages(model, sent.get(log.ref) ?? [], group.qos, published, marginMs);
    const tally = tallySubscriber(model, classified, received.get(log.ref) ?? [], policy, { marginMs, ref: log.ref, ...(ages ? { ages } : {}) });
    tally.leftover = leftover[log.ref] ?? 0;
    tally.inflightMax = log.inflightMax ?? 0;
    tally.inflightOverCap = log.inflightOverCap ?? 0;
    tally.inflightViolators = tally.inflightOverCap > 0 ? 1 : 0;
    addTally(outcome.tally, tally);
  }
  // A group whose clients were all granted the same is explained by what was granted
  // ("Session Expiry Interval 60 s: ..."), not by what the scenario asked.
  for (const outcome of outcomes.values()) {
    const group = granted.get(outcome.group.name);
    if (group) outcome.group = group;
  }
  return [...outcomes.values()];
}

function sameGrant(a: GroupPlan, b: GroupPlan): boolean {
  return a.qos === b.qos && a.sessionExpiry === b.sessionExpiry && a.keepAliveSec === b.keepAliveSec;
}

function byRef<T extends SentRun | ReceivedRun>(items: readonly T[], ref: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(ref(item)) ?? [];
    list.push(item);
    map.set(ref(item), list);
  }
  return map;
}
