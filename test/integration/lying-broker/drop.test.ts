/**
 * A broker that loses chosen messages: the MITM drops three PUBLISHes on their way to two
 * subscribers (one online message, two from the offline backlog) and acknowledges them to
 * the broker itself (PUBACK at QoS 1; PUBREC and PUBCOMP at QoS 2), so Mosquitto never
 * sends them again. The harness must report
 * exactly those three as lost — the right subscribers, the right sequence numbers — with
 * no duplicate, reorder or unexpected message, the cause unknown (no broker limit or
 * session loss explains them), and a failing "no expected message lost" check saying so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropMessages } from '../../helpers/mitm/lies.js';
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
  name: 'drop',
  protocols: ['3.1.1', '5'],
  session: '{ clean: false, expiry: 3600 }',
  qos: 1,
  online: 3,
  offline: 10,
};

// Online seqs are 0..2, the backlog 3..12.
const DROPS: Record<string, number[]> = { '3': [1, 6], '6': [9] };
const DROPPED = Object.values(DROPS).flat().length;

describe('lying broker: chosen messages dropped', { skip: needsMosquitto }, () => {
  for (const qos of [1, 2] as const) {
    it(`QoS ${qos}: ${DROPPED} messages dropped to 2 of ${SUBSCRIBERS} subscribers: lost == ${DROPPED}, exactly those, cause unknown, fail`, async (t) => {
      const td = useTeardown(t);
      const shape: Shape = { ...SHAPE, name: `drop-qos${qos}`, qos };
      const lies = Object.entries(DROPS).map(([i, seqs]) => dropMessages(new RegExp(`^dev-.+-${i}$`), seqs));
      const ran = await runThroughMitm(td, shape, lies);
      assert.deepEqual(ran.result.runs.map((r) => r.id), ['3.1.1', '5']);

      for (const run of ran.result.runs) {
        const dropped = ran.mitm.eventsOf('drop').filter((e) => e.clientId.startsWith(`dev-${nameToken(run.id)}-`));
        assert.deepEqual(
          dropped.map((e) => `${e.clientId}#${e.seq}`).sort(),
          [`dev-${nameToken(run.id)}-3#1`, `dev-${nameToken(run.id)}-3#6`, `dev-${nameToken(run.id)}-6#9`],
          'the MITM dropped each chosen message once (acknowledged, so never re-sent)',
        );

        const honest = honestCounts(shape);
        assertExactly(
          ran,
          run,
          {
            ...honest,
            delivered: honest.expected - DROPPED,
            lost: DROPPED,
            lostBy: { ...honest.lostBy, unknown: DROPPED },
            offlineDelivered: honest.offline - 2,
          },
          ['no expected message lost'],
        );
        const check = run.checks.find((c) => c.name === 'no expected message lost')!;
        assert.equal(check.actual, DROPPED);
        assert.equal(
          check.explanation,
          `${DROPPED} of ${honest.expected} expected messages lost on devices (2 of ${SUBSCRIBERS} clients): cause unknown (no broker limit or session loss explains it)`,
        );

        const views = subscriberViews(recordOf(ran, run.id));
        assert.deepEqual(whereNonZero(views, (v) => v.lost.length), { [`dev-${nameToken(run.id)}-3`]: 2, [`dev-${nameToken(run.id)}-6`]: 1 }, 'lost only by the two');
        assert.deepEqual(views.get(`dev-${nameToken(run.id)}-3`)!.lost, DROPS['3'], 'lost exactly the messages dropped');
        assert.deepEqual(views.get(`dev-${nameToken(run.id)}-6`)!.lost, DROPS['6']);
      }
    });
  }
});
