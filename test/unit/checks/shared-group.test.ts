import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeRun } from '../../../src/checks/judge.js';
import type { ClientLog } from '../../../src/metrics/ledger.js';
import { renderSummary } from '../../../src/report/summary-md.js';
import type { Result } from '../../../src/result/result.js';
import { faultEvents, groupPlan, makeRecord, received, sent, T } from './records.js';

/**
 * A shared group of three by hand: workers/0 and workers/1 stay up, flaky/0 is cut at
 * 1000 ms and back at 5110 ms (Session Present 1). Ten messages from backend/0, owed once to
 * the group: seqs 0–5 before the cut (round robin; seq 5 was in flight to flaky and came on
 * its return), 6–9 while it was away (seq 7 came to two members, seq 8 was held for flaky,
 * seq 9 came to nobody).
 */
function record(): ReturnType<typeof makeRecord> {
  const up = (ref: string): ClientLog => ({
    ref,
    clientId: ref,
    attempts: [{ startedAt: 10, connackAt: T.connack, sessionPresent: false, subscribedAt: T.subscribed, closedAt: T.end, closedBy: 'graceful' }],
    granted: 1,
  });
  const flaky: ClientLog = {
    ref: 'flaky/0',
    clientId: 'flaky-0',
    attempts: [
      { startedAt: 10, connackAt: T.connack, sessionPresent: false, subscribedAt: T.subscribed, closedAt: T.cut, closedBy: 'lost' },
      { startedAt: 5100, connackAt: T.back, sessionPresent: true, closedAt: T.end, closedBy: 'graceful' },
    ],
    granted: 1,
  };
  return makeRecord({
    protocol: '5',
    groups: [
      groupPlan({ name: 'workers', role: 'subscriber', share: 'w', topic: 'jobs' }),
      groupPlan({ name: 'flaky', role: 'subscriber', count: 1, share: 'w', topic: 'jobs' }),
      groupPlan({ name: 'backend', role: 'publisher', count: 1 }),
    ],
    timeline: faultEvents({ kind: 'cut' }, T.cut, T.heal, ['flaky']),
    clients: [up('workers/0'), up('workers/1'), flaky, up('backend/0')],
    sent: [sent('backend/0', 'workers/*', [100, 200, 300, 400, 500, 600, 1500, 1600, 1700, 1800])],
    received: [
      received('workers/0', 'backend/0', [[0, 110], [3, 410], [6, 1510], [7, 1620]]),
      received('workers/1', 'backend/0', [[1, 210], [4, 510], [7, 1610]]),
      received('flaky/0', 'backend/0', [[2, 310], [5, 5130], [8, 5140]]),
    ],
  });
}

