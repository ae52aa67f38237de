import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describePhase } from '../../../src/engine/phase-driver.js';
import type { PhasePlan } from '../../../src/scenario/plan.js';

describe('phase labels', () => {
  it('print durations as a scenario writes them, not raw milliseconds', () => {
    const phases: [PhasePlan, string][] = [
      [{ kind: 'wait', durationMs: 600_000 } as PhasePlan, 'wait 10m'],
      [{ kind: 'wait', durationMs: 1500 } as PhasePlan, 'wait 1.5s'],
      [{ kind: 'drain', timeoutMs: 20_000 } as PhasePlan, 'drain (up to 20s)'],
      [{ kind: 'measure', label: 'queued', settleMs: 3000 } as PhasePlan, 'measure memory "queued" (after 3s)'],
      [{ kind: 'fault', groups: [], fault: { kind: 'broker-restart', downMs: 250 } } as unknown as PhasePlan, 'broker-restart (down 250ms)'],
    ];
    for (const [phase, label] of phases) assert.equal(describePhase(phase), label);
  });
});
