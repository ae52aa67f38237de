/**
 * Messages an earlier invocation left on the broker: judged from the ledger's per-subscriber
 * counts, never delivered; the summary's row shows only when a run has any.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeScenario } from '../../../src/checks/judge.js';
import { renderSummary } from '../../../src/report/summary-md.js';
import type { Plan } from '../../../src/scenario/plan.js';
import { cutCycle } from '../checks/records.js';

const broker = { kind: 'external' as const, software: 'mosquitto' as const, description: 'external broker', options: {} };
const plan = { scenario: { name: 'leftovers', file: 'leftovers.yaml' }, seed: 1 } as Plan;

describe('leftovers from an earlier run', () => {
  it('are counted apart per group, explained once, and shown in a row only when a run has any', () => {
    const clean = cutCycle({ protocol: '3.1.1', label: '3.1.1', broker });
    const withLeftovers = cutCycle({ protocol: '5', expiry: 3600, label: '5', broker });
    const subscriber = withLeftovers.ledgers[0]!.received[0]!.subscriber;
    withLeftovers.ledgers[0]!.leftover = { [subscriber]: 7 };
    const both = judgeScenario(plan, [clean, withLeftovers], { name: 'mqtt-chaos', version: '0' });
    const [v3, v5] = both.runs;
    assert.equal(v3!.redelivery.leftover, 0);
    assert.equal(v5!.redelivery.leftover, 7);
    assert.equal(v5!.redelivery.delivered, v3!.redelivery.delivered, 'leftovers are never delivered');
    assert.deepEqual(v5!.explanations.filter((e) => e.includes('left over')), [
      "7 messages left over from an earlier run reached devices: the broker still held sessions under these client ids. They carry another invocation's mark, so they were counted apart, never as delivered.",
    ]);
    assert.match(renderSummary(both), /^\| left over from an earlier run \| +0 +\| +7 +\|$/m);

    const none = judgeScenario(plan, [clean], { name: 'mqtt-chaos', version: '0' });
    assert.doesNotMatch(renderSummary(none), /left over/, 'no always-zero row, no explanation');
  });
});
