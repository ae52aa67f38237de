/**
 * A broker that ends sessions early: on one subscriber's first reconnect after the cut the
 * MITM makes Mosquitto forget that client's session (it connects as the client with a clean
 * session first), so the broker answers Session Present 0 where the spec says 1 — 3.1.1
 * CleanSession=0 never ends, the v5 session has an hour left — and the backlog it held is
 * gone. The harness must count exactly that subscriber's backlog as lost, every loss
 * attributed to session-ended-early, and fail "no expected message lost" naming the
 * Session Present 0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endSessionEarly } from '../../helpers/mitm/lies.js';
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
  name: 'session-ended',
  protocols: ['3.1.1', '5'],
  session: '{ clean: false, expiry: 3600 }',
  qos: 1,
  online: 3,
  offline: 10,
};
const SUBSCRIBER = 2;

describe('lying broker: a session ended early', { skip: needsMosquitto }, () => {
  it(`Session Present 0 on one reconnect where the spec says 1: its ${SHAPE.offline} backlog messages lost, session-ended-early`, async (t) => {
    const td = useTeardown(t);
    const ran = await runThroughMitm(td, SHAPE, [endSessionEarly(new RegExp(`^dev-.+-${SUBSCRIBER}$`))]);
    assert.deepEqual(ran.result.runs.map((r) => r.id), ['3.1.1', '5']);

    for (const run of ran.result.runs) {
      const client = `dev-${nameToken(run.id)}-${SUBSCRIBER}`;
      assert.deepEqual(
        ran.mitm.eventsOf('end-session').filter((e) => e.clientId.startsWith(`dev-${nameToken(run.id)}-`)).map((e) => `${e.clientId}: ${e.detail}`),
        [`${client}: session present 0`],
        'the MITM ended the session once, and the broker then answered Session Present 0',
      );
      const honest = honestCounts(SHAPE);
      const lost = SHAPE.offline;
      assertExactly(
        ran,
        run,
        {
          ...honest,
          delivered: honest.expected - lost,
          lost,
          lostBy: { ...honest.lostBy, 'session-ended-early': lost },
          offlineDelivered: honest.offline - lost,
        },
        ['no expected message lost'],
      );
      const check = run.checks.find((c) => c.name === 'no expected message lost')!;
      assert.equal(
        check.explanation,
        `${lost} of ${honest.expected} expected messages lost on devices (1 of ${SUBSCRIBERS} clients): the broker answered Session Present 0 on 1 reconnect though the spec keeps the session`,
      );

      const views = subscriberViews(recordOf(ran, run.id));
      assert.deepEqual(whereNonZero(views, (v) => v.presentMissing), { [client]: 1 }, 'Session Present 0 seen for that subscriber only');
      assert.deepEqual(whereNonZero(views, (v) => v.lost.length), { [client]: lost });
      const backlog = Array.from({ length: SHAPE.offline }, (_, i) => SHAPE.online + i);
      assert.deepEqual(views.get(client)!.lost, backlog, 'lost exactly its backlog');
    }
  });
});
