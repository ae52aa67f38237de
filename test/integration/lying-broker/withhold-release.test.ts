/**
 * A broker that never releases chosen QoS 2 messages: the MITM lets each PUBLISH and the
 * client's PUBREC through, then swallows the broker's PUBREL (answering PUBCOMP itself), so
 * the client holds the messages and never hands them over. The harness must report exactly
 * those as lost, and say why: the client saw the PUBLISH and acknowledged it, and no PUBREL
 * came ("never-released"), not "cause unknown". Aedes 1.2 does this under load (see
 * lies.ts withholdRelease).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withholdRelease } from '../../helpers/mitm/lies.js';
import { useTeardown } from '../../helpers/teardown.js';
import { nameToken } from '../../../src/scenario/topic-names.js';
import {
  assertExactly,
  honestCounts,
  needsMosquitto,
  recordOf,
  runThroughMitm,
  SUBSCRIBERS,
  subscriberViews,
  whereNonZero,
  type Shape,
} from './support.js';

const SHAPE: Shape = {
  name: 'withhold',
  protocols: ['3.1.1', '5'],
  session: '{ clean: false, expiry: 3600 }',
  qos: 2,
  online: 3,
  offline: 10,
};

// Online seqs are 0..2, the backlog 3..12.
const WITHHELD: Record<string, number[]> = { '3': [1, 6], '6': [9] };
const LOST = Object.values(WITHHELD).flat().length;

describe('lying broker: QoS 2 messages never released', { skip: needsMosquitto }, () => {
  it(`${LOST} PUBRELs withheld from 2 of ${SUBSCRIBERS} subscribers: lost == ${LOST}, exactly those, attributed to the missing PUBREL, fail`, async (t) => {
    const td = useTeardown(t);
    const lies = Object.entries(WITHHELD).map(([i, seqs]) => withholdRelease(new RegExp(`^dev-.+-${i}$`), seqs));
    const ran = await runThroughMitm(td, SHAPE, lies);
    assert.deepEqual(ran.result.runs.map((r) => r.id), ['3.1.1', '5']);

    for (const run of ran.result.runs) {
      assert.deepEqual(
        ran.mitm.eventsOf('withhold-release').filter((e) => e.clientId.startsWith(`dev-${nameToken(run.id)}-`)).map((e) => `${e.clientId}#${e.seq}`).sort(),
        [`dev-${nameToken(run.id)}-3#1`, `dev-${nameToken(run.id)}-3#6`, `dev-${nameToken(run.id)}-6#9`],
        'the MITM withheld the PUBREL of each chosen message once',
      );
      const honest = honestCounts(SHAPE);
      assertExactly(
        ran,
        run,
        {
          ...honest,
          delivered: honest.expected - LOST,
          lost: LOST,
          lostBy: { ...honest.lostBy, 'never-released': LOST },
          offlineDelivered: honest.offline - 2,
        },
        ['no expected message lost'],
      );
      const check = run.checks.find((c) => c.name === 'no expected message lost')!;
      assert.equal(
        check.explanation,
        `${LOST} of ${honest.expected} expected messages lost on devices (2 of ${SUBSCRIBERS} clients): the broker never sent PUBREL for QoS 2 messages the clients had received and acknowledged with PUBREC, so they were never handed over (MQTT-4.3.3: a broker fault)`,
      );

      const views = subscriberViews(recordOf(ran, run.id));
      assert.deepEqual(whereNonZero(views, (v) => v.lost.length), { [`dev-${nameToken(run.id)}-3`]: 2, [`dev-${nameToken(run.id)}-6`]: 1 }, 'lost only by the two');
      assert.deepEqual(views.get(`dev-${nameToken(run.id)}-3`)!.lost, WITHHELD['3']);
      assert.deepEqual(views.get(`dev-${nameToken(run.id)}-6`)!.lost, WITHHELD['6']);
    }
  });
});
