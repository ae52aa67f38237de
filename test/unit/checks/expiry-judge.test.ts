import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeExpiry } from '../../../src/checks/expiry.js';
import { judgeRun } from '../../../src/checks/judge.js';
import { metricValue } from '../../../src/checks/metric-values.js';
import type { BrokerInfo } from '../../../src/result/timeline.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import { renderSummary } from '../../../src/report/summary-md.js';
import type { Result } from '../../../src/result/result.js';
import type { MeasureExpiryPhase } from '../../../src/scenario/plan.js';
import type { ExpirySessionLog } from '../../../src/workers/expiry-protocol.js';
import { expectation, groupPlan } from './records.js';

const E = 5000;
const CLOSE = 1000;
const CUT = 20_000;
const mosquitto: BrokerInfo = { kind: 'managed-mosquitto', url: 'mqtt://127.0.0.1:1', description: 'managed Mosquitto 2.0.11', software: 'mosquitto', options: {} };
const phase: MeasureExpiryPhase = {
  kind: 'measure-expiry',
  groups: ['devices'],
  closes: { graceful: 0.5, abrupt: 0, partition: 0.5 },
  probeShare: 0.5,
  windows: { devices: { graceful: { fromMs: -1000, toMs: 2000 }, abrupt: { fromMs: -1000, toMs: 2000 }, partition: { fromMs: 6500, toMs: 15_500 } } },
  willDelay: 83,
  neverAfterMs: 10_000,
  spreadMs: 0,
  syncKeepAlive: true,
  maxWaitMs: 600_000,
};

/** HDR percentiles keep 3 significant digits. */
function near(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= expected * 0.001 + 0.5, `${actual} is not ${expected} within 0.1%`);
}

let next = 0;
function session(close: 'graceful' | 'partition', over: Partial<ExpirySessionLog>): ExpirySessionLog {
  const closedAt = close === 'partition' ? CUT : CLOSE;
  return { group: 'devices', index: next++, close, expectedMs: E, connackAt: 10, closedAt, extraWills: 0, boundAt: closedAt + E + 10_000 + (close === 'partition' ? 7500 : 0), ...over };
}
/** A probe looked the session up `offset` ms after its expected end (CONNECT to CONNACK: 2 ms). */
function probed(close: 'graceful' | 'partition', offset: number, present: boolean, willAt?: number): ExpirySessionLog {
  const base = close === 'partition' ? CUT : CLOSE;
  const sentAt = base + E + offset - 1;
  return session(close, { probe: { offsetMs: offset, plannedAt: sentAt, sentAt, connackAt: sentAt + 2, sessionPresent: present }, ...(willAt !== undefined ? { willAt } : {}) });
}

const sessions: ExpirySessionLog[] = [
  // Will-timed after DISCONNECT: 300..1000 ms late; one early, one that never ended.
  ...[300, 600, 900, 1000].map((late) => session('graceful', { willAt: CLOSE + E + late })),
  session('graceful', { willAt: CLOSE + E - 200 }),
  session('graceful', {}),
  // Probed: alive before and just after E, gone later (their wills came before the probe).
  probed('graceful', -500, true),
  probed('graceful', 200, true),
  probed('graceful', 700, false, CLOSE + E + 650),
  probed('graceful', 1500, false, CLOSE + E + 900),
  // Partition: the broker closed 9 s after the cut (the proxy passed it on); wills 500 ms after E.
  ...[0, 1, 2].map(() => session('partition', { lostAt: CUT + 9000, lastPacketAt: CUT - 20, willAt: CUT + 9000 + E + 500 })),
  probed('partition', 8000, true),
  probed('partition', 12_000, false, CUT + 9000 + E + 500),
];

function record(over: Partial<RunRecord> = {}): RunRecord {
  return {
    run: { id: '5', label: '5', protocol: '5', groups: [groupPlan({ name: 'devices', role: 'subscriber', count: sessions.length, sessionExpiry: 5, keepAliveSec: 5 })], phases: [phase], expect: [], notes: [] },
    broker: mosquitto,
    startedAt: 0,
    endedAt: 60_000,
    startedAtIso: '2025-01-01T00:00:00.000Z',
    timeline: [],
    ledgers: [
      {
        shard: 0,
        clients: [],
        sent: [],
        received: [],
        malformed: 0,
        histograms: { e2e: '', redelivery: '' },
        expiry: { sessions, roundTrip: '', eventLoop: { p99Ms: 1.5, maxMs: 4 } },
      },
    ],
    ...over,
  };
}

