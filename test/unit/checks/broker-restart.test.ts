import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lossPolicy } from '../../../src/checks/attribution.js';
import { judgeRun } from '../../../src/checks/judge.js';
import { cutCycle, faultEvents, T } from './records.js';

const restart = { kind: 'broker-restart', downMs: 1000 } as const;
const managed = (options: Record<string, string | number | boolean>) => ({ kind: 'managed-mosquitto' as const, software: 'mosquitto' as const, options });

describe('losses across a broker restart', () => {
  it('the policy lists the kills and what persistence promised', () => {
    const policy = lossPolicy({ ...managed({ persistence: true, autosave_interval: 1 }), url: 'mqtt://x', description: 'x' }, faultEvents(restart));
    assert.deepEqual(policy.restarts, { at: [T.cut], persistence: true, autosaveInterval: '1', autosaveOnChanges: false });
    assert.equal(lossPolicy({ ...managed({}), url: 'mqtt://x', description: 'x' }, faultEvents({ kind: 'cut' })).restarts, undefined);
  });

  it('sessions gone after a kill without persistence: every loss is the restart\'s, said so, not "ended early"', () => {
    const r = judgeRun(cutCycle({ protocol: '3.1.1', clients: 2, offline: 10, present: false, fault: restart, broker: managed({ persistence: false }) }));
    assert.equal(r.redelivery.lost, 20);
    assert.equal(r.redelivery.lostBy['broker-restart'], 20);
    assert.equal(r.redelivery.lostBy['session-ended-early'], 0);
    assert.ok(r.explanations.some((e) => e === '2 reconnects of devices after the broker was killed and restarted got Session Present 0: the session was not persisted before the crash.'), r.explanations.join('\n'));
    assert.ok(!r.explanations.some((e) => /ended it early/.test(e)));
    const failed = r.checks.find((c) => !c.passed && /lost/.test(c.name));
    assert.match(failed?.explanation ?? '', /killed and restarted while it held them: not persisted before the crash \(persistence is off/);
  });

  it('sessions and messages persisted across the restart: nothing lost, nothing blamed', () => {
    const r = judgeRun(cutCycle({ protocol: '3.1.1', clients: 2, offline: 10, fault: restart, broker: managed({ persistence: true, autosave_interval: 1 }) }));
    assert.equal(r.redelivery.delivered, 20);
    assert.equal(r.redelivery.lost, 0);
    assert.ok(!r.explanations.some((e) => /Session Present 0/.test(e)), r.explanations.join('\n'));
    assert.equal(r.verdict, 'pass');
  });

  it('the same losses after a plain cut are the broker ending sessions early', () => {
    const r = judgeRun(cutCycle({ protocol: '3.1.1', clients: 2, offline: 10, present: false, broker: managed({}) }));
    assert.equal(r.redelivery.lostBy['session-ended-early'], 20);
    assert.equal(r.redelivery.lostBy['broker-restart'], 0);
  });
});
