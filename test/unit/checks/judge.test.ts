import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeRun } from '../../../src/checks/judge.js';
import type { Check } from '../../../src/result/result.js';
import { cutCycle, expectation, makeRecord, groupPlan } from './records.js';

function check(checks: Check[], name: string): Check {
  const found = checks.find((c) => c.name === name);
  assert.ok(found, `no check "${name}" in ${checks.map((c) => c.name).join(', ')}`);
  return found;
}

describe('judgeRun: the persistent-session trap, side by side', () => {
  it('3.1.1 CleanSession=0 through a cut: every offline message expected and delivered, pass', () => {
    const r = judgeRun(cutCycle({ protocol: '3.1.1' }));
    assert.equal(r.verdict, 'pass');
    assert.equal(r.redelivery.offline, 100);
    assert.equal(r.redelivery.expected, 100);
    assert.equal(r.redelivery.delivered, 100);
    assert.equal(r.redelivery.lost, 0);
    assert.equal(r.redelivery.offlineDelivered, 100);
    assert.equal(r.redelivery.drainTime, 69);
    assert.match(r.explanations[0]!, /^CleanSession=0: the session outlives a disconnect .* 100 of the 100 messages .* 100 arrived\. Under MQTT 5/);
    assert.deepEqual(
      r.checks.map((c) => [c.name, c.source, c.passed]),
      [
        ['no expected message lost', 'builtin', true],
        ['no QoS 2 duplicates', 'builtin', true],
        ['no unexpected messages', 'builtin', true],
      ],
    );
  });

  it('5 with Session Expiry Interval 0: nothing offline expected, none delivered, pass, and the trap stated', () => {
    const r = judgeRun(cutCycle({ protocol: '5', expiry: 0, offline: 500 }));
    assert.equal(r.verdict, 'pass');
    assert.equal(r.redelivery.offline, 1000);
    assert.equal(r.redelivery.expected, 0);
    assert.equal(r.redelivery.noSession, 1000);
    assert.equal(r.redelivery.unexpected, 0);
    assert.equal(
      r.explanations[0],
      'Session Expiry Interval 0: the session ended at each disconnect (MQTT 5 §3.1.2.11.2), so 0 of the 1,000 messages sent while devices were offline ' +
        'were expected, and 0 arrived. Under MQTT 3.1.1, CleanSession=0 keeps the session: set session.expiry (e.g. 3600) for the same behaviour.',
    );
    assert.equal(check(r.checks, 'no expected message lost').explanation, 'no message was expected (see the explanations)');
  });

  it('a device-side expectation on offline delivery fails under expiry 0, naming the cause', () => {
    const expect = [expectation('redelivery.offlineDeliveredRatio == 100%')];
    const r = judgeRun(cutCycle({ protocol: '5', expiry: 0, offline: 10, expect }));
    assert.equal(r.verdict, 'fail');
    const failed = check(r.checks, 'redelivery.offlineDeliveredRatio == 100%');
    assert.equal(failed.passed, false);
    assert.match(failed.explanation, /was 0%, needs == 100%: Session Expiry Interval 0 ended each devices session at the disconnect/);
    const kept = judgeRun(cutCycle({ protocol: '5', expiry: 3600, offline: 10, expect }));
    assert.equal(check(kept.checks, 'redelivery.offlineDeliveredRatio == 100%').passed, true);
  });

  it('5 with expiry 0, but the broker kept the session and delivered: unexpected, fail, with the cause', () => {
    const r = judgeRun(cutCycle({ protocol: '5', expiry: 0, present: true, arrives: () => true }));
    assert.equal(r.verdict, 'fail');
    assert.equal(r.redelivery.unexpected, 100);
    const c = check(r.checks, 'no unexpected messages');
    assert.equal(c.passed, false);
    assert.equal(c.actual, 100);
    assert.equal(
      c.explanation,
      '100 messages arrived on devices though the spec had no session to hold them: the broker answered Session Present 1 on 2 reconnects despite Session Expiry Interval 0, keeping the session past its end',
    );
    assert.ok(r.explanations.some((e) => e.startsWith('2 reconnects of devices got Session Present 1 though by the spec the session had ended')));
  });

  it('5 with expiry 3600: offline messages expected and delivered', () => {
    const r = judgeRun(cutCycle({ protocol: '5', expiry: 3600 }));
    assert.equal(r.verdict, 'pass');
    assert.equal(r.redelivery.expected, 100);
    assert.equal(r.redelivery.delivered, 100);
    assert.match(r.explanations[0]!, /^Session Expiry Interval 3600 s: devices were back within 4\.11 s, before their sessions expired/);
  });

  it('Session Present 0 where the spec keeps the session: lost, attributed session-ended-early', () => {
    const r = judgeRun(cutCycle({ protocol: '5', expiry: 3600, present: false }));
    assert.equal(r.verdict, 'fail');
    assert.equal(r.redelivery.lost, 100);
    assert.equal(r.redelivery.lostBy['session-ended-early'], 100);
    assert.equal(
      check(r.checks, 'no expected message lost').explanation,
      '50 of 50 expected messages per client lost on devices: the broker answered Session Present 0 on 2 reconnects though the spec keeps the session',
    );
  });

  it('Mosquitto max_queued_messages 10, 50 offline per client, 10 delivered: 40 lost per client, all queue-limit', () => {
    const broker = { kind: 'managed-mosquitto' as const, software: 'mosquitto' as const, options: { max_queued_messages: 10 } };
    const r = judgeRun(cutCycle({ protocol: '3.1.1', clients: 3, broker, arrives: (seq) => seq < 10 }));
    assert.equal(r.redelivery.expected, 150);
    assert.equal(r.redelivery.delivered, 30);
    assert.equal(r.redelivery.lost, 120);
    assert.deepEqual(r.redelivery.lostBy, { 'queue-limit': 120, 'size-limit': 0, 'session-ended-early': 0, 'session-expired': 0, 'broker-restart': 0, 'never-released': 0, unknown: 0 });
    assert.equal(
      check(r.checks, 'no expected message lost').explanation,
      '40 of 50 expected messages per client lost on devices: Mosquitto max_queued_messages is 10, newest messages dropped over the limit',
    );
  });

  it('the same loss on a broker with no known limit is unknown', () => {
    const r = judgeRun(cutCycle({ protocol: '3.1.1', broker: { software: 'aedes' }, arrives: (seq) => seq < 10 }));
    assert.equal(r.redelivery.lostBy.unknown, 80);
    assert.match(check(r.checks, 'no expected message lost').explanation, /: cause unknown/);
  });

  it('an unsupported run has no checks and its own verdict', () => {
    const devices = groupPlan({ name: 'devices', role: 'subscriber' });
    const r = judgeRun(makeRecord({ protocol: '5', groups: [devices], clients: [], unsupported: 'Aedes speaks MQTT 3.1.1 only' }));
    assert.equal(r.verdict, 'unsupported');
    assert.deepEqual(r.checks, []);
    assert.equal(r.unsupported, 'Aedes speaks MQTT 3.1.1 only');
    assert.deepEqual(r.explanations, ['Not run: Aedes speaks MQTT 3.1.1 only']);
  });

  it('a run stopped early is INCOMPLETE, never a pass, even when every check passes', () => {
    const record = { ...cutCycle({ protocol: '3.1.1' }), incomplete: 'worker 1 crashed' };
    const r = judgeRun(record);
    assert.ok(r.checks.every((c) => c.passed));
    assert.equal(r.verdict, 'incomplete');
    assert.deepEqual(r.shortfalls, [{ kind: 'stopped', text: 'the run stopped early: worker 1 crashed' }]);
    assert.equal(r.explanations[0], 'The run did not complete (worker 1 crashed): the counts cover what was recorded.');
  });

  it('reports no credentials from the broker URL, and times relative to the run start', () => {
    const record = cutCycle({ protocol: '3.1.1' });
    record.broker.url = 'mqtt://alice:secret@127.0.0.1:1883';
    record.startedAt = 500;
    const r = judgeRun(record);
    assert.doesNotMatch(JSON.stringify(r), /secret|alice/);
    assert.deepEqual(r.timeline.map((e) => e.at), [500, 1000, 4500, 4501]);
  });
});

