/**
 * A broker that breaks ordering (MQTT §4.6): the MITM holds back one message of one
 * subscriber's offline backlog and delivers it right after the next one. The harness must
 * count exactly one message out of order, for that subscriber only, lose nothing and see no
 * duplicate; ordering has no built-in check, so the scenario's own
 * `redelivery.outOfOrder == 0` is the one that fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reorder } from '../../helpers/mitm/lies.js';
import { useTeardown } from '../../helpers/teardown.js';
import { nameToken } from '../../../src/scenario/topic-names.js';
import { assertExactly, honestCounts, needsMosquitto, recordOf, runThroughMitm, subscriberViews, whereNonZero, type Shape } from './support.js';

const SHAPE: Shape = {
  name: 'reorder',
  protocols: ['3.1.1', '5'],
  session: '{ clean: false, expiry: 3600 }',
  qos: 1,
  online: 3,
  offline: 10,
  expect: ['redelivery.outOfOrder == 0'],
};
const SUBSCRIBER = 7;
/** In the backlog (online seqs are 0..2): delivered after SEQ + 1. */
const SEQ = 5;

describe('lying broker: two messages reordered', { skip: needsMosquitto }, () => {
  it(`seq ${SEQ} delivered after seq ${SEQ + 1} to one subscriber: outOfOrder == 1 there and nowhere else, nothing lost`, async (t) => {
    const td = useTeardown(t);
    const ran = await runThroughMitm(td, SHAPE, [reorder(new RegExp(`^dev-.+-${SUBSCRIBER}$`), SEQ)]);
    assert.deepEqual(ran.result.runs.map((r) => r.id), ['3.1.1', '5']);

    for (const run of ran.result.runs) {
      const client = `dev-${nameToken(run.id)}-${SUBSCRIBER}`;
      assert.deepEqual(
        ran.mitm.eventsOf('reorder').filter((e) => e.clientId.startsWith(`dev-${nameToken(run.id)}-`)).map((e) => `${e.clientId}#${e.seq} ${e.detail}`),
        [`${client}#${SEQ} after ${SEQ + 1}`],
        'the MITM swapped the two messages, once',
      );
      assertExactly(ran, run, { ...honestCounts(SHAPE), outOfOrder: 1 }, ['redelivery.outOfOrder == 0']);
      const check = run.checks.find((c) => c.name === 'redelivery.outOfOrder == 0')!;
      assert.equal(check.actual, 1);

      const views = subscriberViews(recordOf(ran, run.id));
      assert.deepEqual(whereNonZero(views, (v) => v.tally.outOfOrder), { [client]: 1 }, 'out of order for that subscriber only');
      const order = views.get(client)!.arrivals;
      assert.deepEqual(order.slice(order.indexOf(SEQ + 1), order.indexOf(SEQ + 1) + 2), [SEQ + 1, SEQ], 'arrived swapped');
    }
  });
});