describe('a shared group judged as one', () => {
  it('each message owed once to the group; what the cut member held, what came twice, what came to nobody', () => {
    const run = judgeRun(record());
    assert.deepEqual(run.shared, [
      {
        share: 'w',
        filter: '$share/w/jobs',
        groups: ['workers', 'flaky'],
        members: 3,
        sent: 10,
        expected: 10,
        delivered: 9,
        lost: 1,
        endedWithMember: 0,
        live: 7,
        stranded: { deliveredOnReturn: 2, inFlightAtCut: 1, chosenWhileAway: 1, heldMaxMs: 4530, afterReturnMaxMs: 30 },
        crossMember: { messages: 1, copies: 1 },
        duplicates: 0,
        qos2Duplicates: 0,
        indeterminate: 0,
        notReturned: 0,
        unexpected: 0,
        refused: 0,
        unacknowledged: 0,
        split: { min: 3, max: 3, byGroup: { workers: 6, flaky: 3 }, byMember: { 'workers/0': 3, 'workers/1': 3, 'flaky/0': 3 } },
      },
    ]);
    const check = run.checks.find((c) => c.name === 'shared groups: every message once to the group');
    assert.deepEqual([check?.passed, check?.actual, check?.explanation], [false, 1, '1 of 10 messages owed to $share/w/jobs came to no member']);
    assert.equal(run.verdict, 'fail');
    assert.ok(
      run.explanations.includes(
        '$share/w/jobs (3 members of workers, flaky): 10 messages owed once to the group, 9 came; 2 were held in the session of a member that was cut and came when it returned: 1 in flight to it at the cut and 1 sent while it was away (the broker kept choosing it); the last came 30 ms after its return, at most 4.53 s after sending; 1 came to more than one member (re-sent to another; 1 extra copy); 1 came to no member; split per member 3–3.',
      ),
      run.explanations.join('\n'),
    );
    // Its members are not judged one by one: nothing is owed to each.
    assert.equal(run.redelivery.expected, 0);
  });

  it('a member still away at the end may hold what came to nobody: not judged, not lost', () => {
    const r = record();
    const flaky = r.ledgers[0]!.clients.find((c) => c.ref === 'flaky/0')!;
    flaky.attempts = [flaky.attempts[0]!];
    r.ledgers[0]!.received = r.ledgers[0]!.received.filter((x) => x.subscriber !== 'flaky/0');
    const shared = judgeRun(r).shared![0]!;
    assert.deepEqual([shared.expected, shared.delivered, shared.lost, shared.notReturned], [6, 6, 0, 4]);
  });

  it("what came to nobody while a member's ended session could have held it is counted apart, not lost (§4.8.2: SHOULD re-send at QoS 1)", () => {
    const r = record();
    r.run.groups = r.run.groups.map((g) => (g.name === 'flaky' ? { ...g, sessionExpiry: 1 } : g));
    const flaky = r.ledgers[0]!.clients.find((c) => c.ref === 'flaky/0')!;
    // Back at 5110 ms, 4.1 s after the cut: the 1 s session ended while it was away.
    flaky.attempts[1] = { ...flaky.attempts[1]!, sessionPresent: false, subscribedAt: T.resubscribed };
    r.ledgers[0]!.received = r.ledgers[0]!.received.map((x) => (x.subscriber === 'flaky/0' ? received('flaky/0', 'backend/0', [[2, 310]]) : x));
    const shared = judgeRun(r).shared![0]!;
    assert.deepEqual([shared.expected, shared.delivered, shared.lost, shared.endedWithMember, shared.stranded.deliveredOnReturn], [10, 7, 0, 3, 0]);
    assert.ok(judgeRun(r).checks.find((c) => c.name === 'shared groups: every message once to the group')?.passed);
  });

  it('a publish phase to a shared group asks perTarget of every publisher: 3 publishers × 3 (not 3 per member), 8 sent, falls short by 1', () => {
    const r = record();
    r.run.groups = r.run.groups.map((g) => (g.name === 'backend' ? { ...g, count: 3 } : g));
    r.run.phases = [{ kind: 'publish', from: 'backend', to: 'workers', perTarget: 3, qos: 1, payloadBytes: 64, shared: true }];
    r.timeline = [
      { at: 50, kind: 'phase-start', phase: 0, label: 'publish backend → workers, 3 each at QoS 1' },
      { at: 2000, kind: 'phase-end', phase: 0, label: 'publish backend → workers, 3 each at QoS 1' },
    ];
    r.ledgers[0]!.sent = [sent('backend/0', 'workers/*', [100, 200, 300]), sent('backend/1', 'workers/*', [110, 210, 310]), sent('backend/2', 'workers/*', [120, 220])];
    assert.deepEqual(judgeRun(r).shortfalls?.map((f) => [f.kind, f.done, f.of]), [['publish', 8, 9]]);
    r.ledgers[0]!.sent.push(sent('backend/2', 'workers/*', [320], 1, 2));
    assert.deepEqual(judgeRun(r).shortfalls, []);
  });

  it('summary.md shows the shared rows side by side', () => {
    const run = judgeRun(record());
    const result: Result = { schemaVersion: 1, tool: { name: 'mqtt-chaos', version: '0' }, scenario: { name: 's', file: 's.yaml' }, startedAt: '2025-01-01T00:00:00.000Z', seed: 1, runs: [run] };
    const md = renderSummary(result);
    for (const row of [
      /^\| shared: owed once to the group +\| 10 +\|$/m,
      /^\| shared: lost +\| 1 +\|$/m,
      /^\| shared: held for a cut member +\| 2 \(1 in flight at the cut, 1 chosen while away; ≤ 30 ms after return\) +\|$/m,
      /^\| shared: to more than one member +\| 1 +\|$/m,
      /^\| shared: split per member +\| 3–3 +\|$/m,
    ]) {
      assert.match(md, row, md);
    }
  });
});
