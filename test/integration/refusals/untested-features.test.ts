/**
 * A v5 scenario that asks for a Receive Maximum and sends Message Expiry Intervals to
 * devices cut off, against a broker that grants QoS 0 to their subscriptions (the lying MITM
 * rewrites the SUBSCRIBE, so Mosquitto really holds nothing for them): no QoS 1 message is
 * ever in flight and no expiry is ever judged, so both built-in checks would hold on
 * nothing. The run was a PASS, exit 0; it is INCOMPLETE, exit 1, naming both features and
 * the grant. The same scenario against the honest broker is a PASS: the shortfalls come
 * from the grant, not from the scenario.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantQos0 } from '../../helpers/mitm/refusals.js';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, failedChecks, lyingBroker, needsMosquitto, runScenarioCli, shortfallTexts, why, type Shape } from './support.js';

const PER_TARGET = 5;
const RECEIVE_MAXIMUM = 2;
const shape = (broker: string): Shape => ({
  name: 'untested',
  broker,
  protocols: ['5'],
  session: `{ clean: false, expiry: 3600, receiveMaximum: ${RECEIVE_MAXIMUM} }`,
  qos: 1,
  perTarget: PER_TARGET,
  publishWith: 'messageExpiry: 60s',
  cut: { away: '300ms' },
});

describe('Receive Maximum and Message Expiry asked, subscriptions granted QoS 0 (MQTT 5)', { skip: needsMosquitto }, () => {
  it('neither feature exercised: INCOMPLETE with two untested shortfalls naming the grant, exit 1; the honest broker: PASS', async (t) => {
    const td = useTeardown(t);
    const lying = await lyingBroker(td, [grantQos0(/^devices-/)]);
    const ran = await runScenarioCli(td, shape(`{ url: "${lying.url}" }`));
    assert.equal(lying.eventsOf('grant-qos0').length, DEVICES, "each device's one subscription was granted QoS 0");
    const run = ran.run('5');
    assert.equal(run.verdict, 'incomplete', why(ran));
    assert.equal(ran.code, 1, why(ran));
    assert.deepEqual(failedChecks(run), [], 'nothing the broker did broke the spec');
    assert.equal(run.redelivery.expected, 0, why(ran));
    assert.deepEqual(
      (run.shortfalls ?? []).map((s) => ({ kind: s.kind, done: s.done, of: s.of })),
      [
        { kind: 'untested', done: 0, of: 1 },
        { kind: 'untested', done: 0, of: DEVICES * PER_TARGET },
      ],
      why(ran),
    );
    const grant = `the broker granted QoS 0 to the subscriptions of ${DEVICES} of ${DEVICES} devices`;
    assert.deepEqual(shortfallTexts(run), [
      `Receive Maximum ${RECEIVE_MAXIMUM} of devices was never tested: no QoS 1 or 2 message was in flight to it: ${grant}, asked at QoS 1, so nothing was held or in flight for them`,
      `Message Expiry was never tested: of ${DEVICES * PER_TARGET} messages sent with an interval, none was owed to a subscriber and judged: ${grant}, so nothing was held or in flight for them`,
    ]);
    assert.match(ran.stdout, /^\| verdict +\| INCOMPLETE +\|$/m, ran.stdout);

    const honest = await lyingBroker(td, []);
    const control = await runScenarioCli(td, shape(`{ url: "${honest.url}" }`));
    const ok = control.run('5');
    assert.equal(ok.verdict, 'pass', why(control));
    assert.equal(control.code, 0, why(control));
    assert.deepEqual(ok.shortfalls, [], why(control));
    assert.equal(ok.redelivery.delivered, DEVICES * PER_TARGET, why(control));
    assert.equal(ok.messageExpiry?.deliveredInTime, DEVICES * PER_TARGET, why(control));
  });
});
