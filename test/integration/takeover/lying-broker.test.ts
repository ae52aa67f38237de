/**
 * Takeovers through the lying MITM in front of a real Mosquitto, which does the takeover
 * for real: the MITM changes only what the clients see. A connection taken over that stays
 * open, or a Session Present 0 at the takeover, FAILs the matching check with the rule
 * named; a DISCONNECT with the wrong reason FAILs under MQTT 5, and one with 0x8E passes
 * and is recorded. Messages all arrive in every case: the lies do not touch the session.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { denySessionAtTakeover, disconnectAtTakeover, keepTakenOverOpen } from '../../helpers/mitm/takeover-lies.js';
import { useTeardown } from '../../helpers/teardown.js';
import { check, failedChecks, logsOf, needsMosquitto, runTakeover, why } from './support.js';

const DEVICES = 10;
const SHAPE = { protocols: ['3.1.1', '5'] as const, groups: [{ name: 'devices', count: DEVICES, qos: 1 as const, session: '{ clean: false, expiry: 3600 }' }], online: 3, window: 10, closeWithin: '1s' };
const EVERYONE = /^devices-/;

function assertAllDelivered(run: Parameters<typeof why>[1], story: string): void {
  const all = DEVICES * (SHAPE.online + SHAPE.window);
  assert.deepEqual({ expected: run.redelivery.expected, delivered: run.redelivery.delivered, lost: run.redelivery.lost }, { expected: all, delivered: all, lost: 0 }, story);
  assert.deepEqual(run.shortfalls, [], story);
}

describe('lying broker: session takeover', { skip: needsMosquitto }, () => {
  it('the connection taken over stays open for the client: FAIL, MQTT-3.1.4-2 / -3 named', async (t) => {
    const td = useTeardown(t);
    const ran = await runTakeover(td, { ...SHAPE, name: 'keep-open' }, [keepTakenOverOpen(EVERYONE)]);
    for (const run of ran.result.runs) {
      const story = why(ran, run);
      assert.equal(ran.mitm!.eventsOf('keep-open').filter((e) => e.clientId.includes(`-${run.id.replace(/\./g, '_')}-`)).length, DEVICES, 'the MITM kept every old connection open');
      assertAllDelivered(run, story);
      assert.deepEqual(failedChecks(run), ['connection taken over closed by the broker'], story);
      assert.equal(run.verdict, 'fail', story);
      const rule = run.protocol === '5' ? 'MQTT-3.1.4-3' : 'MQTT-3.1.4-2';
      assert.match(check(run, 'connection taken over closed by the broker').explanation, new RegExp(`^${DEVICES} of ${DEVICES} connections taken over on devices were not closed by the broker within 1 s of the second CONNACK \\(e\\.g\\. .*\\): the server MUST close the existing client's connection \\(${rule}\\)$`), story);
    }
  });

  it('Session Present 0 at the takeover of a persistent session: FAIL, MQTT-3.2.2-2 / -3 named', async (t) => {
    const td = useTeardown(t);
    const ran = await runTakeover(td, { ...SHAPE, name: 'deny-session' }, [denySessionAtTakeover(EVERYONE)]);
    for (const run of ran.result.runs) {
      const story = why(ran, run);
      const lied = ran.mitm!.eventsOf('deny-session').filter((e) => e.clientId.includes(`-${run.id.replace(/\./g, '_')}-`));
      assert.deepEqual(lied.map((e) => e.detail), Array(DEVICES).fill('broker said session present 1'), 'Mosquitto kept every session; the MITM said it had not');
      assertAllDelivered(run, story);
      assert.deepEqual(failedChecks(run), ['Session Present at takeover'], story);
      const rule = run.protocol === '5' ? 'MQTT-3.2.2-3' : 'MQTT-3.2.2-2';
      assert.equal(
        check(run, 'Session Present at takeover').explanation,
        `devices: Session Present 0 on ${DEVICES} of ${DEVICES} takeovers of sessions that outlive their connection: the broker held the session, so it MUST answer 1 and carry it over (${rule})`,
      );
    }
  });

  it('MQTT 5: DISCONNECT 0x8E before the close passes and is recorded; another reason FAILs', async (t) => {
    const td = useTeardown(t);
    for (const [code, failed] of [[0x8e, []], [0x8b, ['takeover DISCONNECT reason 0x8E']]] as const) {
      const ran = await runTakeover(td, { ...SHAPE, protocols: ['5'], name: `disconnect-${code}` }, [disconnectAtTakeover(EVERYONE, code)]);
      const run = ran.result.runs[0]!;
      const story = why(ran, run);
      assert.equal(ran.mitm!.eventsOf('disconnect').length, DEVICES, story);
      assertAllDelivered(run, story);
      assert.deepEqual(failedChecks(run), failed, story);
      assert.deepEqual(logsOf(ran, run.id, 'devices').map((l) => l.attempts[0]?.disconnectCode), Array(DEVICES).fill(code), 'each old connection recorded the code');
      const explanation = check(run, 'takeover DISCONNECT reason 0x8E').explanation;
      if (code === 0x8e) {
        assert.equal(explanation, `devices: ${DEVICES} × 0x8E Session taken over`);
        assert.ok(run.brokerSaid?.some((s) => s.kind === 'told' && s.what === 'DISCONNECT 0x8E Session taken over on the connections taken over' && s.count === DEVICES), story);
      } else {
        assert.match(explanation, /^devices: the broker sent DISCONNECT 0x8B on connections it took over \(10 × 0x8B Server shutting down\): MQTT-3\.1\.4-3 names 0x8E/);
      }
    }
  });
});
