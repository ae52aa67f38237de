/**
 * A broker that gets Message Expiry wrong, played by the MITM in front of a real Mosquitto
 * (MQTT 5 only: 3.1.1 has no Message Expiry). Devices 3 and 6 of ten are lied to:
 * - their commands (8 s lifetime, delivered in time by Mosquitto) are held back 10 s and
 *   then handed over, after their lifetime ended: exactly their 10 are "delivered after
 *   expiry", a failed "no expired message delivered" naming MQTT-3.3.2-5;
 * - their commands (60 s lifetime, 3 s away) arrive with the original 60 s instead of what
 *   was left: exactly their 10 are "not reduced", a failed interval check naming MQTT-3.3.2-6.
 * The other eight devices' commands are delivered in time with a reduced interval.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forwardOriginalInterval, holdPastLifetime } from '../../helpers/mitm/expiry-lies.js';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun } from '../run/support.js';
import { assertClean, classes, classesOf, needsMosquitto, PER_TARGET, runExpiry, SUBSCRIBERS } from './support.js';

const LIED_TO = /^dev-.+-(3|6)$/;
const LIED = 2 * PER_TARGET;
const EACH = SUBSCRIBERS * PER_TARGET;

describe('lying broker: Message Expiry', { skip: needsMosquitto }, () => {
  it(`holds ${LIED} commands past their 8 s lifetime: exactly those delivered after expiry, MQTT-3.3.2-5, FAIL`, async (t) => {
    const ran = await runExpiry(useTeardown(t), { name: 'held', protocols: ['5'], lifetimes: ['8s'], away: '1500ms', afterHeal: '12s' }, [holdPastLifetime(LIED_TO, 10_000)]);
    const run = ran.run('5');
    const held = ran.mitm!.eventsOf('hold-past-lifetime');
    assert.equal(held.length, LIED, `the MITM held and then forwarded each of their commands once\n${describeRun(run, ran.log)}`);
    assertClean(ran, run, ['no expired message delivered']);
    assert.deepEqual(
      classesOf(run),
      classes({ sent: EACH, deliveredInTime: EACH - LIED, deliveredExpired: LIED, interval: { reduced: EACH - LIED } }),
      describeRun(run, ran.log),
    );
    // Delivered, so not lost; late, which only the expiry check judges.
    assert.deepEqual([run.redelivery.expected, run.redelivery.delivered, run.redelivery.lost, run.redelivery.unexpected, run.redelivery.outOfOrder], [EACH, EACH, 0, 0, 0]);
    const check = run.checks.find((c) => c.name === 'no expired message delivered')!;
    assert.equal(check.actual, LIED);
    assert.match(check.explanation, /^10 messages arrived after their Message Expiry Interval had passed \(up to [0-9.]+ s late\): the broker must delete an expired message, not deliver it \(MQTT-3\.3\.2-5\); e\.g\. devices\/(3|6) #\d from backend\/[01]: 8 s lifetime, arrived [0-9.]+ s after it was sent/);
  });

  it(`forwards the original 60 s interval to ${LIED} commands: exactly those not reduced, MQTT-3.3.2-6, FAIL`, async (t) => {
    const ran = await runExpiry(useTeardown(t), { name: 'original', protocols: ['5'], lifetimes: ['60s'], away: '3s' }, [forwardOriginalInterval(LIED_TO, 60)]);
    const run = ran.run('5');
    assert.equal(ran.mitm!.eventsOf('original-interval').length, LIED, 'the MITM rewrote each of their commands once');
    assertClean(ran, run, ['Message Expiry Interval reduced by the time waited']);
    assert.deepEqual(
      classesOf(run),
      classes({ sent: EACH, deliveredInTime: EACH, interval: { reduced: EACH - LIED, notReduced: LIED } }),
      describeRun(run, ran.log),
    );
    assert.deepEqual([run.redelivery.expected, run.redelivery.delivered, run.redelivery.lost], [EACH, EACH, 0]);
    const check = run.checks.find((c) => c.name === 'Message Expiry Interval reduced by the time waited')!;
    assert.equal(check.actual, LIED);
    assert.match(check.explanation, /^10 forwarded the original interval, not the time left: the broker must send the received interval minus the time the message waited \(MQTT-3\.3\.2-6\); e\.g\. devices\/(3|6) #\d from backend\/[01]: 60 s sent, 60 s forwarded after [0-9.]+ s in the broker/);
  });
});
