/**
 * A session takeover on a real Mosquitto, through the real fault server: every subscriber's
 * upstream path goes silent (the broker still believes the connection alive) while the
 * backend sends it messages, then it connects again straight to the broker with the same
 * client id. Mosquitto must close the old connection, answer Session Present 1 and hand
 * over everything in flight or queued on the old one: exact counts, PASS, for 3.1.1 and 5.
 *
 * The counts: each subscriber gets 5 messages before the fault and 30 in the window.
 * Mosquitto sends at most 20 unacknowledged messages at a time (max_inflight_messages), so
 * 20 of the 30 reach the old connection, whose acknowledgements never reach the broker,
 * and 10 wait in its queue; after the takeover it sends the 20 again, then the 10. QoS 1:
 * 20 duplicates per subscriber, which QoS 1 allows; QoS 2: none (the old connection's
 * PUBRECs never arrived, so nothing was handed over twice).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { check, failedChecks, logsOf, needsMosquitto, runTakeover, why } from './support.js';

const DEVICES = 10;
const METERS = 5;
const ONLINE = 5;
const WINDOW = 30;
const INFLIGHT = 20;

describe('session takeover on Mosquitto', { skip: needsMosquitto }, () => {
  it('old connection closed by the broker, Session Present 1, nothing lost, QoS 2 exactly once: PASS under 3.1.1 and 5', async (t) => {
    const td = useTeardown(t);
    const ran = await runTakeover(td, {
      name: 'honest',
      protocols: ['3.1.1', '5'],
      groups: [
        { name: 'devices', count: DEVICES, qos: 1, session: '{ clean: false, expiry: 3600 }' },
        { name: 'meters', count: METERS, qos: 2, session: '{ clean: false, expiry: 3600 }' },
      ],
      online: ONLINE,
      window: WINDOW,
    });
    for (const run of ran.result.runs) {
      const story = why(ran, run);
      assert.deepEqual(run.shortfalls, [], story);
      assert.deepEqual(failedChecks(run), [], story);
      assert.equal(run.verdict, 'pass', story);
      const all = (DEVICES + METERS) * (ONLINE + WINDOW);
      const r = run.redelivery;
      assert.deepEqual(
        { expected: r.expected, delivered: r.delivered, lost: r.lost, duplicates: r.duplicates, qos2Duplicates: r.qos2Duplicates, outOfOrder: r.outOfOrder, unexpected: r.unexpected, indeterminate: r.indeterminate, offline: r.offline, offlineDelivered: r.offlineDelivered },
        { expected: all, delivered: all, lost: 0, duplicates: DEVICES * INFLIGHT, qos2Duplicates: 0, outOfOrder: 0, unexpected: 0, indeterminate: 0, offline: (DEVICES + METERS) * WINDOW, offlineDelivered: (DEVICES + METERS) * WINDOW },
        story,
      );
      assert.match(check(run, 'connection taken over closed by the broker').explanation, new RegExp(`closed all ${DEVICES} connections taken over on devices.*\\(MQTT-3\\.1\\.4-${run.protocol === '5' ? 3 : 2}\\)`));
      assert.match(check(run, 'Session Present at takeover').explanation, new RegExp(`devices: Session Present 1 on all ${DEVICES} takeovers`));

      // The ledger holds two overlapping connections per client: the first closed by the broker after the second began.
      for (const log of [...logsOf(ran, run.id, 'devices'), ...logsOf(ran, run.id, 'meters')]) {
        assert.equal(log.attempts.length, 2, `${log.clientId}: ${JSON.stringify(log.attempts)}`);
        const [first, second] = log.attempts as [NonNullable<(typeof log.attempts)[0]>, NonNullable<(typeof log.attempts)[0]>];
        assert.equal(second.takeover, true);
        assert.equal(second.sessionPresent, true);
        assert.equal(first.closedBy, 'lost');
        assert.ok(first.closedAt! >= second.startedAt, `${log.clientId}: the first closed after the second began`);
        // Mosquitto 2.0.11 closes without a DISCONNECT; a later one may send 0x8E, nothing else.
        assert.ok(first.disconnectCode === undefined || first.disconnectCode === 0x8e, `${log.clientId}: DISCONNECT ${first.disconnectCode}`);
      }
    }
  });

  it('a first connection that ended before the takeover (keep-alive ran out in the window): nothing taken over, INCOMPLETE, never a PASS', async (t) => {
    const td = useTeardown(t);
    const ran = await runTakeover(td, {
      name: 'too-late',
      protocols: ['3.1.1'],
      groups: [{ name: 'devices', count: 3, qos: 1, session: '{ clean: false }' }],
      online: 1,
      window: 2,
      keepAlive: '1s',
      windowWait: '4s',
    });
    const run = ran.result.runs[0]!;
    const story = why(ran, run);
    assert.equal(run.verdict, 'incomplete', story);
    assert.deepEqual(
      run.shortfalls?.filter((s) => s.kind === 'takeover').map((s) => s.text),
      ['phase 9 (heal devices (takeover: devices connect again straight to the broker)): took over 0 of 3 sessions; 3 had no open connection to take over (it ended before the takeover: keep the fault shorter than keep-alive)'],
      story,
    );
  });
});
