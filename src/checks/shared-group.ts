import type { RunRecord } from '../engine/run-record.js';
import type { ClientLog, ReceivedRun, SentRun } from '../metrics/ledger.js';
import type { GroupPlan, Qos } from '../scenario/plan.js';
import { sharedFilter, sharesOf } from '../scenario/shares.js';
import { faultWindows } from './faults.js';
import { grantedGroup } from './granted.js';
import type { PublishOutcomes } from './publish-outcome.js';
import { fateAt, modelSession, type Fate, type SessionModel } from './session-model.js';
import { groupOf } from './subscribers.js';
import type { SharedGroupResult } from '../result/shared.js';

/**
 * A shared subscription judged as one (MQTT 5 §4.8.2): each message is owed once to the
 * group, whichever member the broker chose. Owed when at least one member's session held
 * the subscription when it was sent (by the same session model as a plain subscriber).
 * What the harness can see of a member that was cut: a message whose copy came to it on a
 * later connection than the one it was sent during was held in its session while it was
 * away ("stranded") — in flight to it at the cut when sent before, or chosen for it while
 * it was away when sent after; a message whose copies came to two members was re-sent.
 */
export function judgeSharedGroups(record: RunRecord, marginMs: number, published: PublishOutcomes): SharedGroupResult[] {
  const shares = sharesOf(record.run.groups);
  if (shares.size === 0) return [];
  const faults = faultWindows(record.timeline);
  const logs = record.ledgers.flatMap((l) => l.clients);
  const sent = record.ledgers.flatMap((l) => l.sent);
  const received = record.ledgers.flatMap((l) => l.received);
  return [...shares].map(([share, groups]) => {
    const names = new Set(groups.map((g) => g.name));
    const members = logs
      .filter((log) => names.has(groupOf(log.ref)))
      .map((log) => member(log, groups.find((g) => g.name === groupOf(log.ref))!, record, faults.get(groupOf(log.ref)) ?? [], marginMs));
    return judgeShare({
      share,
      filter: sharedFilter(share, groups[0]!.topic ?? ''),
      groups: groups.map((g) => g.name),
      members,
      sent: sent.filter((run) => names.has(groupOf(run.target))),
      received: received.filter((run) => names.has(groupOf(run.subscriber))),
      published,
    });
  });
}

interface Member {
  ref: string;
  qos: Qos;
  model: SessionModel;
  /** CONNACK times of its connections, ascending. */
  connacks: number[];
  /** Its last connection was lost (not closed by the harness) and it never came back. */
  lostAtEnd: boolean;
  /** Sending times whose messages its session may have held when that session ended while it was away (by the spec). */
  endedHolding: { lo: number; hi: number }[];
}

function member(log: ClientLog, group: GroupPlan, record: RunRecord, faults: Parameters<typeof modelSession>[2], marginMs: number): Member {
  const granted = grantedGroup(group, log, record.run.protocol);
  const connacks = log.attempts.flatMap((a) => (a.connackAt === undefined ? [] : [a.connackAt])).sort((a, b) => a - b);
  const last = log.attempts.filter((a) => a.connackAt !== undefined).sort((a, b) => a.connackAt! - b.connackAt!).at(-1);
  const lostAtEnd = last?.closedBy === 'lost';
  const model = modelSession(log.attempts, granted, faults, { marginMs });
  // From the connection before the gap (in flight to it) to the session's latest end (chosen for it while away).
  const endedHolding = model.gaps
    .filter((g) => g.subscribed && g.specPresent === false)
    .map((g) => ({ lo: connacks.filter((at) => at < g.from).at(-1) ?? g.from, hi: g.ends.hi }));
  return { ref: log.ref, qos: granted.qos, model, connacks, lostAtEnd, endedHolding };
}

interface ShareInput {
  share: string;
  filter: string;
  groups: string[];
  members: Member[];
  sent: SentRun[];
  received: ReceivedRun[];
  published: PublishOutcomes;
}

/** A message at one member: when its first copy came there, and how many more came. */
interface Copy {
  member: Member;
  at: number;
  extra: number;
}

/** Most-owed first: one member whose session held the subscription is enough. */
const FATE_ORDER: Fate[] = ['expected', 'indeterminate', 'notReturned', 'expiredWithSession', 'discarded', 'noSession'];
/** Per-member split listed in full up to this many members; beyond, by group only. */
const SPLIT_MEMBERS = 50;

