/**
 * SUBACKs Mosquitto never sends, forged by the lying MITM:
 * - 0x80 (3.1.1 Failure, 5 Unspecified error) for device 3's topic, the broker never holding
 *   that subscription: the subscribe phase falls short (5 of 6), the run is INCOMPLETE and
 *   exits 1, though every message owed to the five others arrived.
 * - QoS 1 granted to QoS 2 subscriptions (the SUBSCRIBE rewritten, so the broker really
 *   delivers at QoS 1), devices cut off while they are sent their messages: judged at QoS 1,
 *   with the note that exactly-once was not tested, and shown as "QoS 2 (granted QoS 1)" —
 *   the issue saw a PASS with "QoS 2" and no word of it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downgradeSubscription, subackFailure } from '../../helpers/mitm/refusals.js';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, facts, failedChecks, lyingBroker, needsMosquitto, runScenarioCli, saidCount, why, token } from './support.js';

const PER_TARGET = 5;
const ALL = DEVICES * PER_TARGET;
const FAILURE = { '3.1.1': '0x80 Failure', '5': '0x80 Unspecified error' } as const;

describe('lying broker: SUBACK refusals and downgrades', { skip: needsMosquitto }, () => {
  for (const protocol of ['3.1.1', '5'] as const) {
    it(`MQTT ${protocol}: SUBACK 0x80 for device 3: subscribed 5 of ${DEVICES}, INCOMPLETE, exit 1`, async (t) => {
      const td = useTeardown(t);
      const mitm = await lyingBroker(td, [subackFailure(/^refuse\/[^/]+\/3$/)]);
      const ran = await runScenarioCli(td, { name: 'suback', broker: `{ url: "${mitm.url}" }`, protocols: [protocol], qos: 1, perTarget: PER_TARGET });
      assert.deepEqual(mitm.events, [{ lie: 'suback-failure', clientId: `devices-${token(protocol)}-3`, detail: `refuse/${token(protocol)}/3` }], 'the MITM refused one subscription, once');
      const run = ran.run(protocol);
      assert.equal(ran.code, 1, why(ran));
      assert.deepEqual(
        facts(run),
        {
          verdict: 'incomplete',
          counts: { expected: ALL - PER_TARGET, delivered: ALL - PER_TARGET, lost: 0, refused: 0, unacknowledged: 0, duplicates: 0, unexpected: 0 },
          shortfalls: [`phase 2 (subscribe devices): subscribed ${DEVICES - 1} of ${DEVICES}; 1 refused; the broker: SUBACK ${FAILURE[protocol]} (N×, e.g. devices-${token(protocol)}-K: SUBACK refuse/${token(protocol)}/K → 0x80)`],
          said: [`devices refused SUBACK ${FAILURE[protocol]} N× (1/${DEVICES})`],
        },
        why(ran),
      );
      assert.equal(saidCount(run, 'devices', `SUBACK ${FAILURE[protocol]}`), 1);
      assert.deepEqual(run.shortfalls?.[0] && { kind: run.shortfalls[0].kind, phase: run.shortfalls[0].phase, done: run.shortfalls[0].done, of: run.shortfalls[0].of }, { kind: 'subscribe', phase: 1, done: DEVICES - 1, of: DEVICES });
      assert.deepEqual(failedChecks(run), []);
      assert.match(ran.stdout, /^\| verdict +\| INCOMPLETE +\|$/m, ran.stdout);
    });

    it(`MQTT ${protocol}: QoS 2 subscriptions granted QoS 1: judged at QoS 1, exactly-once not tested, said so; PASS, exit 0`, async (t) => {
      const td = useTeardown(t);
      const mitm = await lyingBroker(td, [downgradeSubscription(/^devices-/)]);
      const ran = await runScenarioCli(td, { name: 'downgrade', broker: `{ url: "${mitm.url}" }`, protocols: [protocol], qos: 2, perTarget: PER_TARGET, cut: { away: '300ms' } });
      assert.equal(mitm.eventsOf('downgrade').length, DEVICES, 'each device\'s one SUBSCRIBE was downgraded');
      const run = ran.run(protocol);
      assert.equal(ran.code, 0, why(ran));
      assert.deepEqual(
        facts(run),
        {
          verdict: 'pass',
          counts: { expected: ALL, delivered: ALL, lost: 0, refused: 0, unacknowledged: 0, duplicates: 0, unexpected: 0 },
          shortfalls: [],
          said: [`devices changed SUBACK granted QoS 1 for QoS 2 N× (${DEVICES}/${DEVICES})`],
        },
        why(ran),
      );
      assert.equal(saidCount(run, 'devices', 'SUBACK granted QoS 1 for QoS 2'), DEVICES);
      assert.equal(run.explanations.length, 2, why(ran));
      assert.equal(
        run.explanations[1],
        `devices: the broker granted QoS 1 to the subscriptions of ${DEVICES} of ${DEVICES} clients, asked at QoS 2, so their messages were judged at QoS 1 (duplicates allowed and shown): exactly-once was not tested on this broker.`,
      );
      assert.match(ran.stdout, /^\| verdict +\| PASS +\|$/m, ran.stdout);
      assert.match(ran.stdout, /\| session +\| [^|]*QoS 2 \(granted QoS 1\) +\|/, ran.stdout);
    });
  }
});
