/**
 * A broker that breaks exactly-once: the MITM delivers one QoS 2 message of the offline
 * backlog twice to one subscriber — the broker's PUBLISH, then a copy under another packet
 * id, so mqtt.js cannot tell them apart and hands both over. The harness must count one
 * QoS 2 duplicate (and one duplicate in all), lose nothing, and fail only "no QoS 2
 * duplicates", naming MQTT-4.3.3-10.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duplicateQos2 } from '../../helpers/mitm/lies.js';
import { useTeardown } from '../../helpers/teardown.js';
import { nameToken } from '../../../src/scenario/topic-names.js';
import { assertExactly, honestCounts, needsMosquitto, recordOf, runThroughMitm, subscriberViews, whereNonZero, type Shape } from './support.js';

const SHAPE: Shape = {
  name: 'duplicate',
  protocols: ['3.1.1', '5'],
  session: '{ clean: false, expiry: 3600 }',
  qos: 2,
  online: 3,
  offline: 10,
};
const SUBSCRIBER = 4;
/** In the backlog (online seqs are 0..2). */
const SEQ = 7;

describe('lying broker: a QoS 2 delivery duplicated', { skip: needsMosquitto }, () => {
  it('one backlog message delivered twice at QoS 2: qos2Duplicates == 1, nothing lost, fail on exactly-once', async (t) => {
    const td = useTeardown(t);
    const ran = await runThroughMitm(td, SHAPE, [duplicateQos2(new RegExp(`^dev-.+-${SUBSCRIBER}$`), [SEQ])]);
    assert.deepEqual(ran.result.runs.map((r) => r.id), ['3.1.1', '5']);

    for (const run of ran.result.runs) {
      const client = `dev-${nameToken(run.id)}-${SUBSCRIBER}`;
      assert.deepEqual(
        ran.mitm.eventsOf('duplicate').filter((e) => e.clientId.startsWith(`dev-${nameToken(run.id)}-`)).map((e) => `${e.clientId}#${e.seq}`),
        [`${client}#${SEQ}`],
        'the MITM sent the chosen message twice, once',
      );
      assertExactly(ran, run, { ...honestCounts(SHAPE), duplicates: 1, qos2Duplicates: 1 }, ['no QoS 2 duplicates']);
      const check = run.checks.find((c) => c.name === 'no QoS 2 duplicates')!;
      assert.equal(check.actual, 1);
      assert.equal(check.explanation, '1 extra copies of QoS 2 messages on devices: exactly-once broken (MQTT-4.3.3-10)');

      const views = subscriberViews(recordOf(ran, run.id));
      assert.deepEqual(whereNonZero(views, (v) => v.tally.qos2Duplicates), { [client]: 1 }, 'the duplicate is that subscriber\'s');
      assert.deepEqual(whereNonZero(views, (v) => v.lost.length), {});
    }
  });
});