describe('judgeRun: expectations', () => {
  it('evaluates each expect line against the metric, passing and failing, with its unit', () => {
    const expect = [expectation('redelivery.lost == 0'), expectation('redelivery.delivered > 100', 'matrix'), expectation('redelivery.latency.p99 < 2s')];
    const r = judgeRun(cutCycle({ protocol: '3.1.1', expect, redeliveryMs: [100, 200, 2500] }));
    const [lost, delivered, p99] = r.checks.slice(3);
    assert.deepEqual(lost, { name: 'redelivery.lost == 0', source: 'scenario', passed: true, actual: 0, threshold: '== 0', explanation: 'redelivery.lost was 0, within == 0' });
    assert.deepEqual(
      [delivered!.source, delivered!.passed, delivered!.actual, delivered!.explanation],
      ['matrix', false, 100, 'redelivery.delivered was 100, needs > 100'],
    );
    assert.equal(p99!.passed, false);
    assert.equal(p99!.threshold, '< 2,000 ms');
    assert.ok(p99!.actual! >= 2499 && p99!.actual! <= 2501, String(p99!.actual));
    assert.equal(r.verdict, 'fail');
  });

  it('a latency bound with no samples passes, saying so', () => {
    const r = judgeRun(cutCycle({ protocol: '5', expiry: 0, expect: [expectation('redelivery.latency.p99 < 2s')] }));
    const c = check(r.checks, 'redelivery.latency.p99 < 2s');
    assert.equal(c.passed, true);
    assert.equal(c.actual, null);
    assert.match(c.explanation, /no samples/);
    assert.equal(r.verdict, 'pass');
  });
});
