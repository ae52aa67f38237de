/**
 * The trap mqtt-chaos exists to show, end to end against Mosquitto: one scenario, three runs
 * side by side. Subscribers with persistent sessions are cut off while each is sent 10 QoS 1
 * messages, then come back:
 * - MQTT 3.1.1 CleanSession=0: the session outlives the disconnect, everything arrives;
 * - MQTT 5 Clean Start=0 with no Session Expiry Interval (0): the session ends at the
 *   disconnect, so nothing sent meanwhile is owed or delivered — and the report says why;
 * - MQTT 5 Clean Start=0 with expiry 3600: like 3.1.1, everything arrives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, needsMosquitto, planFrom, runPlan, tempDir } from './support.js';

const SUBSCRIBERS = 20;
const PER_TARGET = 10;
const TOTAL = SUBSCRIBERS * PER_TARGET;

const SCENARIO = `
name: trap
description: persistent sessions cut off while commands are sent
broker: managed-mosquitto
faults: embedded
matrix:
  - protocol: "3.1.1"
    id: v3-clean-0
    label: 3.1.1 CleanSession=0
  - protocol: "5"
    id: v5-no-expiry
    label: 5 Clean Start=0, no expiry
    override:
      groups: { devices: { session: { expiry: 0 } } }
  - protocol: "5"
    id: v5-expiry-3600
    label: 5 Clean Start=0, expiry 3600
groups:
  devices:
    count: ${SUBSCRIBERS}
    role: subscriber
    session: { clean: false, expiry: 3600 }
    qos: 1
    topic: "trap/{run}/{i}"
    reconnect: { delay: 200ms, jitter: 100ms }
  backend:
    count: 2
    role: publisher
    via: direct
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - wait: 500ms
  - publish: { from: backend, to: devices, perTarget: ${PER_TARGET}, qos: 1 }
  - heal: {}
  - drain: { timeout: 15s }
`;

describe('the v3.1.1 / v5 persistent-session trap, against Mosquitto', { skip: needsMosquitto }, () => {
  it('3.1.1 CleanSession=0 and v5 expiry 3600 get everything; v5 without expiry gets nothing, and the report says why', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'trap');
    const ran = await runPlan(td, await planFrom(dir, SCENARIO), dir);
    assert.deepEqual(
      ran.result.runs.map((r) => [r.id, r.protocol]),
      [
        ['v3-clean-0', '3.1.1'],
        ['v5-no-expiry', '5'],
        ['v5-expiry-3600', '5'],
      ],
    );
    for (const run of ran.result.runs) {
      const why = describeRun(run, ran.log);
      assert.equal(run.incomplete, undefined, why);
      assert.equal(run.broker.software, 'mosquitto', why);
      assert.equal(run.redelivery.offline, TOTAL, `every message was sent while the devices were cut off\n${why}`);
      assert.equal(run.redelivery.indeterminate, 0, why);
      assert.equal(run.redelivery.lost, 0, why);
      assert.equal(run.redelivery.unexpected, 0, why);
      assert.equal(run.reconnect.notReconnected, 0, why);
    }

    const v3 = ran.run('v3-clean-0');
    let why = describeRun(v3, ran.log);
    assert.equal(v3.redelivery.expected, TOTAL, why);
    assert.equal(v3.redelivery.delivered, TOTAL, why);
    assert.equal(v3.redelivery.offlineDelivered, TOTAL, why);
    assert.equal(v3.verdict, 'pass', why);
    assert.ok(v3.explanations.some((e) => e.includes('CleanSession=0')), why);

    const trapped = ran.run('v5-no-expiry');
    why = describeRun(trapped, ran.log);
    assert.equal(trapped.groups.find((g) => g.name === 'devices')?.sessionExpiry, 0, 'the override applied');
    assert.equal(trapped.redelivery.expected, 0, why);
    assert.equal(trapped.redelivery.delivered, 0, why);
    assert.equal(trapped.redelivery.offlineDelivered, 0, `the broker ended the session at the cut\n${why}`);
    assert.equal(trapped.redelivery.noSession, TOTAL, why);
    assert.ok(
      trapped.explanations.some((e) => e.includes('Session Expiry Interval 0')),
      `an explanation names Session Expiry Interval 0\n${why}`,
    );
    // By the spec nothing was owed, so nothing was lost: the trap passes every check, which
    // is why the explanation (and the column beside 3.1.1) matters.
    assert.equal(trapped.verdict, 'pass', why);

    const v5 = ran.run('v5-expiry-3600');
    why = describeRun(v5, ran.log);
    assert.equal(v5.redelivery.expected, TOTAL, why);
    assert.equal(v5.redelivery.delivered, TOTAL, why);
    assert.equal(v5.redelivery.offlineDelivered, TOTAL, why);
    assert.equal(v5.verdict, 'pass', why);
  });
});
