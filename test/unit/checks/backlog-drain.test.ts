import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RECEIVE_MAXIMUM_CHECK, drainRate } from '../../../src/checks/backlog-drain.js';
import { judgeRun } from '../../../src/checks/judge.js';
import { metricValue } from '../../../src/checks/metric-values.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import { renderSummary } from '../../../src/report/summary-md.js';
import { judgeScenario } from '../../../src/checks/judge.js';
import type { Plan } from '../../../src/scenario/plan.js';
import { cutCycle } from './records.js';

/** Two devices back at T.back, 50 backlog messages each arriving 20..69 ms after CONNACK; in-flight as given per client. */
function cycle(protocol: '3.1.1' | '5', inflight: [number, number][], receiveMaximum?: number): RunRecord {
  const record = cutCycle({ protocol, expiry: protocol === '5' ? 3600 : undefined, clients: 2, offline: 50 });
  const devices = record.run.groups.find((g) => g.name === 'devices')!;
  if (receiveMaximum !== undefined) devices.receiveMaximum = receiveMaximum;
  devices.ackDelayMs = 20;
  const logs = record.ledgers.flatMap((l) => l.clients).filter((c) => c.ref.startsWith('devices/'));
  logs.forEach((log, i) => {
    [log.inflightMax, log.inflightOverCap] = inflight[i]!;
  });
  return record;
}

describe('backlog drain and the Receive Maximum check', () => {
  it('drain time is the slowest return; drain rate Σ messages / Σ drain time; max in flight the highest client', () => {
    const run = judgeRun(cycle('5', [[10, 0], [7, 0]], 10));
    assert.deepEqual(run.drain, [
      { group: 'devices', receiveMaximum: 10, ackDelay: 20, inflightMax: 10, overCap: 0, violators: 0, drainTime: 69, drainedMessages: 100, drainRate: 724.6 },
    ]);
    const check = run.checks.find((c) => c.name === RECEIVE_MAXIMUM_CHECK)!;
    assert.deepEqual([check.passed, check.actual, check.explanation], [true, 0, 'devices: at most 10 in flight, Receive Maximum 10']);
    assert.equal(metricValue(run, 'redelivery.inflight.max'), 10);
    assert.equal(metricValue(run, 'redelivery.inflight.overCap'), 0);
    assert.equal(metricValue(run, 'redelivery.drainRate'), 724.6);
    assert.equal(run.verdict, 'pass');
  });

  it('PUBLISHes over the cap fail the check, named with MQTT-3.3.4-9, counted per packet and per client', () => {
    const run = judgeRun(cycle('5', [[15, 14], [1, 0]], 1));
    assert.deepEqual(run.drain?.map((d) => [d.inflightMax, d.overCap, d.violators]), [[15, 14, 1]]);
    const check = run.checks.find((c) => c.name === RECEIVE_MAXIMUM_CHECK)!;
    assert.equal(check.passed, false);
    assert.equal(check.actual, 14);
    assert.equal(
      check.explanation,
      "14 PUBLISH packets sent to 1 client of devices with Receive Maximum 1 already in flight (most in flight: 15): the broker exceeded the client's Receive Maximum (MQTT-3.3.4-9)",
    );
    assert.equal(run.verdict, 'fail');
  });

  it('no Receive Maximum set, or 3.1.1: no check (no cap to break), the figures still reported', () => {
    const v5 = judgeRun(cycle('5', [[20, 0], [20, 0]]));
    assert.equal(v5.checks.some((c) => c.name === RECEIVE_MAXIMUM_CHECK), false);
    assert.equal(v5.drain?.[0]?.receiveMaximum, null);
    const v3 = judgeRun(cycle('3.1.1', [[20, 0], [18, 0]], 5));
    assert.equal(v3.checks.some((c) => c.name === RECEIVE_MAXIMUM_CHECK), false);
    assert.deepEqual(v3.drain?.map((d) => [d.receiveMaximum, d.inflightMax]), [[null, 20]]);
  });

  it('no QoS 1/2 message received: no drain entry, metrics without samples', () => {
    const run = judgeRun(cycle('5', [[0, 0], [0, 0]], 10));
    assert.equal(run.drain, undefined);
    assert.equal(metricValue(run, 'redelivery.inflight.max'), null);
    assert.equal(metricValue(run, 'redelivery.drainRate'), null);
  });

  it("QoS 2 over the cap: mqtt.js closes the connection itself (0x93), explained as the client's close, not the broker's", () => {
    const record = cycle('5', [[11, 1], [1, 0]], 10);
    const log = record.ledgers.flatMap((l) => l.clients).find((c) => c.ref === 'devices/0')!;
    log.attempts.push({ startedAt: 8000, connackAt: 8010, closedAt: 8020, closedBy: 'lost', afterPacket: 'CONNECT', error: '147: Receive Maximum exceeded: 11 inbound QoS 2 messages in flight, receiveMaximum is 10' });
    const run = judgeRun(record);
    assert.ok(
      run.explanations.includes(
        'devices: the client closed 1 connection of 1 client itself (mqtt.js, 0x93 Receive Maximum exceeded): the broker sent a QoS 2 PUBLISH over the Receive Maximum (MQTT 5 §4.9), so what it had sent on those connections was not handed over',
      ),
      run.explanations.join('\n'),
    );
    assert.deepEqual((run.brokerSaid ?? []).filter((s) => s.kind !== 'told'), [], 'not a close by the broker');
  });

  it('drainRate: null without messages or time', () => {
    assert.equal(drainRate(0, 10), null);
    assert.equal(drainRate(10, 0), null);
    assert.equal(drainRate(100, 2000), 50);
  });

  it('summary.md shows the window, drain time and rate side by side', () => {
    const a = cycle('5', [[1, 0], [1, 0]], 1);
    const b = cycle('3.1.1', [[20, 0], [20, 0]]);
    b.run.id = '3.1.1';
    const plan: Plan = { planVersion: 1, scenario: { name: 'rm', file: 'rm.yaml' }, seed: 1, allowRemote: false, broker: { kind: 'embedded-aedes' }, faults: { kind: 'embedded' }, runs: [a.run, b.run] };
    const md = renderSummary(judgeScenario(plan, [a, b], { name: 'mqtt-chaos', version: '0' }));
    assert.match(md, /\| max in flight \/ Receive Maximum +\| 1 \/ 1 +\| 20 \/ none \(3\.1\.1\) +\|/);
    assert.match(md, /\| backlog drain time +\| 69 ms +\| 69 ms +\|/);
    assert.match(md, /\| backlog drain rate +\| 724\.6 msg\/s +\| 724\.6 msg\/s +\|/);
  });
});
