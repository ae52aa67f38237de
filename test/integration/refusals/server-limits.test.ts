/**
 * Mosquitto limits that change or refuse without a failure code. Observed (Mosquitto
 * 2.0.11, raw client):
 * - `max_keepalive 10`, a client asking 30 s: 5 gets CONNACK Server Keep Alive 10; 3.1.1 is
 *   accepted as asked (CONNACK 0; no refusal, no change it can be told).
 * - `max_inflight_messages 2`: 5 gets CONNACK Receive Maximum 2; both protocols get at most
 *   2 unacknowledged QoS 1 messages at a time, the rest queued — flow control, nothing lost.
 * - `max_connections 5`: connections beyond it are accepted by TCP and closed before any
 *   CONNACK ("denied: max_connections exceeded"), under both protocols. Through the harness
 *   (8 clients, plus its memory sampler and probes) how many get in varies from run to run:
 *   Mosquitto 2.0.11 let 7 of 8 in, so the test pins the form, not the number.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTeardown } from '../../helpers/teardown.js';
import { DEVICES, facts, failedChecks, needsMosquitto, PUBLISHERS, runScenarioCli, token, why } from './support.js';

const NOT_OFFLINE = 'Nothing was sent to devices while they were offline, so their session settings were not put to the test.';

describe('Mosquitto limits that change or refuse without a failure code', { skip: needsMosquitto }, () => {
  it('max_keepalive 10, clients asking 30 s: 5 told Server Keep Alive 10 s and judged by it, 3.1.1 unchanged; PASS, exit 0', async (t) => {
    const td = useTeardown(t);
    const perTarget = 3;
    const ran = await runScenarioCli(td, { name: 'keepalive', broker: '{ mosquitto: { max_keepalive: 10 } }', qos: 1, perTarget, keepAlive: '30s' });
    assert.equal(ran.code, 0, why(ran));
    const counts = { expected: DEVICES * perTarget, delivered: DEVICES * perTarget, lost: 0, refused: 0, unacknowledged: 0, duplicates: 0, unexpected: 0 };
    assert.deepEqual(facts(ran.run('3.1.1')), { verdict: 'pass', counts, shortfalls: [], said: [] }, why(ran));
    assert.deepEqual(ran.run('3.1.1').explanations, [NOT_OFFLINE]);
    const v5 = ran.run('5');
    assert.deepEqual(
      facts(v5),
      {
        verdict: 'pass',
        counts,
        shortfalls: [],
        said: [`devices changed Server Keep Alive 10 s (asked 30 s) N× (${DEVICES}/${DEVICES})`, `backend changed Server Keep Alive 10 s (asked 30 s) N× (${PUBLISHERS}/${PUBLISHERS})`],
      },
      why(ran),
    );
    assert.deepEqual(v5.explanations, [
      NOT_OFFLINE,
      `devices: the broker set keep-alive to 10 s (Server Keep Alive, MQTT 5 §3.2.2.3.14) for ${DEVICES} of ${DEVICES} clients; the session model uses it.`,
      `backend: the broker set keep-alive to 10 s (Server Keep Alive, MQTT 5 §3.2.2.3.14) for ${PUBLISHERS} of ${PUBLISHERS} clients; the session model uses it.`,
    ]);
  });

  it('max_inflight_messages 2, 20 messages to each device while cut off: flow control, everything delivered; 5 told Receive Maximum 2; PASS, exit 0', async (t) => {
    const td = useTeardown(t);
    const perTarget = 20;
    const ran = await runScenarioCli(td, { name: 'inflight', broker: '{ mosquitto: { max_inflight_messages: 2 } }', qos: 1, perTarget, cut: { away: '300ms' } });
    assert.equal(ran.code, 0, why(ran));
    const all = DEVICES * perTarget;
    for (const run of ran.result.runs) {
      assert.deepEqual(
        facts(run),
        { verdict: 'pass', counts: { expected: all, delivered: all, lost: 0, refused: 0, unacknowledged: 0, duplicates: 0, unexpected: 0 }, shortfalls: [], said: [] },
        why(ran, run),
      );
      assert.equal(run.redelivery.offlineDelivered, all, why(ran, run));
    }
    const told = (ran.run('5').brokerSaid ?? []).filter((s) => s.kind === 'told').map((s) => `${s.group} ${s.what}`);
    assert.ok(told.includes('devices Receive Maximum 2'), `told: ${told.join(', ')}`);
  });

  it('max_connections 5, 8 clients: those beyond it closed before CONNACK: connected n of 8, INCOMPLETE, exit 1', async (t) => {
    const td = useTeardown(t);
    const ran = await runScenarioCli(td, { name: 'connections', broker: '{ mosquitto: { max_connections: 5 } }', qos: 1, perTarget: 3 });
    assert.equal(ran.code, 1, why(ran));
    for (const run of ran.result.runs) {
      assert.equal(run.verdict, 'incomplete', why(ran, run));
      const connect = (run.shortfalls ?? []).find((s) => s.kind === 'connect');
      assert.ok(connect, why(ran, run));
      assert.equal(connect.phase, 0);
      assert.equal(connect.of, DEVICES + PUBLISHERS);
      assert.ok(connect.done !== undefined && connect.done < DEVICES + PUBLISHERS, why(ran, run));
      assert.match(
        connect.text,
        new RegExp(`^phase 1 \\(connect devices, backend\\): connected ${connect.done} of ${DEVICES + PUBLISHERS}; the broker: closed the connection before CONNACK \\(\\d+×, e\\.g\\. (devices|backend)-${token(run.id)}-\\d+: closed\\)$`),
        why(ran, run),
      );
      const refused = (run.brokerSaid ?? []).filter((s) => s.kind === 'refused');
      assert.deepEqual(refused.map((s) => s.what), refused.map(() => 'closed the connection before CONNACK'), why(ran, run));
      assert.equal(refused.reduce((n, s) => n + s.clients, 0), DEVICES + PUBLISHERS - connect.done, 'every client left out is named by what the broker did');
      assert.deepEqual(failedChecks(run), [], why(ran, run));
    }
  });
});
