/**
 * A broker that keeps what it must not: v5 subscribers with Clean Start=0 and the default
 * Session Expiry Interval 0, whose sessions end the moment the cut closes their connections.
 * Mosquitto rightly keeps nothing for them; the MITM records what the publishers send to
 * two of them while they are away and delivers those copies on their reconnect anyway.
 * The harness must count exactly the replayed messages as unexpected — none owed, none
 * lost — and fail only "no unexpected messages".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayOffline } from '../../helpers/mitm/lies.js';
import { useTeardown } from '../../helpers/teardown.js';
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
  name: 'replay',
  protocols: ['5'],
  session: '{ clean: false, expiry: 0 }',
  qos: 1,
  online: 3,
  offline: 10,
};
const REPLAYED_TO = [1, 8];

describe('lying broker: messages an expired v5 session should not have', { skip: needsMosquitto }, () => {
  it(`the backlog of ${REPLAYED_TO.length} expired sessions replayed: unexpected == ${REPLAYED_TO.length * SHAPE.offline}, nothing owed lost`, async (t) => {
    const td = useTeardown(t);
    const ran = await runThroughMitm(td, SHAPE, [replayOffline(new RegExp(`^dev-5-(${REPLAYED_TO.join('|')})$`))]);
    const run = ran.result.runs[0]!;
    assert.deepEqual(ran.result.runs.map((r) => r.id), ['5']);

    const replayed = ran.mitm.eventsOf('replay');
    const backlog = Array.from({ length: SHAPE.offline }, (_, i) => SHAPE.online + i);
    for (const i of REPLAYED_TO) {
      assert.deepEqual(
        replayed.filter((e) => e.clientId === `dev-5-${i}`).map((e) => e.seq),
        backlog,
        `the MITM replayed dev-5-${i}'s whole backlog, once`,
      );
    }
    const unexpected = REPLAYED_TO.length * SHAPE.offline;
    assert.equal(replayed.length, unexpected);

    // Session Expiry Interval 0: only the online messages are owed; the backlog had no session.
    const honest = honestCounts(SHAPE);
    assertExactly(
      ran,
      run,
      {
        ...honest,
        expected: SUBSCRIBERS * SHAPE.online,
        delivered: SUBSCRIBERS * SHAPE.online,
        unexpected,
        noSession: SUBSCRIBERS * SHAPE.offline,
        offlineDelivered: unexpected,
      },
      ['no unexpected messages'],
    );
    const check = run.checks.find((c) => c.name === 'no unexpected messages')!;
    assert.equal(check.actual, unexpected);
    assert.equal(
      check.explanation,
      `${unexpected} messages arrived on devices though the spec had no session to hold them: sent while no session held a subscription for them`,
    );

    const views = subscriberViews(recordOf(ran, run.id));
    assert.deepEqual(
      whereNonZero(views, (v) => v.unexpected.length),
      Object.fromEntries(REPLAYED_TO.map((i) => [`dev-5-${i}`, SHAPE.offline])),
      'unexpected only where the MITM replayed',
    );
    for (const i of REPLAYED_TO) assert.deepEqual(views.get(`dev-5-${i}`)!.unexpected, backlog);
  });
});
