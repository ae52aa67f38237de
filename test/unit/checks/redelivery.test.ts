import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeRun } from '../../../src/checks/judge.js';
import { lossPolicy } from '../../../src/checks/attribution.js';
import type { ClientLog } from '../../../src/metrics/ledger.js';
import { cutCycle, faultEvents, groupPlan, makeRecord, received, sent, T } from './records.js';

const devices = groupPlan({ name: 'devices', role: 'subscriber', count: 1, qos: 2 });
const backend = groupPlan({ name: 'backend', role: 'publisher', count: 1 });
const online: ClientLog = { ref: 'devices/0', clientId: 'd0', attempts: [{ startedAt: 10, connackAt: T.connack, subscribedAt: T.subscribed }] };

/** One subscriber online throughout, four messages at QoS `qos` from 1000 ms. */
function onlineRun(qos: 0 | 1 | 2, arrivals: [number, number][], dups: Record<number, number>) {
  return judgeRun(
    makeRecord({
      protocol: '5',
      groups: [devices, backend],
      clients: [online],
      sent: [sent('backend/0', 'devices/0', [1000, 1010, 1020, 1030], qos)],
      received: [received('devices/0', 'backend/0', arrivals, qos, dups)],
    }),
  );
}

describe('duplicates and order', () => {
  const inOrder: [number, number][] = [[0, 1001], [1, 1011], [2, 1021], [3, 1031]];

  it('QoS 2 duplicates are a violation', () => {
    const r = onlineRun(2, inOrder, { 1: 2 });
    assert.equal(r.redelivery.duplicates, 2);
    assert.equal(r.redelivery.qos2Duplicates, 2);
    const c = r.checks.find((x) => x.name === 'no QoS 2 duplicates')!;
    assert.equal(c.passed, false);
    assert.equal(c.explanation, '2 extra copies of QoS 2 messages on devices: exactly-once broken (MQTT-4.3.3-10)');
    assert.equal(r.verdict, 'fail');
  });

  it('QoS 1 duplicates are counted and allowed', () => {
    const r = onlineRun(1, inOrder, { 0: 1, 3: 1 });
    assert.equal(r.redelivery.duplicates, 2);
    assert.equal(r.redelivery.qos2Duplicates, 0);
    assert.equal(r.verdict, 'pass');
  });

  it('a seq first seen after a higher one is out of order', () => {
    const r = onlineRun(1, [[0, 1001], [2, 1021], [1, 1022], [3, 1031]], {});
    assert.equal(r.redelivery.outOfOrder, 1);
    assert.equal(r.redelivery.delivered, 4);
  });

  it('in order is zero', () => {
    assert.equal(onlineRun(1, inOrder, {}).redelivery.outOfOrder, 0);
  });
});

describe('boundaries and what is not owed', () => {
  it('a message sent as the link went is neither expected nor unexpected, whether it came or not', () => {
    const record = cutCycle({ protocol: '5', expiry: 0, clients: 1, offline: 1 });
    record.ledgers[0]!.sent.push(sent('backend/0', 'devices/0', [T.cut - 100, T.cut + 100], 1, 1));
    record.ledgers[0]!.received[0] = received('devices/0', 'backend/0', [[1, T.cut + 50]]);
    const r = judgeRun(record);
    assert.equal(r.redelivery.indeterminate, 2);
    assert.equal(r.redelivery.unexpected, 0);
    assert.equal(r.redelivery.expected, 0);
    assert.match(r.explanations.at(-1)!, /^2 messages were sent within 250 ms of a lost link/);
  });

  it('QoS 0 sent while offline that still arrived counts as kept, not unexpected', () => {
    const r = judgeRun(cutCycle({ protocol: '3.1.1', qos: 0, clients: 1, offline: 10, arrives: (seq) => seq < 3 }));
    assert.equal(r.redelivery.qos0Kept, 3);
    assert.equal(r.redelivery.expected, 0);
    assert.equal(r.redelivery.unexpected, 0);
    assert.ok(r.explanations.some((e) => e.startsWith('3 QoS 0 messages sent while devices were offline arrived anyway')));
  });

  it('a session that expired before the client came back: its messages went with it, and the explanation says so', () => {
    const record = cutCycle({ protocol: '5', expiry: 2, clients: 1, offline: 10 });
    const r = judgeRun(record);
    assert.equal(r.redelivery.expected, 0);
    assert.equal(r.redelivery.expiredWithSession, 5);
    assert.equal(r.redelivery.noSession, 5);
    assert.match(r.explanations[0]!, /^Session Expiry Interval 2 s: 1 of 1 return of devices came after the session had expired \(away up to 4\.11 s\), so 5 messages went with their session/);
  });
});

