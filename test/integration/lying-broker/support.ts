/**
 * Shared by the lying-broker tests: a real Mosquitto with the lying MITM in front of it, a
 * small scenario aimed at the MITM (the harness puts its fault proxy in front of that), the
 * run through the engine as `mqtt-chaos run` does it, and two views of what the harness
 * judged: the run's totals, and the same judgement per subscriber, so a test can say not
 * only how many messages were lost but which, and whose.
 */
import assert from 'node:assert/strict';
import { lossPolicy } from '../../../src/checks/attribution.js';
import { classifyMessages } from '../../../src/checks/expected.js';
import { faultWindows } from '../../../src/checks/faults.js';
import { BOUNDARY_MARGIN_MS } from '../../../src/checks/judge.js';
import { tallySubscriber, type Tally } from '../../../src/checks/redelivery.js';
import { modelSession } from '../../../src/checks/session-model.js';
import { groupOf } from '../../../src/checks/subscribers.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import type { RedeliveryResult, RunResult } from '../../../src/result/result.js';
import { startMosquitto } from '../../helpers/brokers.js';
import type { Lie } from '../../helpers/mitm/server.js';
import { Mitm } from '../../helpers/mitm/server.js';
import type { Teardown } from '../../helpers/teardown.js';
import { describeRun, planFrom, runPlan, tempDir, type Ran } from '../run/support.js';
import { requireMosquitto } from '../../helpers/requires.js';

export const mosquittoBinary = requireMosquitto();
export const needsMosquitto = mosquittoBinary ? false : 'mosquitto is not installed (apt-get install mosquitto)';

/** Small on purpose: a busy 2-core CI machine keeps up, and every number is exact. */
export const SUBSCRIBERS = 10;
export const PUBLISHERS = 2;

export interface Shape {
  name: string;
  protocols: readonly ('3.1.1' | '5')[];
  /** e.g. "{ clean: false, expiry: 3600 }" */
  session: string;
  qos: 1 | 2;
  /** Messages per subscriber sent while connected, before the cut (0: none). */
  online: number;
  /** Messages per subscriber sent during the cut. */
  offline: number;
  expect?: readonly string[];
}

/**
 * connect, subscribe, [publish online], cut, publish while away, heal, drain. Pauses keep
 * every message well away (500 ms) from the boundaries the checks leave unjudged (250 ms).
 * Subscriber i has client id "dev-<run>-<i>" and is served by publisher i % 2, whose
 * sequence numbers for it run 0..online-1 online, then online..online+offline-1.
 */
export function scenario(s: Shape, brokerUrl: string): string {
  const online = s.online > 0 ? [`  - publish: { from: backend, to: devices, perTarget: ${s.online}, qos: ${s.qos} }`, '  - wait: 500ms'] : [];
  return [
    `name: lie-${s.name}`,
    `broker: { url: "${brokerUrl}" }`,
    'faults: embedded',
    `protocols: [${s.protocols.map((p) => `"${p}"`).join(', ')}]`,
    'groups:',
    '  devices:',
    `    count: ${SUBSCRIBERS}`,
    '    role: subscriber',
    '    clientId: "dev-{run}-{i}"',
    `    session: ${s.session}`,
    `    qos: ${s.qos}`,
    '    topic: "lie/{run}/{i}"',
    '    reconnect: { delay: 200ms, jitter: 100ms }',
    '  backend:',
    `    count: ${PUBLISHERS}`,
    '    role: publisher',
    '    via: direct',
    'phases:',
    '  - connect: {}',
    '  - subscribe: {}',
    '  - wait: 500ms',
    ...online,
    '  - fault: { kind: cut, groups: [devices] }',
    '  - wait: 500ms',
    `  - publish: { from: backend, to: devices, perTarget: ${s.offline}, qos: ${s.qos} }`,
    '  - heal: {}',
    '  - drain: { timeout: 15s }',
    ...(s.expect && s.expect.length > 0 ? ['expect:', ...s.expect.map((e) => `  - ${e}`)] : []),
    '',
  ].join('\n');
}

export interface LyingRun extends Ran {
  mitm: Mitm;
}

/** Mosquitto, the MITM with `lies` in front of it, and the scenario run against the MITM. */
export async function runThroughMitm(td: Teardown, shape: Shape, lies: readonly Lie[]): Promise<LyingRun> {
  assert.ok(mosquittoBinary, 'mosquitto is installed');
  const broker = await startMosquitto(td, mosquittoBinary);
  const mitm = await Mitm.start(td, { host: '127.0.0.1', port: broker.port }, lies);
  const dir = await tempDir(td, `lie-${shape.name}`);
  const ran = await runPlan(td, await planFrom(dir, scenario(shape, mitm.url)), dir);
  return { ...ran, mitm };
}

