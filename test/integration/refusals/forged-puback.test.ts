/**
 * MQTT 5, PUBACK 0x97 Quota exceeded forged by the lying MITM: the publishes of seqs 1 and
 * 3 to devices 2 and 4 (both served by publisher 0) are answered PUBACK 0x97 (PUBREC 0x97
 * at QoS 2) and never reach the broker. Those 4 are refused — neither sent nor lost — the
 * other 26 delivered, and the run is INCOMPLETE, exit 1.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pubackCode } from '../../helpers/mitm/refusals.js';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, facts, failedChecks, lyingBroker, needsMosquitto, runScenarioCli, saidCount, why } from './support.js';

const PER_TARGET = 5;
const ALL = DEVICES * PER_TARGET;
const REFUSED = 4;

describe('lying broker: PUBACK / PUBREC 0x97 Quota exceeded (MQTT 5)', { skip: needsMosquitto }, () => {
  for (const qos of [1, 2] as const) {
    const ack = qos === 1 ? 'PUBACK' : 'PUBREC';
    it(`QoS ${qos}: ${REFUSED} publishes answered ${ack} 0x97: refused, the other ${ALL - REFUSED} delivered, INCOMPLETE, exit 1`, async (t) => {
      const td = useTeardown(t);
      const mitm = await lyingBroker(td, [pubackCode(0x97, { topics: /^refuse\/5\/[24]$/, seqs: [1, 3] })]);
      const ran = await runScenarioCli(td, { name: `quota-${qos}`, broker: `{ url: "${mitm.url}" }`, protocols: ['5'], qos, perTarget: PER_TARGET });
      assert.deepEqual(
        mitm.eventsOf('puback-code').map((e) => `${e.detail}#${e.seq}`).sort(),
        ['refuse/5/2#1', 'refuse/5/2#3', 'refuse/5/4#1', 'refuse/5/4#3'],
        'the MITM refused each chosen publish once',
      );
      const run = ran.run('5');
      assert.equal(ran.code, 1, why(ran));
      assert.deepEqual(
        facts(run),
        {
          verdict: 'incomplete',
          counts: { expected: ALL - REFUSED, delivered: ALL - REFUSED, lost: 0, refused: REFUSED, unacknowledged: 0, duplicates: 0, unexpected: 0 },
          shortfalls: [
            `phase 4 (publish backend → devices, ${PER_TARGET} each at QoS ${qos}): ${ALL - REFUSED} of ${ALL} published and acknowledged; ${REFUSED} refused; the broker: ${ack} 0x97 Quota exceeded (N×, e.g. backend-5-K: ${ack} 0x97 for PUBLISH refuse/5/K (QoS ${qos}))`,
          ],
          said: [`backend refused ${ack} 0x97 Quota exceeded N× (1/2)`],
        },
        why(ran),
      );
      assert.equal(saidCount(run, 'backend', `${ack} 0x97 Quota exceeded`), REFUSED);
      assert.equal(run.shortfalls?.[0]?.text, `phase 4 (publish backend → devices, ${PER_TARGET} each at QoS ${qos}): ${ALL - REFUSED} of ${ALL} published and acknowledged; ${REFUSED} refused; the broker: ${ack} 0x97 Quota exceeded (${REFUSED}×, e.g. backend-5-0: ${ack} 0x97 for PUBLISH refuse/5/2 (QoS ${qos}))`);
      assert.deepEqual(failedChecks(run), []);
      assert.deepEqual(run.explanations, [
        'Nothing was sent to devices while they were offline, so their session settings were not put to the test.',
        `${REFUSED} messages were refused by the broker (see what it said): neither sent nor lost, and the run is incomplete for them.`,
      ]);
      assert.match(ran.stdout, /^\| verdict +\| INCOMPLETE +\|$/m, ran.stdout);
      assert.match(ran.stdout, new RegExp(`^\\| refused by the broker +\\| ${REFUSED} +\\|$`, 'm'), ran.stdout);
    });
  }
});
