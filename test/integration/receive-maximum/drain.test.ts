/**
 * Backlog drain against a real Mosquitto: 3 devices come back to 100 queued QoS 1 messages
 * each and take 20 ms over each before acknowledging it (ackDelay), so the broker's window
 * of unacknowledged messages decides the drain.
 *
 * - Receive Maximum 1: the spec fixes the window: never more than 1 in flight, and with a
 *   backlog waiting the broker fills it, so exactly 1; no violation, PASS.
 * - Receive Maximum 10: the cap is reached (10 at once at the reconnect, before any ack);
 *   the built-in check fails exactly when a PUBLISH came with 10 already in flight.
 *   Mosquitto 2.0.11 does that once PUBACKs flow (it refills the window by more than was
 *   freed; a raw client below sees it too), so there the check must fail.
 * - Either way the window of 10 drains faster than the window of 1: the ORDER is asserted,
 *   not a rate (the machine may be slow).
 * - 3.1.1 has no Receive Maximum: no cap reported, no check, the broker's own limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readMosquittoVersion } from '../../../src/brokers/capabilities.js';
import { RECEIVE_MAXIMUM_CHECK } from '../../../src/checks/backlog-drain.js';
import type { BacklogDrain, RunResult } from '../../../src/result/result.js';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun, mosquittoBinary, needsMosquitto, planFrom, runPlan, tempDir } from '../run/support.js';
import { maxInFlightSeen } from './raw-window.js';

const DEVICES = 3;
const BACKLOG = 100;

const SCENARIO = `
name: drain
broker: managed-mosquitto
faults: embedded
matrix:
  - { protocol: "5", id: rm-1, override: { groups: { devices: { session: { receiveMaximum: 1 } } } } }
  - { protocol: "5", id: rm-10 }
  - { protocol: "3.1.1", id: v311 }
groups:
  devices:
    count: ${DEVICES}
    role: subscriber
    session: { clean: false, expiry: 3600, receiveMaximum: 10 }
    qos: 1
    topic: "drain/{run}/{i}"
    ackDelay: 20ms
    reconnect: { delay: 200ms, jitter: 100ms }
  backend: { count: 1, role: publisher, via: direct }
phases:
  - connect: {}
  - subscribe: {}
  - fault: { kind: cut, groups: [devices] }
  - wait: 500ms
  - publish: { from: backend, to: devices, perTarget: ${BACKLOG}, qos: 1 }
  - wait: 500ms
  - heal: {}
  - drain: { timeout: 30s }
`;

function drainOf(run: RunResult): BacklogDrain {
  assert.equal(run.drain?.length, 1, `one drain entry\n${describeRun(run)}`);
  return run.drain[0]!;
}

describe('backlog drain against Receive Maximum (Mosquitto)', { skip: needsMosquitto }, () => {
  it('RM 1: exactly 1 in flight, PASS; RM 10: cap reached, check fails iff exceeded; RM 10 drains faster; 3.1.1 uncapped', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'drain');
    const ran = await runPlan(td, await planFrom(dir, SCENARIO), dir);
    const version = await readMosquittoVersion(mosquittoBinary!);

    for (const run of ran.result.runs) {
      const why = describeRun(run, ran.log);
      assert.equal(run.redelivery.lost, 0, why);
      assert.equal(run.redelivery.offlineDelivered, DEVICES * BACKLOG, why);
      const d = drainOf(run);
      assert.equal(d.drainedMessages, DEVICES * BACKLOG, why);
      assert.equal(d.ackDelay, 20);
    }

    const one = ran.run('rm-1');
    const rm1 = drainOf(one);
    assert.deepEqual([rm1.receiveMaximum, rm1.inflightMax, rm1.overCap, rm1.violators], [1, 1, 0, 0], describeRun(one));
    const check1 = one.checks.find((c) => c.name === RECEIVE_MAXIMUM_CHECK);
    assert.deepEqual([check1?.passed, check1?.actual], [true, 0]);
    assert.equal(one.verdict, 'pass', describeRun(one));

    const ten = ran.run('rm-10');
    const rm10 = drainOf(ten);
    assert.equal(rm10.receiveMaximum, 10);
    assert.ok(rm10.inflightMax >= 10, `the window of 10 filled: max in flight ${rm10.inflightMax}`);
    assert.equal(rm10.overCap > 0, rm10.inflightMax > 10, 'a PUBLISH over the cap is what takes in-flight past it');
    const check10 = ten.checks.find((c) => c.name === RECEIVE_MAXIMUM_CHECK)!;
    assert.equal(check10.passed, rm10.overCap === 0);
    assert.equal(check10.actual, rm10.overCap);
    if (version === '2.0.11') {
      assert.ok(rm10.overCap > 0, `Mosquitto 2.0.11 exceeds Receive Maximum 10 while draining\n${describeRun(ten)}`);
      assert.match(check10.explanation, /PUBLISH packets sent to \d+ clients? of devices with Receive Maximum 10 already in flight .*\(MQTT-3\.3\.4-9\)$/);
      assert.equal(ten.verdict, 'fail');
    }

    assert.ok(rm1.drainRate !== null && rm10.drainRate !== null);
    assert.ok(rm10.drainRate > rm1.drainRate, `RM 10 drains faster than RM 1: ${rm10.drainRate} vs ${rm1.drainRate} msg/s`);
    assert.ok(rm10.drainTime! < rm1.drainTime!, `RM 10 drains sooner: ${rm10.drainTime} vs ${rm1.drainTime} ms`);

    const v311 = ran.run('v311');
    const old = drainOf(v311);
    assert.equal(old.receiveMaximum, null);
    assert.equal(old.overCap, 0);
    assert.ok(old.inflightMax >= 1);
    assert.equal(v311.checks.some((c) => c.name === RECEIVE_MAXIMUM_CHECK), false, 'no Receive Maximum in 3.1.1: no check');
    assert.ok(v311.notes.some((n) => n.includes('session.receiveMaximum ignored for MQTT 3.1.1')));
  });

  it('Mosquitto 2.0.11 exceeds Receive Maximum 10 for a raw client too (not an artefact of the harness)', { skip: needsMosquitto }, async (t) => {
    const version = await readMosquittoVersion(mosquittoBinary!);
    if (version !== '2.0.11') return t.skip(`the over-fill is known for 2.0.11; this is ${version}`);
    const td = useTeardown(t);
    const seen = await maxInFlightSeen(td, mosquittoBinary!, { receiveMaximum: 10, backlog: 30, ackDelayMs: 200 });
    assert.equal(seen.received, 30);
    assert.equal(seen.firstWindow, 10, 'before any PUBACK the broker keeps to 10');
    assert.ok(seen.max > 10, `after the PUBACKs it had ${seen.max} in flight`);
  });
});