function judgeShare(input: ShareInput): SharedGroupResult {
  const r = emptyShared(input);
  const copies = copiesByMessage(input.received, new Map(input.members.map((m) => [m.ref, m])));
  const qos = Math.max(0, ...input.members.map((m) => m.qos)) as Qos;
  // A member a fault cut off that never came back may still hold messages in its session.
  const absentAtEnd = input.members.some((m) => m.lostAtEnd);
  const split = new Map<string, number>(input.members.map((m) => [m.ref, 0]));
  for (const run of input.sent) {
    run.sentAt.forEach((sentAt, i) => {
      const seq = run.firstSeq + i;
      const outcome = input.published.of(run, i);
      const found = copies.get(`${run.publisher}\u0000${seq}`) ?? [];
      r.sent++;
      if (outcome !== 'acked') {
        r[outcome]++;
        return;
      }
      const first = found.reduce<Copy | undefined>((a, c) => (a === undefined || c.at < a.at ? c : a), undefined);
      if (first) split.set(first.member.ref, (split.get(first.member.ref) ?? 0) + 1);
      countCopies(r, found, Math.min(run.qos, qos) as Qos);
      // QoS 0 is never owed: the broker may drop it at any time.
      if (Math.min(run.qos, qos) === 0) return;
      const fate = groupFate(input.members, sentAt);
      if (fate === 'expected' || (fate === 'indeterminate' && first)) {
        if (!first) {
          if (absentAtEnd) {
            r.notReturned++;
            return;
          }
          r.expected++;
          if (input.members.some((m) => m.endedHolding.some((w) => w.lo <= sentAt && sentAt <= w.hi))) r.endedWithMember++;
          else r.lost++;
          return;
        }
        r.expected++;
        r.delivered++;
        strandedOrLive(r, first, sentAt);
        return;
      }
      if (fate === 'indeterminate') r.indeterminate++;
      else if (fate === 'notReturned') r.notReturned++;
      else if (first) r.unexpected++;
    });
  }
  r.split = splitOf(split, input.members.length);
  return r;
}

/** The group's fate for a message sent at `t`: the most owed of its members' fates. */
function groupFate(members: readonly Member[], t: number): Fate {
  const fates = new Set(members.map((m) => fateAt(m.model, t)));
  return FATE_ORDER.find((f) => fates.has(f)) ?? 'noSession';
}

/** Live, or held in the session of a member that was away between its sending and its arrival. */
function strandedOrLive(r: SharedGroupResult, first: Copy, sentAt: number): void {
  const returned = first.member.connacks.filter((at) => at > sentAt && at <= first.at).at(-1);
  if (returned === undefined) {
    r.live++;
    return;
  }
  const gap = first.member.model.gaps.find((g) => g.to === returned);
  const s = r.stranded;
  s.deliveredOnReturn++;
  if (gap && sentAt < gap.from) s.inFlightAtCut++;
  else s.chosenWhileAway++;
  s.heldMaxMs = Math.max(s.heldMaxMs ?? 0, Math.round(first.at - sentAt));
  s.afterReturnMaxMs = Math.max(s.afterReturnMaxMs ?? 0, Math.round(first.at - returned));
}

/** Extra copies at one member (QoS 1: allowed), and messages that came to more than one member. */
function countCopies(r: SharedGroupResult, found: readonly Copy[], qos: Qos): void {
  const extra = found.reduce((n, c) => n + c.extra, 0);
  r.duplicates += extra;
  if (found.length > 1) {
    r.crossMember.messages++;
    r.crossMember.copies += found.length - 1;
  }
  if (qos === 2) r.qos2Duplicates += extra + Math.max(0, found.length - 1);
}

/** "publisher\0seq" -> the members it came to, each with its first arrival and extra copies. */
function copiesByMessage(received: readonly ReceivedRun[], members: ReadonlyMap<string, Member>): Map<string, Copy[]> {
  const copies = new Map<string, Copy[]>();
  for (const run of received) {
    const m = members.get(run.subscriber);
    if (!m) continue;
    run.seqs.forEach((seq, i) => {
      const key = `${run.publisher}\u0000${seq}`;
      const list = copies.get(key) ?? [];
      list.push({ member: m, at: run.firstAt[i]!, extra: run.duplicates[seq] ?? 0 });
      copies.set(key, list);
    });
  }
  return copies;
}

function splitOf(split: ReadonlyMap<string, number>, members: number): SharedGroupResult['split'] {
  const counts = [...split.values()];
  const byGroup: Record<string, number> = {};
  for (const [ref, n] of split) byGroup[groupOf(ref)] = (byGroup[groupOf(ref)] ?? 0) + n;
  return {
    min: counts.length > 0 ? Math.min(...counts) : 0,
    max: counts.length > 0 ? Math.max(...counts) : 0,
    byGroup,
    ...(members <= SPLIT_MEMBERS ? { byMember: Object.fromEntries(split) } : {}),
  };
}

function emptyShared(input: ShareInput): SharedGroupResult {
  return {
    share: input.share,
    filter: input.filter,
    groups: input.groups,
    members: input.members.length,
    sent: 0,
    expected: 0,
    delivered: 0,
    lost: 0,
    endedWithMember: 0,
    live: 0,
    stranded: { deliveredOnReturn: 0, inFlightAtCut: 0, chosenWhileAway: 0, heldMaxMs: null, afterReturnMaxMs: null },
    crossMember: { messages: 0, copies: 0 },
    duplicates: 0,
    qos2Duplicates: 0,
    indeterminate: 0,
    notReturned: 0,
    unexpected: 0,
    refused: 0,
    unacknowledged: 0,
    split: { min: 0, max: 0, byGroup: {} },
  };
}
