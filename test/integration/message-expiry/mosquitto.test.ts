/**
 * Message Expiry against a real Mosquitto, the same scenario under MQTT 3.1.1 and 5: ten
 * devices cut off while each is sent 5 commands per publish phase, each phase with its own
 * lifetime, then healed.
 * - lifetime shorter than the time away: under 5 all expire in the queue (none delivered,
 *   none lost); under 3.1.1 (no Message Expiry) all arrive, each at least the time away old;
 * - lifetime longer: all arrive, each with the interval reduced by the time it waited;
 * - both in one backlog: the short-lived expire, the long-lived arrive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { describeRun } from '../run/support.js';
import { assertClean, classes, classesOf, needsMosquitto, PER_TARGET, runExpiry, SUBSCRIBERS } from './support.js';

const EACH = SUBSCRIBERS * PER_TARGET;
const V5_CHECKS = ['no expired message delivered', 'Message Expiry Interval reduced by the time waited'];

describe('Message Expiry against Mosquitto, 3.1.1 and 5', { skip: needsMosquitto }, () => {
  it(`2 s lifetime, 4 s away: v5 all ${EACH} expire in the queue; 3.1.1 delivers all ${EACH}, each at least 4 s old`, async (t) => {
    const ran = await runExpiry(useTeardown(t), { name: 'short', protocols: ['3.1.1', '5'], lifetimes: ['2s'], away: '4s' });
    const v5 = ran.run('5');
    const v3 = ran.run('3.1.1');
    assertClean(ran, v5, []);
    assertClean(ran, v3, []);
    assert.deepEqual(classesOf(v5), classes({ sent: EACH, expiredInQueue: EACH }), describeRun(v5, ran.log));
    assert.deepEqual([v5.redelivery.offline, v5.redelivery.expected, v5.redelivery.delivered, v5.redelivery.lost], [EACH, 0, 0, 0]);
    assert.equal(v5.offlineAge, null, 'nothing sent while away arrived');
    assert.deepEqual(V5_CHECKS.map((n) => v5.checks.find((c) => c.name === n)?.passed), [true, true]);

    assert.equal(classesOf(v3), undefined, '3.1.1 sends no Message Expiry Interval');
    assert.deepEqual([v3.redelivery.offline, v3.redelivery.expected, v3.redelivery.delivered, v3.redelivery.lost], [EACH, EACH, EACH, 0]);
    assert.equal(v3.offlineAge?.count, EACH);
    // Sent before the 4 s wait, delivered after the heal that follows it.
    assert.ok(v3.offlineAge!.min! >= 4000, `youngest offline message ${v3.offlineAge!.min} ms old`);
    assert.ok(v3.notes.some((n) => n.startsWith('phases[5].publish.messageExpiry ignored for MQTT 3.1.1')), v3.notes.join('\n'));
    assert.ok(v3.checks.every((c) => !V5_CHECKS.includes(c.name)));
  });

  it(`60 s lifetime, 3 s away: all ${EACH} delivered in time under both, v5 each with a reduced interval`, async (t) => {
    const ran = await runExpiry(useTeardown(t), { name: 'long', protocols: ['3.1.1', '5'], lifetimes: ['60s'], away: '3s' });
    const v5 = ran.run('5');
    const v3 = ran.run('3.1.1');
    assertClean(ran, v5, []);
    assertClean(ran, v3, []);
    assert.deepEqual(classesOf(v5), classes({ sent: EACH, deliveredInTime: EACH, interval: { reduced: EACH } }), describeRun(v5, ran.log));
    assert.deepEqual([v5.redelivery.expected, v5.redelivery.delivered], [EACH, EACH]);
    assert.deepEqual([v3.redelivery.expected, v3.redelivery.delivered], [EACH, EACH]);
    assert.equal(v5.offlineAge?.count, EACH);
    assert.equal(v3.offlineAge?.count, EACH);
  });

  it(`2 s and 60 s lifetimes in one backlog, 4 s away: v5 ${EACH} expire, ${EACH} arrive reduced; 3.1.1 all ${2 * EACH} arrive`, async (t) => {
    const ran = await runExpiry(useTeardown(t), { name: 'mixed', protocols: ['3.1.1', '5'], lifetimes: ['2s', '60s'], away: '4s' });
    const v5 = ran.run('5');
    const v3 = ran.run('3.1.1');
    assertClean(ran, v5, []);
    assertClean(ran, v3, []);
    assert.deepEqual(
      classesOf(v5),
      classes({ sent: 2 * EACH, expiredInQueue: EACH, deliveredInTime: EACH, interval: { reduced: EACH } }),
      describeRun(v5, ran.log),
    );
    assert.deepEqual([v5.redelivery.offline, v5.redelivery.expected, v5.redelivery.delivered, v5.redelivery.lost], [2 * EACH, EACH, EACH, 0]);
    assert.deepEqual([v3.redelivery.offline, v3.redelivery.expected, v3.redelivery.delivered, v3.redelivery.lost], [2 * EACH, 2 * EACH, 2 * EACH, 0]);
    assert.equal(v3.offlineAge?.count, 2 * EACH);
    assert.ok(v3.explanations.some((e) => e.startsWith('MQTT 3.1.1 has no Message Expiry Interval: the broker delivers a queued message however old')), v3.explanations.join('\n'));
  });
});