describe('expiry judged', () => {
  const e = judgeExpiry(record())!;

  it('error after DISCONNECT from the wills (early and never apart); partition error from the close the proxy passed on', () => {
    assert.equal(e.measured, true);
    assert.equal(e.sessions, sessions.length);
    const graceful = e.groups[0]!.closes.find((c) => c.close === 'graceful')!;
    // Percentiles come from the HDR histogram (3 significant digits); min is exact.
    assert.deepEqual([graceful.error!.min, Math.round(graceful.error!.p50), Math.round(graceful.error!.max), graceful.error!.count], [300, 600, 1000, 4]);
    assert.equal(graceful.early, 1);
    assert.equal(graceful.never, 1);
    const partition = e.groups[0]!.closes.find((c) => c.close === 'partition')!;
    near(partition.detection!.p50, 9500);
    near(partition.detectionSeen!.p50, 9000);
    near(partition.error!.p50, 500);
    // Over all: 4 graceful errors and 3 partition errors.
    assert.equal(e.error!.count, 7);
    assert.deepEqual(e.earlyRefs, ['devices/4']);
    assert.deepEqual(e.neverRefs, ['devices/5']);
  });

  it('probes: survival, resumed sessions out of the will method, agreement with the wills within 1.1 s', () => {
    const graceful = e.groups[0]!.closes.find((c) => c.close === 'graceful')!;
    assert.equal(graceful.probed, 4);
    assert.equal(graceful.resumedByProbe, 1 + 0 + 1 - 0);
    assert.equal(graceful.survival.boundaryMs, 450);
    assert.equal(graceful.willMedianMs, 750);
    assert.deepEqual(graceful.agreement.agree, true);
    assert.equal(e.resumedByProbe, 3);
    assert.equal(e.contradictions, 0);
    assert.equal(e.agreement.agree, true);
    assert.equal(e.resolution.harnessMs, 1.5);
    assert.equal(e.resolution.brokerMs, 1100);
  });

  it('a will after a probe found the session gone contradicts it, and the methods disagree', () => {
    const bad = structuredClone(sessions);
    const gone = bad.find((s) => s.probe?.offsetMs === 700)!;
    gone.willAt = gone.probe!.connackAt! + 500;
    const r = judgeExpiry(record({ ledgers: [{ ...record().ledgers[0]!, expiry: { sessions: bad, roundTrip: '', eventLoop: null } }] }))!;
    assert.equal(r.contradictions, 1);
    assert.equal(r.agreement.agree, false);
  });

  it('checks, metrics and the summary read the same numbers', () => {
    const run = judgeRun({ ...record(), run: { ...record().run, expect: [expectation('expiry.errorP99 <= 1.5s'), expectation('expiry.early == 0')] } });
    const names = run.checks.map((c) => `${c.passed ? 'ok' : 'FAIL'} ${c.name}`);
    assert.deepEqual(names, [
      'ok no expected message lost',
      'ok no QoS 2 duplicates',
      'ok no unexpected messages',
      'FAIL no session ended before its expiry',
      'FAIL every session ended',
      'ok expiry methods agree',
      'ok expiry.errorP99 <= 1.5s',
      'FAIL expiry.early == 0',
    ]);
    assert.equal(run.verdict, 'fail');
    assert.equal(metricValue(run, 'expiry.never'), 1);
    near(metricValue(run, 'expiry.detectionP99')!, 9500);
    const text = renderSummary({ schemaVersion: 1, tool: { name: 't', version: '0' }, scenario: { name: 's', file: 's.yaml' }, startedAt: '', seed: 1, runs: [run] } as Result);
    assert.match(text, /\| expiry error p50 \/ p99 +\| +500 ms \/ 1 s +\|/);
    assert.match(text, /\| expiry early \/ never +\| +1 \/ 1 +\|/);
    assert.match(text, /Survival, devices, graceful \(offsets from the close \+ 5 s; 4 probes, one per session\):/);
    assert.ok(!run.explanations.some((l) => l.startsWith('Nothing was sent to devices')), 'the measured group is not a redelivery subject');
  });

  it('without MQTT 5, or under 3.1.1 with no broker-side expiry: not measured, and why; metrics have no samples', () => {
    const aedes: BrokerInfo = { kind: 'embedded-aedes', url: 'mqtt://127.0.0.1:1', description: 'embedded Aedes', software: 'aedes', options: {} };
    const unsupported = judgeRun(record({ broker: aedes, ledgers: [], unsupported: 'embedded Aedes does not support MQTT 5' }));
    assert.equal(unsupported.verdict, 'unsupported');
    assert.equal(unsupported.expiry?.measured, false);
    assert.match(unsupported.expiry!.notMeasured!, /Session Expiry Interval and the Will Delay are MQTT 5 features.*Aedes never expires a session/);
    assert.equal(metricValue(unsupported, 'expiry.early'), null);

    const v3 = record({ ledgers: [] });
    v3.run = { ...v3.run, protocol: '3.1.1', groups: [groupPlan({ name: 'devices', role: 'subscriber', clean: false })] };
    const r = judgeExpiry(v3)!;
    assert.equal(r.measured, false);
    assert.match(r.notMeasured!, /^MQTT 3.1.1 has no Session Expiry Interval, and Mosquitto keeps a CleanSession=0 session forever unless persistent_client_expiration is set \(unset here; its unit is hours at least\)/);
    const capped = judgeExpiry({ ...v3, broker: { ...mosquitto, options: { persistent_client_expiration: '2h' } } })!;
    assert.match(capped.notMeasured!, /Mosquitto persistent_client_expiration is 2h \(hours at least\), so measuring it would take over 7,210 s, more than measure-expiry.maxWait \(600 s\): not measured/);
  });
});
