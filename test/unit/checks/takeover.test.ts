/**
 * The takeover checks from a hand-made ledger: which first connections count as closed by
 * the broker, Session Present against the session's settings, the DISCONNECT reason under
 * MQTT 5, and the takeovers the run did not make (shortfalls).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takeoverChecks, takeoverExplanations, takeoverShortfalls, tallyTakeovers } from '../../../src/checks/takeover.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import type { ClientLog, ConnectAttempt } from '../../../src/metrics/ledger.js';
import type { ProtocolVersion } from '../../../src/brokers/types.js';
import { groupPlan, makeRecord, T } from './records.js';

const HEAL = { start: 4900, end: 5300 };

function first(closed?: Partial<ConnectAttempt>): ConnectAttempt {
  return { startedAt: 10, connackAt: T.connack, subscribedAt: T.subscribed, ...closed };
}

function second(present: boolean | undefined, connack = true): ConnectAttempt {
  return connack ? { startedAt: 5000, connackAt: 5010, sessionPresent: present!, takeover: true } : { startedAt: 5000, error: 'CONNACK refused: 5', closedAt: 5010, closedBy: 'lost', code: 5, takeover: true };
}

function record(protocol: ProtocolVersion, clients: [string, ConnectAttempt[]][], clean = false): RunRecord {
  const devices = groupPlan({ name: 'devices', role: 'subscriber', count: clients.length, clean, sessionExpiry: clean ? 0 : 0xffffffff });
  const logs: ClientLog[] = clients.map(([id, attempts], i) => ({ ref: `devices/${i}`, clientId: id, attempts }));
  const r = makeRecord({
    protocol,
    groups: [devices],
    clients: logs,
    timeline: [
      { at: HEAL.start, kind: 'phase-start', phase: 1, label: 'heal devices' },
      { at: HEAL.end, kind: 'phase-end', phase: 1, label: 'heal devices' },
    ],
  });
  r.run.phases = [{ kind: 'fault', groups: ['devices'], fault: { kind: 'takeover', closeWithinMs: 1000 } }, { kind: 'heal', groups: ['devices'], takeover: { groups: ['devices'], closeWithinMs: 1000 } }];
  return r;
}

const MIXED: [string, ConnectAttempt[]][] = [
  ['dev-0', [first({ closedAt: 5030, closedBy: 'lost' }), second(true)]],
  ['dev-1', [first({ closedAt: 5020, closedBy: 'lost', error: 'Keepalive timeout' }), second(true)]],
  ['dev-2', [first(), second(false)]],
  ['dev-3', [first({ closedAt: 6500, closedBy: 'lost' }), second(true)]],
  ['dev-4', [first(), second(undefined, false)]],
  ['dev-5', [first({ closedAt: 3000, closedBy: 'lost' }), { startedAt: 3500, connackAt: 3510, sessionPresent: true }]],
];

describe('takeover checks', () => {
  it('3.1.1: only a close by the broker within closeWithin counts; Session Present 0 on a persistent session fails', () => {
    const checks = takeoverChecks('3.1.1', tallyTakeovers(record('3.1.1', MIXED)));
    assert.deepEqual(checks.map((c) => [c.name, c.passed, c.actual]), [
      ['connection taken over closed by the broker', false, 3],
      ['Session Present at takeover', false, 1],
    ]);
    assert.equal(
      checks[0]!.explanation,
      "3 of 4 connections taken over on devices were not closed by the broker within 1 s of the second CONNACK (e.g. dev-1: closed 10 ms after the second CONNACK; dev-2: still open at the end of the run; dev-3: closed 1.49 s after the second CONNACK): the server MUST close the existing client's connection (MQTT-3.1.4-2)",
    );
    assert.equal(checks[1]!.explanation, 'devices: Session Present 0 on 1 of 4 takeovers of sessions that outlive their connection: the broker held the session, so it MUST answer 1 and carry it over (MQTT-3.2.2-2)');
  });

  it('takeovers not made are shortfalls: a refused second connection, a client with nothing open to take over', () => {
    assert.deepEqual(takeoverShortfalls(record('3.1.1', MIXED)), [
      {
        kind: 'takeover',
        phase: 1,
        label: 'heal devices',
        done: 4,
        of: 6,
        text: 'phase 2 (heal devices): took over 4 of 6 sessions; 1 second connections failed (e.g. CONNACK refused: 5); 1 had no open connection to take over (it ended before the takeover: keep the fault shorter than keep-alive)',
      },
    ]);
  });

  it('MQTT 5: DISCONNECT 0x8E passes, no DISCONNECT is reported, another reason fails', () => {
    const good: [string, ConnectAttempt[]][] = [
      ['dev-0', [first({ closedAt: 5030, closedBy: 'lost', disconnectCode: 0x8e }), second(true)]],
      ['dev-1', [first({ closedAt: 5030, closedBy: 'lost' }), second(true)]],
    ];
    const checks = takeoverChecks('5', tallyTakeovers(record('5', good)));
    assert.deepEqual(checks.map((c) => [c.name, c.passed]), [
      ['connection taken over closed by the broker', true],
      ['takeover DISCONNECT reason 0x8E', true],
      ['Session Present at takeover', true],
    ]);
    assert.equal(checks[0]!.explanation, 'the broker closed all 2 connections taken over on devices, the slowest 20 ms after the second CONNACK (MQTT-3.1.4-3)');
    assert.match(checks[1]!.explanation, /^devices: 1 × 0x8E Session taken over; 1 closed with no DISCONNECT \(MQTT-3\.1\.4-3 says/);
    const wrong = takeoverChecks('5', tallyTakeovers(record('5', [['dev-0', [first({ closedAt: 5030, closedBy: 'lost', disconnectCode: 0x87 }), second(true)]]])));
    assert.deepEqual(wrong.filter((c) => !c.passed).map((c) => c.name), ['takeover DISCONNECT reason 0x8E']);
  });

  it('a clean start must answer Session Present 0; MQTT 5 expiry 0 is not judged; no takeover, no checks', () => {
    const clean = takeoverChecks('3.1.1', tallyTakeovers(record('3.1.1', [['dev-0', [first({ closedAt: 5030, closedBy: 'lost' }), second(true)]]], true)));
    assert.equal(clean.find((c) => c.name === 'Session Present at takeover')!.explanation, 'devices: Session Present 1 on 1 takeover with a clean start: the server MUST answer 0 (MQTT-3.2.2-1)');
    const r = record('5', [['dev-0', [first({ closedAt: 5030, closedBy: 'lost' }), second(false)]]]);
    r.run.groups[0]!.sessionExpiry = 0;
    const expiry0 = takeoverChecks('5', tallyTakeovers(r)).find((c) => c.name === 'Session Present at takeover')!;
    assert.equal(expiry0.passed, true);
    assert.match(expiry0.explanation, /^devices: not judged: MQTT 5 Session Expiry Interval 0/);
    assert.deepEqual(takeoverChecks('5', []), []);
  });
});

describe('takeover explanations', () => {
  it('say what was owed, and under MQTT 5 how many old connections closed with no DISCONNECT 0x8E', () => {
    const closedSilently: [string, ConnectAttempt[]][] = [['dev-0', [first({ closedAt: 5030, closedBy: 'lost' }), second(true)]]];
    const [v5] = takeoverExplanations('5', tallyTakeovers(record('5', closedSilently)));
    assert.match(v5!, /^devices: 1 session taken over: .*was owed on the new one; .* The broker closed 1 of them with no DISCONNECT 0x8E Session taken over first/);
    const [v3] = takeoverExplanations('3.1.1', tallyTakeovers(record('3.1.1', closedSilently)));
    assert.doesNotMatch(v3!, /DISCONNECT/);
  });
});