/** The redelivery counts of a run where nothing went wrong: the baseline each lie changes. */
export function honestCounts(shape: Shape): Counts {
  const total = SUBSCRIBERS * (shape.online + shape.offline);
  const offline = SUBSCRIBERS * shape.offline;
  return {
    expected: total,
    delivered: total,
    lost: 0,
    lostBy: { 'queue-limit': 0, 'size-limit': 0, 'session-ended-early': 0, 'session-expired': 0, 'broker-restart': 0, 'never-released': 0, unknown: 0 },
    duplicates: 0,
    qos2Duplicates: 0,
    outOfOrder: 0,
    unexpected: 0,
    indeterminate: 0,
    noSession: 0,
    expiredWithSession: 0,
    discarded: 0,
    notReturned: 0,
    refused: 0,
    unacknowledged: 0,
    qos0Kept: 0,
    leftover: 0,
    offline,
    offlineDelivered: offline,
  };
}

/** Every count of RedeliveryResult (latencies and times left out). */
export type Counts = Omit<RedeliveryResult, 'latency' | 'drainTime'>;

export function countsOf(run: RunResult): Counts {
  const { latency: _latency, drainTime: _drainTime, ...counts } = run.redelivery;
  return counts;
}

/**
 * The run's whole ledger is `want`, and nothing else: every count, the checks that failed
 * (by name), the verdict; everyone came back, nothing malformed, run complete. (Refused
 * attempts during the cut are normal: reconnect.connectFailures is not asserted.)
 */
export function assertExactly(ran: Ran, run: RunResult, want: Counts, failedChecks: readonly string[]): void {
  const why = describeRun(run, ran.log);
  assert.equal(run.incomplete, undefined, why);
  assert.deepEqual(run.shortfalls, [], `shortfalls\n${why}`);
  assert.deepEqual(countsOf(run), want, `the ledger, count by count\n${why}`);
  assert.equal(run.malformed, 0, why);
  assert.equal(run.reconnect.notReconnected, 0, why);
  assert.deepEqual(
    run.checks.filter((c) => !c.passed).map((c) => c.name),
    failedChecks,
    `failed checks\n${why}`,
  );
  assert.equal(run.verdict, failedChecks.length > 0 ? 'fail' : 'pass', why);
}

/** What the harness judged for one subscriber, with the messages named. */
export interface SubscriberView {
  ref: string;
  clientId: string;
  tally: Tally;
  /** Sequence numbers of expected messages that never came, ascending. */
  lost: number[];
  /** Sequence numbers that arrived though no session should have held them, ascending. */
  unexpected: number[];
  /** Sequence numbers in first-arrival order. */
  arrivals: number[];
  /** Sessions the broker answered Session Present 0 though the spec keeps them. */
  presentMissing: number;
}

/**
 * The run's judgement per subscriber, keyed by client id: the checks' own functions
 * (session model, classification, tally) applied one subscriber at a time, as
 * judgeSubscribers does before it sums them per group.
 */
export function subscriberViews(record: RunRecord): Map<string, SubscriberView> {
  const views = new Map<string, SubscriberView>();
  const group = record.run.groups.find((g) => g.name === 'devices');
  assert.ok(group, 'the scenario has a devices group');
  const faults = faultWindows(record.timeline).get('devices') ?? [];
  const policy = lossPolicy(record.broker);
  const sent = record.ledgers.flatMap((l) => l.sent);
  const received = record.ledgers.flatMap((l) => l.received);
  for (const log of record.ledgers.flatMap((l) => l.clients)) {
    if (groupOf(log.ref) !== 'devices') continue;
    const model = modelSession(log.attempts, group, faults, { marginMs: BOUNDARY_MARGIN_MS });
    const mine = sent.filter((s) => s.target === log.ref);
    const got = received.filter((r) => r.subscriber === log.ref);
    const publishers = new Set([...mine.map((s) => s.publisher), ...got.map((r) => r.publisher)]);
    assert.ok(publishers.size <= 1, `${log.ref} hears one publisher (${[...publishers].join(', ')})`);
    const classified = classifyMessages(model, mine, group.qos);
    const tally = tallySubscriber(model, classified, got, policy);
    const arrived = new Set(got.flatMap((r) => r.seqs));
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const ownedFates = new Set(['expected', 'indeterminate', 'qos0']);
    views.set(log.clientId, {
      ref: log.ref,
      clientId: log.clientId,
      tally,
      lost: sorted(classified.messages.filter((m) => m.fate === 'expected' && !arrived.has(m.seq)).map((m) => m.seq)),
      unexpected: sorted(classified.messages.filter((m) => !ownedFates.has(m.fate) && arrived.has(m.seq)).map((m) => m.seq)),
      arrivals: got.flatMap((r) => r.seqs),
      presentMissing: tally.presentMissing,
    });
  }
  assert.equal(views.size, SUBSCRIBERS, 'a view of every subscriber');
  return views;
}

/** The record of the run with this id. */
export function recordOf(ran: Ran, id: string): RunRecord {
  const record = ran.outcome.records.find((r) => r.run.id === id);
  assert.ok(record, `a record of run ${id}`);
  return record;
}

/** Client ids whose tally has `pick` > 0, with the values: where a count came from. */
export function whereNonZero(views: Map<string, SubscriberView>, pick: (v: SubscriberView) => number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, v] of views) if (pick(v) > 0) out[id] = pick(v);
  return out;
}
