/**
 * A broker that never ends sessions: v5 subscribers with Clean Start=0 and Session Expiry
 * Interval 0 — their sessions end when the cut closes their connections — but for two of
 * them the MITM tells Mosquitto "never expire" in the CONNECT. Mosquitto then keeps those
 * two sessions through the cut, answers Session Present 1 on their reconnect and delivers
 * their backlog. The harness must count exactly those backlogs as unexpected, see the two
 * Session Present 1 answers, lose nothing owed, and fail only "no unexpected messages",
 * naming the Session Present 1 despite Session Expiry Interval 0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepSessionForever } from '../../helpers/mitm/lies.js';
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
  name: 'never-ends',
  protocols: ['5'],
  session: '{ clean: false, expiry: 0 }',
  qos: 1,
  online: 3,
  offline: 10,
};
const KEPT = [0, 5];

describe('lying broker: sessions that never end', { skip: needsMosquitto }, () => {
  it(`${KEPT.length} v5 sessions with expiry 0 kept through a cut: Session Present 1, their backlogs unexpected`, async (t) => {
    const td = useTeardown(t);
    const ran = await runThroughMitm(td, SHAPE, [keepSessionForever(new RegExp(`^dev-5-(${KEPT.join('|')})$`))]);
    const run = ran.result.runs[0]!;
    assert.deepEqual(ran.result.runs.map((r) => r.id), ['5']);
    assert.deepEqual(
      ran.mitm.eventsOf('keep-session').map((e) => `${e.clientId}: ${e.detail}`).sort(),
      KEPT.map((i) => `dev-5-${i}: session present 1`),
      'the broker kept both sessions and said so on the reconnect',
    );

    const unexpected = KEPT.length * SHAPE.offline;
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
    assert.equal(
      check.explanation,
      `${unexpected} messages arrived on devices though the spec had no session to hold them: the broker answered Session Present 1 on ${KEPT.length} reconnects despite Session Expiry Interval 0, keeping the session past its end`,
    );

    const views = subscriberViews(recordOf(ran, run.id));
    assert.deepEqual(
      whereNonZero(views, (v) => v.tally.presentUnexpected),
      Object.fromEntries(KEPT.map((i) => [`dev-5-${i}`, 1])),
      'Session Present 1 against the spec, for those two only',
    );
    const backlog = Array.from({ length: SHAPE.offline }, (_, i) => SHAPE.online + i);
    assert.deepEqual(whereNonZero(views, (v) => v.unexpected.length), Object.fromEntries(KEPT.map((i) => [`dev-5-${i}`, SHAPE.offline])));
    for (const i of KEPT) assert.deepEqual(views.get(`dev-5-${i}`)!.unexpected, backlog);
  });
});