describe('loss attribution', () => {
  it('Mosquitto persistent_client_expiration ends sessions the spec keeps: session-expired', () => {
    const broker = { software: 'mosquitto' as const, options: { persistent_client_expiration: '1h' } };
    const record = cutCycle({ protocol: '3.1.1', clients: 1, present: false, broker });
    // Back after two hours.
    const back = record.ledgers[0]!.clients[1]!.attempts[2]!;
    Object.assign(back, { startedAt: 7_200_000, connackAt: 7_200_010, subscribedAt: 7_200_020, closedAt: 7_300_000 });
    const r = judgeRun(record);
    assert.equal(r.redelivery.lostBy['session-expired'], 50);
    assert.match(r.checks[0]!.explanation, /Mosquitto persistent_client_expiration is 1h/);
  });

  it('reads Mosquitto options, with its defaults, and nothing for other brokers', () => {
    const mosquitto = { kind: 'external' as const, url: '', description: '', software: 'mosquitto' as const };
    assert.deepEqual(lossPolicy({ ...mosquitto, options: {} }), { queue: { limit: 1000, isDefault: true, inflight: 20 } });
    assert.deepEqual(lossPolicy({ ...mosquitto, options: { max_queued_messages: '10', max_inflight_messages: 5 } }).queue, {
      limit: 10,
      isDefault: false,
      inflight: 5,
    });
    assert.equal(lossPolicy({ ...mosquitto, options: { max_queued_messages: 0 } }).queue, undefined);
    assert.deepEqual(lossPolicy({ ...mosquitto, software: 'aedes', options: { max_queued_messages: 10 } }), {});
  });

  it('a queue loss in the middle of the backlog, not the newest, is not the queue limit', () => {
    const broker = { software: 'mosquitto' as const, options: { max_queued_messages: 30, max_inflight_messages: 5 } };
    const r = judgeRun(cutCycle({ protocol: '3.1.1', clients: 1, broker, arrives: (seq) => seq !== 3 && seq < 30 }));
    assert.equal(r.redelivery.lostBy['queue-limit'], 20);
    assert.equal(r.redelivery.lostBy.unknown, 1);
  });
});

describe('reconnects', () => {
  it('heal to the first CONNACK after it, per client cut off; connect failures counted', () => {
    const r = judgeRun(cutCycle({ protocol: '3.1.1', clients: 3 }));
    assert.equal(r.reconnect.time!.count, 3);
    assert.ok(Math.abs(r.reconnect.time!.p99 - 110) < 0.2, String(r.reconnect.time!.p99));
    assert.equal(r.reconnect.connectFailures, 3);
    assert.equal(r.reconnect.notReconnected, 0);
  });

  it('a client that never came back after the heal is counted, and its messages not judged', () => {
    const record = cutCycle({ protocol: '3.1.1', clients: 2 });
    record.ledgers[0]!.clients[1]!.attempts.pop();
    record.ledgers[0]!.received[0] = received('devices/0', 'backend/0', []);
    const r = judgeRun(record);
    assert.equal(r.reconnect.notReconnected, 1);
    assert.equal(r.redelivery.notReturned, 50);
    assert.equal(r.redelivery.expected, 50);
  });

  it('clients the fault did not cut off did not reconnect', () => {
    const record = makeRecord({ protocol: '5', groups: [devices, backend], clients: [online], timeline: faultEvents({ kind: 'partition' }) });
    assert.equal(judgeRun(record).reconnect.time, null);
  });
});

describe('reconnects: event stamps', () => {
  it('a reconnect logged just before the heal was stamped counts as 0 ms; an attempt cut short by the end is no failure', () => {
    const record = cutCycle({ protocol: '3.1.1', clients: 1 });
    const attempts = record.ledgers[0]!.clients[1]!.attempts;
    Object.assign(attempts[2]!, { startedAt: T.heal - 20, connackAt: T.heal - 10 });
    attempts.push({ startedAt: T.end + 100 });
    const r = judgeRun(record);
    assert.equal(r.reconnect.time!.max, 0);
    assert.equal(r.reconnect.connectFailures, 1);
  });
});

describe('messages near a boundary', () => {
  /** Online from T.subscribed, a graceful DISCONNECT at 1100: the last message goes 50 ms before it. */
  const leaving: ClientLog = {
    ref: 'devices/0',
    clientId: 'd0',
    attempts: [{ startedAt: 10, connackAt: T.connack, subscribedAt: T.subscribed, closedAt: 1100, closedBy: 'graceful' }],
  };
  const run = (arrivals: [number, number][]) =>
    judgeRun(
      makeRecord({
        protocol: '3.1.1',
        groups: [devices, backend],
        clients: [leaving],
        sent: [sent('backend/0', 'devices/0', [1000, 1050], 1)],
        received: [received('devices/0', 'backend/0', arrivals, 1)],
      }),
    );

  it('one that arrived on the connection it was sent during is delivered, not "not judged"', () => {
    const r = run([[0, 1001], [1, 1051]]);
    assert.equal(r.redelivery.expected, 2);
    assert.equal(r.redelivery.delivered, 2);
    assert.equal(r.redelivery.indeterminate, 0);
  });

  it('one that never arrived before the disconnect stays not judged', () => {
    const r = run([[0, 1001]]);
    assert.equal(r.redelivery.delivered, 1);
    assert.equal(r.redelivery.indeterminate, 1);
    assert.equal(r.redelivery.lost, 0);
  });
});

describe('subscribers that never come back', () => {
  it('are said not to have put their session settings to the test, not "back within 0 ms"', () => {
    const gone: ClientLog = {
      ref: 'devices/0',
      clientId: 'd0',
      attempts: [{ startedAt: 10, connackAt: T.connack, subscribedAt: T.subscribed, closedAt: 900, closedBy: 'abrupt' }],
    };
    const r = judgeRun(
      makeRecord({
        protocol: '5',
        groups: [groupPlan({ name: 'devices', role: 'subscriber', count: 1, sessionExpiry: 15 }), backend],
        clients: [gone],
        sent: [sent('backend/0', 'devices/0', [1500, 1600], 1)],
        received: [],
      }),
    );
    assert.equal(r.redelivery.notReturned, 2);
    assert.equal(r.explanations[0], 'devices did not come back before the run ended, so their session settings were not put to the test by reconnecting.');
  });
});
