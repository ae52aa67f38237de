/**
 * The control for every lying-broker test: the same MITM with no lie, in front of the same
 * Mosquitto, the same scenario shape. Everything must come out clean — every message owed,
 * every one delivered once and in order, nothing else — under 3.1.1 and v5 alike. If this
 * fails, the MITM (not the harness) is suspect, and the lie tests mean nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { assertExactly, honestCounts, needsMosquitto, recordOf, runThroughMitm, SUBSCRIBERS, subscriberViews, type Shape } from './support.js';

const SHAPE: Shape = {
  name: 'honest',
  protocols: ['3.1.1', '5'],
  session: '{ clean: false, expiry: 3600 }',
  qos: 1,
  online: 3,
  offline: 10,
  expect: ['redelivery.outOfOrder == 0', 'redelivery.duplicates == 0'],
};

describe('lying broker, no lie: an honest broker through the MITM', { skip: needsMosquitto }, () => {
  it(`QoS 1 and QoS 2, ${SUBSCRIBERS} persistent subscribers through a cut: everything owed, everything delivered once, in order; pass`, async (t) => {
    const td = useTeardown(t);
    for (const qos of [1, 2] as const) {
      const shape = { ...SHAPE, name: `honest-qos${qos}`, qos };
      const ran = await runThroughMitm(td, shape, []);
      assert.deepEqual(ran.mitm.events, [], 'the MITM told no lie');
      assert.deepEqual(ran.result.runs.map((r) => r.id), ['3.1.1', '5']);
      for (const run of ran.result.runs) {
        assertExactly(ran, run, honestCounts(shape), []);
        for (const view of subscriberViews(recordOf(ran, run.id)).values()) {
          const all = Array.from({ length: shape.online + shape.offline }, (_, i) => i);
          assert.deepEqual(view.arrivals, all, `${view.clientId}: every message once, in order (QoS ${qos}, run ${run.id})`);
        }
      }
    }
  });
});
