/**
 * Mosquitto with `max_qos 1`, a scenario at QoS 2 (subscriptions and publishes) — the
 * issue's first case. Observed (Mosquitto 2.0.11): a SUBSCRIBE at QoS 2 is granted QoS 1
 * under both protocols; a QoS 2 PUBLISH makes the broker close the connection (3.1.1) or
 * send DISCONNECT 0x9B QoS not supported (5, whose CONNACK said Maximum QoS 1). Nothing can
 * be published: every message is refused (neither sent nor lost), the run is INCOMPLETE and
 * exits 1 — never the PASS the issue saw for v5 without expiry — and the summary says the
 * subscriptions were judged at QoS 1.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, facts, needsMosquitto, runScenarioCli, saidCount, why } from './support.js';

const PER_TARGET = 5;
const ALL = DEVICES * PER_TARGET;
const PHASE = `phase 4 (publish backend → devices, ${PER_TARGET} each at QoS 2)`;
const GRANTED = `devices: the broker granted QoS 1 to the subscriptions of ${DEVICES} of ${DEVICES} clients, asked at QoS 2, so their messages were judged at QoS 1 (duplicates allowed and shown): exactly-once was not tested on this broker.`;
const NOT_OFFLINE = 'Nothing was sent to devices while they were offline, so their session settings were not put to the test.';
const REFUSED = `${ALL} messages were refused by the broker (see what it said): neither sent nor lost, and the run is incomplete for them.`;

const WANT = {
  '3.1.1': {
    shortfalls: [`${PHASE}: 0 of ${ALL} published and acknowledged; ${ALL} refused; the broker: closed the connection after PUBLISH (QoS 2) (N×, e.g. backend-3_1_1-K: PUBLISH refuse/3_1_1/K (QoS 2))`],
    said: ['backend refused closed the connection after PUBLISH (QoS 2) N× (2/2)', `devices changed SUBACK granted QoS 1 for QoS 2 N× (${DEVICES}/${DEVICES})`],
    explanations: [NOT_OFFLINE, GRANTED, REFUSED],
  },
  '5': {
    shortfalls: [
      `${PHASE}: 0 of ${ALL} published and acknowledged; ${ALL} refused; the broker: DISCONNECT 0x9B QoS not supported (N×, e.g. backend-5-K: DISCONNECT 0x9B after PUBLISH refuse/5/K (QoS 2)); Maximum QoS 1 (the scenario uses QoS 2) (N×, e.g. backend-5-K: Maximum QoS 1)`,
    ],
    said: ['backend refused DISCONNECT 0x9B QoS not supported N× (2/2)', 'backend changed Maximum QoS 1 (the scenario uses QoS 2) N× (2/2)', `devices changed SUBACK granted QoS 1 for QoS 2 N× (${DEVICES}/${DEVICES})`],
    explanations: [
      NOT_OFFLINE,
      'backend: the broker\'s CONNACK says Maximum QoS 1 (MQTT 5 §3.2.2.3.4): publishes above it are a protocol error it answers with DISCONNECT 0x9B.',
      GRANTED,
      REFUSED,
    ],
  },
} as const;

describe('Mosquitto max_qos 1, a scenario at QoS 2', { skip: needsMosquitto }, () => {
  for (const protocol of ['3.1.1', '5'] as const) {
    it(`MQTT ${protocol}: ${ALL} of ${ALL} QoS 2 publishes refused, subscriptions judged at QoS 1: INCOMPLETE, exit 1`, async (t) => {
      const td = useTeardown(t);
      const ran = await runScenarioCli(td, { name: 'max-qos', broker: '{ mosquitto: { max_qos: 1 } }', protocols: [protocol], qos: 2, perTarget: PER_TARGET });
      const run = ran.run(protocol);
      const want = WANT[protocol];
      assert.equal(ran.code, 1, why(ran));
      assert.deepEqual(
        facts(run),
        {
          verdict: 'incomplete',
          counts: { expected: 0, delivered: 0, lost: 0, refused: ALL, unacknowledged: 0, duplicates: 0, unexpected: 0 },
          shortfalls: want.shortfalls,
          said: want.said,
        },
        why(ran),
      );
      assert.equal(saidCount(run, 'devices', 'SUBACK granted QoS 1 for QoS 2'), DEVICES, 'one SUBACK per device');
      assert.deepEqual(run.explanations, want.explanations, why(ran));
      assert.deepEqual(run.checks.filter((c) => !c.passed), [], 'no check failed: nothing was lost, the run is incomplete');
      assert.match(ran.stdout, /^\| verdict +\| INCOMPLETE +\|$/m, ran.stdout);
      assert.match(ran.stdout, /\| session +\| [^|]*QoS 2 \(granted QoS 1\) +\|/, ran.stdout);
      assert.match(ran.stdout, new RegExp(`^\\| refused by the broker +\\| ${ALL} +\\|$`, 'm'), ran.stdout);
    });
  }
});
