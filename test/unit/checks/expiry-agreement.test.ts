import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { burstStarts } from '../../../src/checks/expiry-bursts.js';
import { judgeExpiry } from '../../../src/checks/expiry.js';
import { judgeRun } from '../../../src/checks/judge.js';
import type { BrokerInfo } from '../../../src/result/timeline.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import type { MeasureExpiryPhase } from '../../../src/scenario/plan.js';
import type { ExpirySessionLog } from '../../../src/workers/expiry-protocol.js';
import { groupPlan } from './records.js';

/**
 * Partition sessions as managed Mosquitto ends them: cut at CUT, the broker closes them by
 * keep-alive 7.5 s later and expires them in one sweep 5.5 s after that, publishing their
 * wills back to back; the observer stamps them 2 ms apart from SWEEP on. One probe per
 * session at most. Tolerance: max(5 ms, harness 1.5 ms) = 5 ms.
 */
const E = 5000;
const CUT = 20_000;
const SWEEP = CUT + 7500 + E + 500;
const mosquitto: BrokerInfo = { kind: 'managed-mosquitto', url: 'mqtt://127.0.0.1:1', description: 'managed Mosquitto 2.0.11', software: 'mosquitto', options: {} };
const phase: MeasureExpiryPhase = {
  kind: 'measure-expiry',
  groups: ['devices'],
  closes: { graceful: 0, abrupt: 0, partition: 1 },
  probeShare: 0.2,
  windows: { devices: { graceful: { fromMs: -1000, toMs: 2000 }, abrupt: { fromMs: -1000, toMs: 2000 }, partition: { fromMs: 6500, toMs: 15_500 } } },
  willDelay: 0,
  neverAfterMs: 10_000,
  spreadMs: 0,
  syncKeepAlive: true,
  maxWaitMs: 600_000,
};

function sessions(): ExpirySessionLog[] {
  let next = 0;
  const session = (over: Partial<ExpirySessionLog>): ExpirySessionLog => ({
    group: 'devices',
    index: next++,
    close: 'partition',
    expectedMs: E,
    connackAt: 10,
    closedAt: CUT,
    lastPacketAt: CUT - 20,
    extraWills: 0,
    boundAt: CUT + E + 7500 + 10_000,
    ...over,
  });
  /** A probe: CONNECT at `sentAt`, CONNACK 2 ms later. */
  const probed = (sentAt: number, present: boolean, willAt?: number): ExpirySessionLog =>
    session({ probe: { offsetMs: sentAt - CUT - E, plannedAt: sentAt, sentAt, connackAt: sentAt + 2, sessionPresent: present }, ...(willAt !== undefined ? { willAt } : {}) });
  return [
    // The sweep's wills, stamped 2 ms apart over 40 ms.
    ...Array.from({ length: 21 }, (_, k) => session({ lostAt: CUT + 7500, willAt: SWEEP + 2 * k })),
    // Probes before the sweep found the sessions present (and ended them: no will).
    probed(SWEEP - 3000, true),
    probed(SWEEP - 1000, true),
    // After the sweep: gone, wills before the CONNACK.
    probed(SWEEP + 500, false, SWEEP + 1),
    probed(SWEEP + 900, false, SWEEP + 3),
    // During the sweep: the broker had expired it before the probe, but its will was stamped
    // 35 ms after the CONNACK, behind the other wills of the sweep (seen on Mosquitto 2.0.11).
    probed(SWEEP + 4, false, SWEEP + 41),
  ];
}

function record(logs: ExpirySessionLog[]): RunRecord {
  return {
    run: { id: '5', label: '5', protocol: '5', groups: [groupPlan({ name: 'devices', role: 'subscriber', count: logs.length, sessionExpiry: 5, keepAliveSec: 5 })], phases: [phase], expect: [], notes: [] },
    broker: mosquitto,
    startedAt: 0,
    endedAt: 60_000,
    startedAtIso: '2025-01-01T00:00:00.000Z',
    timeline: [],
    ledgers: [{ shard: 0, clients: [], sent: [], received: [], malformed: 0, histograms: { e2e: '', redelivery: '' }, expiry: { sessions: logs, roundTrip: '', eventLoop: { p99Ms: 1.5, maxMs: 4 } } }],
  };
}

