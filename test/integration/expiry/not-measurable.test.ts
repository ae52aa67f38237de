/**
 * What a run says when it cannot measure session expiry: a broker without MQTT 5 (Aedes),
 * and MQTT 3.1.1, which has no Session Expiry Interval — on Mosquitto only the broker-side
 * persistent_client_expiration ends such a session, and it takes hours at least.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { needsMosquitto, planFrom, runPlan, tempDir } from '../run/support.js';
import { describeExpiry } from './support.js';

const scenario = (broker: string) => `
name: expiry-not-measurable
broker: ${broker}
faults: embedded
protocols: ["3.1.1", "5"]
groups:
  devices:
    count: 5
    role: subscriber
    session: { clean: false, expiry: 5 }
    topic: "nm/{run}/{i}"
phases:
  - measure-expiry: { groups: [devices], closes: { graceful: 50%, partition: 50% } }
expect:
  - expiry.early == 0
`;

describe('session expiry where it cannot be measured', () => {
  it('Aedes: v5 is unsupported and says why; 3.1.1 has nothing to measure; neither passes as measured', async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'expiry-aedes');
    const ran = await runPlan(td, await planFrom(dir, scenario('embedded-aedes')), dir);
    const v5 = ran.run('5');
    let why = describeExpiry(v5, ran.log);
    assert.equal(v5.verdict, 'unsupported', why);
    assert.equal(v5.expiry?.measured, false, why);
    assert.match(v5.expiry!.notMeasured!, /does not support MQTT 5: the Session Expiry Interval and the Will Delay are MQTT 5 features, so session-expiry accuracy cannot be measured here; Aedes never expires a session at all/, why);
    assert.ok(v5.explanations.some((l) => l.startsWith('Session expiry not measured:')), why);

    const v3 = ran.run('3.1.1');
    why = describeExpiry(v3, ran.log);
    assert.equal(v3.expiry?.measured, false, why);
    assert.equal(v3.expiry!.notMeasured, 'MQTT 3.1.1 has no Session Expiry Interval, and Aedes never expires a session: nothing to measure in this run', why);
    // The expectation has no samples: it holds vacuously, and says so.
    assert.match(v3.checks.find((c) => c.name === 'expiry.early == 0')!.explanation, /has no samples in this run/, why);
  });

  it('Mosquitto, 3.1.1: persistent_client_expiration takes hours at least, longer than the phase may wait', { skip: needsMosquitto }, async (t) => {
    const td = useTeardown(t);
    const dir = await tempDir(td, 'expiry-v3');
    const plan = await planFrom(dir, scenario('{ mosquitto: { persistent_client_expiration: 1h } }'), { protocol: '3.1.1' });
    const ran = await runPlan(td, plan, dir);
    const v3 = ran.run('3.1.1');
    const why = describeExpiry(v3, ran.log);
    assert.equal(v3.expiry?.measured, false, why);
    assert.match(v3.expiry!.notMeasured!, /^MQTT 3.1.1 has no Session Expiry Interval; Mosquitto persistent_client_expiration is 1h \(hours at least\), so measuring it would take over 3,610 s, more than measure-expiry.maxWait \(600 s\): not measured$/, why);
    assert.equal(v3.verdict, 'pass', why);
  });
});
