/**
 * A broker that stops acknowledging, forged by the lying MITM: after 4 publishes from each
 * publisher it swallows every later PUBLISH — neither forwarded nor answered — while the
 * connection stays up. The publish phase gives up ACK_STALL_MS (10 s) after the last
 * acknowledgement: 8 of 30 published and acknowledged, 22 sent and never acknowledged (not
 * the broker's to deliver, so not lost), none refused; INCOMPLETE, exit 1.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stallPublishes } from '../../helpers/mitm/refusals.js';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, facts, failedChecks, lyingBroker, needsMosquitto, PUBLISHERS, runScenarioCli, why } from './support.js';

const PER_TARGET = 5;
const ALL = DEVICES * PER_TARGET;
const PASSED = 4;
const ACKED = PUBLISHERS * PASSED;

describe('lying broker: publishes no longer acknowledged', { skip: needsMosquitto }, () => {
  for (const protocol of ['3.1.1', '5'] as const) {
    it(`MQTT ${protocol}: acknowledgements stop after ${PASSED} per publisher: ${ACKED} of ${ALL} acknowledged, ${ALL - ACKED} unacknowledged, INCOMPLETE, exit 1`, async (t) => {
      const td = useTeardown(t);
      const mitm = await lyingBroker(td, [stallPublishes(/^backend-/, PASSED)]);
      const ran = await runScenarioCli(td, { name: 'stall', broker: `{ url: "${mitm.url}" }`, protocols: [protocol], qos: 1, perTarget: PER_TARGET });
      assert.equal(mitm.eventsOf('stall').length, ALL - ACKED, 'the MITM swallowed every publish after the first 4 of each publisher');
      const run = ran.run(protocol);
      assert.equal(ran.code, 1, why(ran));
      assert.deepEqual(
        facts(run),
        {
          verdict: 'incomplete',
          counts: { expected: ACKED, delivered: ACKED, lost: 0, refused: 0, unacknowledged: ALL - ACKED, duplicates: 0, unexpected: 0 },
          shortfalls: [`phase 4 (publish backend → devices, ${PER_TARGET} each at QoS 1): ${ACKED} of ${ALL} published and acknowledged; ${ALL - ACKED} never acknowledged`],
          said: [],
        },
        why(ran),
      );
      assert.deepEqual(
        run.shortfalls?.map((s) => ({ kind: s.kind, phase: s.phase, done: s.done, of: s.of })),
        [{ kind: 'publish', phase: 3, done: ACKED, of: ALL }],
      );
      assert.deepEqual(failedChecks(run), []);
      assert.match(ran.stdout, /^\| verdict +\| INCOMPLETE +\|$/m, ran.stdout);
    });
  }
});
