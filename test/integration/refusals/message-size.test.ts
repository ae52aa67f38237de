/**
 * Mosquitto with `message_size_limit 200`: a first publish phase of 64-byte payloads (3 per
 * device) goes through, a second one of 500-byte payloads (2 per device) is refused.
 * Observed (Mosquitto 2.0.11, raw client): under 3.1.1 the broker acknowledges each big
 * PUBLISH and drops it (log: "Dropped too large PUBLISH"); under 5 it answers PUBACK 0x95
 * Packet too large (PUBREC 0x95 at QoS 2) — a code MQTT 5 §3.4.2.1 does not list for
 * PUBACK, which mqtt-packet's parser rejects ("Invalid puback reason code"), so mqtt.js
 * never reports that acknowledgement at all.
 *
 * What the harness must say: under 3.1.1 a loss (FAIL) attributed to message_size_limit,
 * which it set itself on the managed broker; under 5 the refusal (INCOMPLETE), with the
 * broker's 0x95 named as a code the spec does not allow there — not "never acknowledged".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, facts, needsMosquitto, runScenarioCli, saidCount, why, type Shape } from './support.js';

const SMALL = 3;
const BIG = 2;
const shape = (protocol: '3.1.1' | '5'): Shape => ({
  name: 'size',
  broker: '{ mosquitto: { message_size_limit: 200 } }',
  protocols: [protocol],
  qos: 1,
  perTarget: SMALL,
  phases: [`publish: { from: backend, to: devices, perTarget: ${BIG}, qos: 1, payloadBytes: 500 }`],
});

describe('Mosquitto message_size_limit 200: 64-byte messages pass, 500-byte ones are refused', { skip: needsMosquitto }, () => {
  it(`MQTT 3.1.1: the ${DEVICES * BIG} big messages acknowledged and dropped: lost, attributed to message_size_limit, FAIL, exit 1`, async (t) => {
    const td = useTeardown(t);
    const ran = await runScenarioCli(td, shape('3.1.1'));
    const run = ran.run('3.1.1');
    assert.equal(ran.code, 1, why(ran));
    assert.deepEqual(
      facts(run),
      {
        verdict: 'fail',
        counts: { expected: DEVICES * (SMALL + BIG), delivered: DEVICES * SMALL, lost: DEVICES * BIG, refused: 0, unacknowledged: 0, duplicates: 0, unexpected: 0 },
        shortfalls: [],
        said: [],
      },
      why(ran),
    );
    const check = run.checks.find((c) => c.name === 'no expected message lost');
    assert.ok(check && !check.passed, why(ran));
    // The harness set message_size_limit on the broker it manages and sent payloads above
    // it: a broker limit explains this loss, and the explanation must name it.
    assert.doesNotMatch(check.explanation, /no broker limit/, `the harness set the limit itself\n${why(ran)}`);
    assert.equal(
      check.explanation,
      `${BIG} of ${SMALL + BIG} expected messages per client lost on devices: Mosquitto message_size_limit is 200 B: it acknowledged the larger publishes and dropped them (MQTT 3.1.1 cannot refuse a publish; MQTT 5 answers PUBACK 0x95)`,
      why(ran),
    );
    assert.equal(run.redelivery.lostBy['size-limit'], DEVICES * BIG, why(ran));
  });

  it(`MQTT 5: the ${DEVICES * BIG} big messages answered PUBACK 0x95: refused, neither sent nor lost, INCOMPLETE, exit 1`, async (t) => {
    const td = useTeardown(t);
    const ran = await runScenarioCli(td, shape('5'));
    const run = ran.run('5');
    const big = DEVICES * BIG;
    assert.equal(ran.code, 1, why(ran));
    assert.deepEqual(
      facts(run),
      {
        verdict: 'incomplete',
        counts: { expected: DEVICES * SMALL, delivered: DEVICES * SMALL, lost: 0, refused: big, unacknowledged: 0, duplicates: 0, unexpected: 0 },
        shortfalls: [
          `phase 5 (publish backend → devices, ${BIG} each at QoS 1): 0 of ${big} published and acknowledged; ${big} refused; the broker: PUBACK 0x95 Packet too large (a code MQTT 5 does not allow in PUBACK, §3.4.2.1) (N×, e.g. backend-5-K: PUBACK 0x95 for PUBLISH refuse/5/K (QoS 1))`,
        ],
        said: ['backend refused PUBACK 0x95 Packet too large (a code MQTT 5 does not allow in PUBACK, §3.4.2.1) N× (2/2)'],
      },
      why(ran),
    );
    assert.equal(saidCount(run, 'backend', 'PUBACK 0x95 Packet too large (a code MQTT 5 does not allow in PUBACK, §3.4.2.1)'), big);
  });
});
