/**
 * A broker that refuses, downgrades or closes never turns into a PASS: judged on records
 * built by hand (the real brokers are in test/integration/refusals), each asserting the
 * counts, the verdict and the line a user reads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeRun } from '../../../src/checks/judge.js';
import type { TimelineEvent } from '../../../src/result/timeline.js';
import type { SaidEntry } from '../../../src/metrics/ledger.js';
import { cutCycle, faultEvents, makeRecord, groupPlan, sent, T } from './records.js';

const phase = (index: number, label: string, start: number, end: number): TimelineEvent[] => [
  { at: start, kind: 'phase-start', phase: index, label },
  { at: end, kind: 'phase-end', phase: index, label },
];

describe('judged by what the broker granted', () => {
  it('a QoS 2 subscription granted QoS 1 is judged at QoS 1: a duplicate is allowed, and exactly-once is said to be untested', () => {
    const record = cutCycle({ protocol: '5', expiry: 3600, qos: 2, subscriptionQos: 2 });
    const ledger = record.ledgers[0]!;
    for (const log of ledger.clients) if (log.ref.startsWith('devices/')) log.granted = 1;
    for (const run of ledger.received) run.duplicates = { 3: 1 };
    const suback: SaidEntry = { group: 'devices', packet: 'SUBACK', code: 1, count: 2, clients: 2, examples: ['devices-0: SUBACK devices/0 → QoS 1'], firstAt: 31 };
    ledger.said = [suback];
    const r = judgeRun(record);
    assert.equal(r.redelivery.duplicates, 2);
    assert.equal(r.redelivery.qos2Duplicates, 0);
    assert.equal(r.verdict, 'pass');
    assert.deepEqual(
      r.brokerSaid?.map((s) => [s.kind, s.what, s.clients, s.of]),
      [['changed', 'SUBACK granted QoS 1 for QoS 2', 2, 2]],
    );
    assert.ok(
      r.explanations.includes(
        'devices: the broker granted QoS 1 to the subscriptions of 2 of 2 clients, asked at QoS 2, so their messages were judged at QoS 1 (duplicates allowed and shown): exactly-once was not tested on this broker.',
      ),
      r.explanations.join('\n'),
    );
  });

  it('a Session Expiry Interval the broker cut to 1 s ends the session 1 s after the cut: what was sent later expired with it, not lost', () => {
    const record = cutCycle({ protocol: '5', expiry: 3600, present: false, arrives: () => false });
    for (const log of record.ledgers[0]!.clients) for (const a of log.attempts) if (a.connackAt !== undefined) a.assignedExpiry = 1;
    const r = judgeRun(record);
    assert.equal(r.redelivery.lost, 0);
    assert.equal(r.redelivery.expected, 0);
    assert.equal(r.redelivery.expiredWithSession + r.redelivery.noSession + r.redelivery.indeterminate, 100);
    assert.equal(r.verdict, 'pass');
  });

  it('the same record judged by the requested 3600 s loses everything: the grant is what makes the difference', () => {
    const r = judgeRun(cutCycle({ protocol: '5', expiry: 3600, present: false, arrives: () => false }));
    assert.equal(r.redelivery.lost, 100);
    assert.equal(r.verdict, 'fail');
  });
});

describe('refused publishes are neither sent nor lost, and the run is INCOMPLETE', () => {
  it('PUBACK 0x87 for 10 of 50 messages per subscriber: refused 20, lost 0, incomplete', () => {
    const record = cutCycle({ protocol: '5', expiry: 3600, arrives: (seq) => seq >= 10 });
    for (const run of record.ledgers[0]!.sent) {
      run.refused = {};
      for (let i = 0; i < 10; i++) {
        run.refused[i] = 0x87;
        run.ackedAt[i] = null;
      }
    }
    const r = judgeRun(record);
    assert.equal(r.redelivery.refused, 20);
    assert.equal(r.redelivery.lost, 0);
    assert.equal(r.redelivery.offline, 80);
    assert.equal(r.verdict, 'incomplete');
    assert.deepEqual(r.shortfalls, [{ kind: 'publish', done: 80, of: 100, text: '80 of 100 publishes acknowledged; 20 refused' }]);
  });

  it('a publisher whose connection the broker closed after a QoS 2 PUBLISH: its unacknowledged messages are refused, and the close is named', () => {
    const devices = groupPlan({ name: 'devices', role: 'subscriber', count: 1, qos: 2 });
    const backend = groupPlan({ name: 'backend', role: 'publisher', count: 1 });
    const run = sent('backend/0', 'devices/0', [100, 110, 120], 2);
    run.ackedAt = [101, null, null];
    const record = makeRecord({
      protocol: '3.1.1',
      groups: [devices, backend],
      clients: [
        { ref: 'devices/0', clientId: 'devices-0', attempts: [{ startedAt: 0, connackAt: 5, subscribedAt: 8 }], granted: 2 },
        {
          ref: 'backend/0',
          clientId: 'backend-0',
          attempts: [{ startedAt: 0, connackAt: 5, closedAt: 125, closedBy: 'lost', afterPacket: 'PUBLISH devices/0 (QoS 2)' }],
        },
      ],
      sent: [run],
      received: [{ subscriber: 'devices/0', publisher: 'backend/0', seqs: [0], firstAt: [102], qos: [2], duplicates: {} }],
    });
    const r = judgeRun(record);
    assert.equal(r.redelivery.refused, 2);
    assert.equal(r.redelivery.lost, 0);
    assert.equal(r.verdict, 'incomplete');
    assert.deepEqual(
      r.brokerSaid?.map((s) => [s.packet, s.what, s.examples]),
      [['close', 'closed the connection after PUBLISH (QoS 2)', ['backend-0: PUBLISH devices/0 (QoS 2)']]],
    );
    assert.ok(r.timeline.some((e) => e.kind === 'broker-said' && e.label === 'backend: closed the connection after PUBLISH (QoS 2)'));
  });
});

describe('shortfalls: what the scenario asked and the run did not do', () => {
  const subscribers = (granted: number | undefined, subscribedAt?: number) =>
    [0, 1].map((i) => ({
      ref: `devices/${i}`,
      clientId: `devices-${i}`,
      attempts: [{ startedAt: 0, connackAt: 10, ...(subscribedAt !== undefined && i === 0 ? { subscribedAt } : {}) }],
      ...(granted !== undefined && i === 1 ? { granted } : i === 0 && subscribedAt !== undefined ? { granted: 1 } : {}),
    }));

  it('a SUBACK failure for one of two subscribers: subscribe phase short, 1 of 2, 1 refused', () => {
    const devices = groupPlan({ name: 'devices', role: 'subscriber', count: 2 });
    const record = makeRecord({ protocol: '3.1.1', groups: [devices], clients: subscribers(0x80, 30), timeline: phase(0, 'subscribe devices', 20, 40) });
    record.run.phases = [{ kind: 'subscribe', groups: ['devices'] }];
    const r = judgeRun(record);
    assert.equal(r.verdict, 'incomplete');
    assert.deepEqual(r.shortfalls, [{ kind: 'subscribe', phase: 0, label: 'subscribe devices', done: 1, of: 2, text: 'phase 1 (subscribe devices): subscribed 1 of 2; 1 refused' }]);
  });

  it('a connect phase that ended with 1 of 2 connected', () => {
    const devices = groupPlan({ name: 'devices', role: 'subscriber', count: 2 });
    const clients = [
      { ref: 'devices/0', clientId: 'devices-0', attempts: [{ startedAt: 0, connackAt: 10 }] },
      { ref: 'devices/1', clientId: 'devices-1', attempts: [{ startedAt: 0, error: 'CONNACK refused: 5', code: 5 }] },
    ];
    const record = makeRecord({ protocol: '3.1.1', groups: [devices], clients, timeline: phase(0, 'connect devices', 0, 50) });
    record.run.phases = [{ kind: 'connect', groups: [{ name: 'devices' }] }];
    record.ledgers[0]!.said = [{ group: 'devices', packet: 'CONNACK', code: 5, count: 1, clients: 1, examples: ['devices-1: CONNACK 5'], firstAt: 3 }];
    const r = judgeRun(record);
    assert.equal(r.verdict, 'incomplete');
    assert.equal(
      r.shortfalls?.[0]?.text,
      'phase 1 (connect devices): connected 1 of 2; the broker: CONNACK return code 5 (not authorized) (1×, e.g. devices-1: CONNACK 5)',
    );
  });

  it('a first connect that finds a session (Session Present 1) is a premise the run did not set up', () => {
    const record = cutCycle({ protocol: '3.1.1' });
    record.ledgers[0]!.clients.find((l) => l.ref === 'devices/1')!.attempts[0]!.sessionPresent = true;
    const r = judgeRun(record);
    assert.equal(r.verdict, 'incomplete');
    assert.deepEqual(r.shortfalls?.map((s) => s.kind), ['premise']);
    assert.match(r.shortfalls![0]!.text, /^1 of 2 devices found a session already on the broker at their first connect \(Session Present 1\)/);
  });

  it('a publisher a fault cut off that stayed away is no shortfall: nothing asked of it was left undone', () => {
    const record = cutCycle({ protocol: '3.1.1' });
    record.timeline = faultEvents({ kind: 'broker-restart', downMs: 1000 }, T.cut, T.heal, ['devices', 'backend']);
    record.ledgers[0]!.clients.find((l) => l.ref === 'backend/0')!.attempts = [{ startedAt: 5, connackAt: 15, closedAt: T.cut + 1, closedBy: 'lost' }];
    const r = judgeRun(record);
    assert.equal(r.reconnect.notReconnected, 1);
    assert.deepEqual(r.shortfalls, []);
  });

  it('subscribers cut off that never came back after the heal', () => {
    const record = cutCycle({ protocol: '3.1.1' });
    for (const log of record.ledgers[0]!.clients) if (log.ref.startsWith('devices/')) log.attempts = log.attempts.filter((a) => (a.connackAt ?? 0) < T.heal);
    const r = judgeRun(record);
    assert.equal(r.reconnect.notReconnected, 2);
    assert.equal(r.verdict, 'incomplete');
    assert.equal(r.shortfalls?.find((s) => s.kind === 'reconnect')?.text, '2 subscribers cut off by a fault never reconnected after the heal');
  });
});