const queued = (logs: ExpirySessionLog[]) => logs.find((l) => l.probe?.sentAt === SWEEP + 4)!;

describe('wills stamped in a burst', () => {
  it('a will chains to the burst it arrived in: gaps of at most 50 ms, a new burst after a longer pause', () => {
    const logs = sessions();
    const later = { ...logs[0]!, index: 99, willAt: SWEEP + 200 };
    const starts = burstStarts([...logs, later]);
    assert.equal(starts.get(queued(logs)), SWEEP);
    assert.equal(starts.get(logs[20]!), SWEEP);
    assert.equal(starts.get(later), SWEEP + 200);
    assert.equal(starts.size, 21 + 3 + 1);
  });

  it('a will stamped after a Session Present 0 CONNACK, in a burst under way by then, is counted apart and is no contradiction', () => {
    const e = judgeExpiry(record(sessions()))!;
    const partition = e.groups[0]!.closes[0]!;
    assert.equal(partition.contradictions, 0);
    assert.equal(partition.willsQueued, 1);
    assert.equal(e.willsQueued, 1);
    assert.equal(e.agreement.agree, true);
    assert.match(e.agreement.explanation, /within the broker's 1100 ms \+ the harness's 5 ms: yes\) and every will on its probe's side: yes \(1 will stamped after a Session Present 0 CONNACK came in a burst/);
  });

  it("a will long after the CONNACK, in no burst under way then, still contradicts the probe: the sentence names that condition, not the Δ", () => {
    const logs = sessions();
    const late = queued(logs);
    late.willAt = SWEEP + 900;
    const e = judgeExpiry(record(logs))!;
    assert.equal(e.contradictions, 1);
    assert.equal(e.willsQueued, 0);
    assert.equal(e.agreement.agree, false);
    assert.match(
      e.agreement.explanation,
      new RegExp(`within the broker's 1100 ms \\+ the harness's 5 ms: yes\\) and every will on its probe's side: no — 1 session had a will on the wrong side of its probe beyond the 5 ms tolerance \\(worst devices/${late.index}: will 894 ms after a probe's Session Present 0 CONNACK, in no burst under way by then\\)`),
    );
    const check = judgeRun(record(logs)).checks.find((c) => c.name === 'expiry methods agree')!;
    assert.equal(check.passed, false);
    assert.match(check.explanation ?? '', /every will on its probe's side: no/);
  });

  it('a will in a burst that began after the CONNACK still contradicts a Session Present 0 probe', () => {
    const logs = sessions();
    // Found gone 600 ms before the sweep, yet its will came with the sweep's.
    const early = logs.find((l) => l.probe?.sentAt === SWEEP + 500)!;
    early.probe = { ...early.probe!, sentAt: SWEEP - 600, connackAt: SWEEP - 598, offsetMs: SWEEP - 600 - CUT - E };
    early.willAt = SWEEP + 11;
    const e = judgeExpiry(record(logs))!;
    assert.equal(e.contradictions, 1);
    assert.equal(e.willsQueued, 1);
    assert.equal(e.agreement.agree, false);
    assert.match(e.agreement.explanation, new RegExp(`worst devices/${early.index}: will 609 ms after a probe's Session Present 0 CONNACK`));
  });

  it('a will before a probe that found the session present contradicts it too', () => {
    const logs = sessions();
    const present = logs.find((l) => l.probe?.sentAt === SWEEP - 1000)!;
    present.willAt = SWEEP - 1100;
    const e = judgeExpiry(record(logs))!;
    assert.equal(e.contradictions, 1);
    assert.match(e.agreement.explanation, /will 100 ms before a probe that found the session present/);
  });

  it('a boundary too far from the wills fails on the Δ alone, and says so', () => {
    // The wills 3 s later; the probe during the sweep left out (its will would be alone then).
    const logs = sessions()
      .filter((l) => l.probe?.sentAt !== SWEEP + 4)
      .map((l) => (l.probe ? l : { ...l, willAt: l.willAt! + 3000 }));
    const e = judgeExpiry(record(logs))!;
    assert.equal(e.contradictions, 0);
    assert.equal(e.agreement.agree, false);
    assert.match(e.agreement.explanation, /within the broker's 1100 ms \+ the harness's 5 ms: no\) and every will on its probe's side: yes/);
  });

  it('wills in two bursts straddling 50%: the probes may cross at either, and the band the wills give says so', () => {
    // 9 of 21 will-timed sessions end at the sweep, 12 one sweep (1.7 s) later: the median is
    // in the second burst, while probes between the bursts find most gone (a sample of 5).
    const logs = sessions().filter((l) => l.probe?.sentAt !== SWEEP + 4);
    logs.filter((l) => !l.probe).forEach((l, k) => {
      if (k >= 9) l.willAt = SWEEP + 1700 + k;
    });
    const e = judgeExpiry(record(logs))!;
    const partition = e.groups[0]!.closes[0]!;
    assert.equal(partition.contradictions, 0);
    assert.ok(partition.willMedianMs! > 1700 + 7500 + 500, 'the median lies in the second burst');
    assert.ok(partition.willBandMs!.from < 7500 + 500 + 50 && partition.willBandMs!.to > 1700 + 7500 + 500, 'the band spans both bursts');
    // 4 probes: the boundary falls between the last alive (+7 s) and the first gone (+8.5 s).
    assert.equal(partition.survival.boundaryMs, 7751);
    assert.deepEqual(partition.willBandMs, { from: 8010, to: 9715, share: 0.25 });
    // Against the band, not the median (-1959 ms, a failure).
    assert.equal(partition.agreement.deltaMs, 7751 - 8010);
    assert.equal(e.agreement.agree, true);
    assert.match(
      e.agreement.explanation,
      /probes cross 50% at \+7\.75 s, wills' median \+9\.71 s; 25–75% of them ended from \+8\.01 s to \+9\.71 s \(±25%: the sampling error of 4 probes\) \(Δ -259 ms, within the broker's 1100 ms \+ the harness's 5 ms: yes\)/,
    );
  });
});

describe("a partition's closes seen through the proxy", () => {
  /** The broker closes all at CLOSE, expires them 5.05 s later; the closes reach the clients 3 ms apart. */
  const CLOSE = CUT + 7500;
  function partitioned(n: number, willAfterMs = E + 50): ExpirySessionLog[] {
    return Array.from({ length: n }, (_, k) => ({
      group: 'devices',
      index: k,
      close: 'partition' as const,
      expectedMs: E,
      connackAt: 10,
      closedAt: CUT,
      lastPacketAt: CUT - 20,
      extraWills: 0,
      boundAt: CUT + E + 7500 + 10_000,
      lostAt: CLOSE + 3 * k,
      willAt: CLOSE + willAfterMs + k,
    }));
  }

  it('a close that reached its client late in a chain is judged from the chain\'s first: not early', () => {
    // The 20th close is stamped 57 ms after the broker made it, after its will − E.
    const e = judgeExpiry(record(partitioned(20)))!;
    const partition = e.groups[0]!.closes[0]!;
    assert.equal(e.early, 0);
    assert.equal(partition.closeLagMs, 57);
    assert.equal(partition.error!.min >= 50, true);
  });

  it('a session that ended before E after the first close of its chain is still early', () => {
    const e = judgeExpiry(record(partitioned(20, E - 300)))!;
    assert.equal(e.early, 20);
  });
});
