/**
 * Message Expiry judged on hand-made records: the cut-and-drain cycle of records.ts, ten
 * messages per subscriber sent during the cut at 1500 + 300k ms (k = 0..9), the return at
 * 5110 ms, the backlog arriving at 5130 + k ms, so message k waits 3630 - 299k ms.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeRun } from '../../../src/checks/judge.js';
import { judgeInterval, lifetimeAtReturn, lifetimeOf } from '../../../src/checks/message-expiry.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import { cutCycle } from './records.js';

const M = 250;

/** Two v5 subscribers, every message sent with `intervalSec`; `forwarded(k, waitedMs)` is the interval message k arrives with. */
function cycle(intervalSec: number, arrives: (k: number) => boolean, forwarded?: (k: number, waitedMs: number) => number | undefined): RunRecord {
  const record = cutCycle({ protocol: '5', expiry: 3600, offline: 10, arrives });
  for (const run of record.ledgers[0]!.sent) run.messageExpirySec = intervalSec;
  if (forwarded) {
    for (const run of record.ledgers[0]!.received) {
      run.expiry = run.seqs.map((seq, i) => forwarded(seq, run.firstAt[i]! - (1500 + 300 * seq)) ?? -1);
    }
  }
  return record;
}

/** What Mosquitto sends: the interval less the whole wall-clock seconds waited (here: the floor). */
const mosquittoLike = (sec: number) => (_k: number, waited: number) => sec - Math.floor(waited / 1000);

describe('message lifetime against the return', () => {
  it('ended before the return (with the broker whole second and the margin), alive after it, or not judged', () => {
    assert.equal(lifetimeAtReturn(lifetimeOf(0, 2), 3400, M), 'expired');
    assert.equal(lifetimeAtReturn(lifetimeOf(0, 2), 3300, M), 'boundary');
    assert.equal(lifetimeAtReturn(lifetimeOf(0, 2), 1800, M), 'boundary');
    assert.equal(lifetimeAtReturn(lifetimeOf(0, 2), 1700, M), 'alive');
  });

  it('the forwarded interval must lie within a whole second of the interval less the wait', () => {
    assert.equal(judgeInterval(60, 57, 3200, M), 'reduced');
    assert.equal(judgeInterval(60, 56, 3200, M), 'reduced');
    assert.equal(judgeInterval(60, 60, 3200, M), 'notReduced');
    assert.equal(judgeInterval(60, 59, 3200, M), 'wrong');
    assert.equal(judgeInterval(60, 54, 3200, M), 'wrong');
    assert.equal(judgeInterval(60, undefined, 3200, M), 'missing');
    // Waited under a second and the margin: the original interval is still possible.
    assert.equal(judgeInterval(60, 60, 1200, M), 'notJudged');
    assert.equal(judgeInterval(60, 61, 1200, M), 'notReduced');
    // In its last second a whole-second broker has nothing left to send.
    assert.equal(judgeInterval(2, undefined, 1000, M), 'notJudged');
  });
});

describe('Message Expiry in a run', () => {
  it('60 s lifetimes, reduced intervals: all delivered in time, 8 reduced, 2 waited too briefly to tell; PASS', () => {
    const r = judgeRun(cycle(60, () => true, mosquittoLike(60)));
    assert.deepEqual(
      { ...r.messageExpiry, examples: undefined, forwarded: undefined },
      {
        sent: 20, deliveredInTime: 20, expiredInQueue: 0, deliveredExpired: 0, lost: 0, notJudged: 0,
        interval: { reduced: 16, notReduced: 0, wrong: 0, missing: 0, notJudged: 4 },
        worstLateMs: null, examples: undefined, forwarded: undefined, resolution: { granularityMs: 1100, marginMs: 250 },
      },
    );
    // Waits from 3.63 s down to 0.94 s: per subscriber 3, 3, 3 and 1 messages lost 3, 2, 1 and 0 whole seconds.
    assert.deepEqual(r.messageExpiry?.forwarded, { '60 s -> 57 s': 6, '60 s -> 58 s': 6, '60 s -> 59 s': 6, '60 s -> 60 s': 2 });
    assert.equal(r.redelivery.expected, 20);
    assert.equal(r.verdict, 'pass');
    assert.equal(r.offlineAge?.count, 20);
    assert.equal(r.offlineAge?.max, 3630);
  });

  it('the original interval forwarded after seconds of waiting fails the interval check, naming the rule', () => {
    const r = judgeRun(cycle(60, () => true, () => 60));
    assert.deepEqual(r.messageExpiry?.interval, { reduced: 0, notReduced: 16, wrong: 0, missing: 0, notJudged: 4 });
    const check = r.checks.find((c) => c.name === 'Message Expiry Interval reduced by the time waited')!;
    assert.equal(check.passed, false);
    assert.equal(check.actual, 16);
    assert.match(check.explanation, /^16 forwarded the original interval, not the time left: the broker must send the received interval minus the time the message waited \(MQTT-3\.3\.2-6\); e\.g\. devices\/0 #0 from backend\/0: 60 s sent, 60 s forwarded after 3\.6 s in the broker/);
    assert.equal(r.verdict, 'fail');
  });

  it('1 s lifetimes, nothing delivered: 5 per subscriber expired in the queue, 5 too near the return; nothing lost; PASS', () => {
    const r = judgeRun(cycle(1, () => false));
    assert.equal(r.messageExpiry?.expiredInQueue, 10);
    assert.equal(r.messageExpiry?.notJudged, 10);
    assert.equal(r.messageExpiry?.lost, 0);
    assert.equal(r.redelivery.expected, 0);
    assert.equal(r.redelivery.lost, 0);
    assert.equal(r.redelivery.indeterminate, 10);
    assert.equal(r.offlineAge, null);
    assert.equal(r.verdict, 'pass');
  });

  it('1 s lifetimes all delivered: the 5 per subscriber that arrived past their end are a broker fault', () => {
    const r = judgeRun(cycle(1, () => true, () => 1));
    assert.equal(r.messageExpiry?.deliveredExpired, 10);
    assert.equal(r.messageExpiry?.deliveredInTime, 10);
    assert.equal(r.redelivery.unexpected, 0);
    const check = r.checks.find((c) => c.name === 'no expired message delivered')!;
    assert.equal(check.passed, false);
    assert.equal(check.actual, 10);
    assert.match(check.explanation, /^10 messages arrived after their Message Expiry Interval had passed \(up to 2\.6 s late\): the broker must delete an expired message, not deliver it \(MQTT-3\.3\.2-5\)/);
    assert.equal(r.verdict, 'fail');
  });

  it('a run without Message Expiry has no such checks and no messageExpiry, but its offline age', () => {
    const r = judgeRun(cutCycle({ protocol: '3.1.1', offline: 10 }));
    assert.equal(r.messageExpiry, undefined);
    assert.deepEqual(r.checks.map((c) => c.name), ['no expected message lost', 'no QoS 2 duplicates', 'no unexpected messages']);
    assert.equal(r.offlineAge?.count, 20);
  });
});
