import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeStep, rampExitCode, rampResult, rampSlos } from '../../../src/checks/ramp.js';
import { parseExpression, type Expression } from '../../../src/checks/expression.js';
import type { RampPlan, RunPlan } from '../../../src/scenario/plan.js';
import type { Check, RunResult, Verdict } from '../../../src/result/result.js';

const expression = (text: string): Expression => parseExpression(text) as Expression;
const SLOS = rampSlos([{ expect: [{ ...expression('memory.peak <= 8MB'), origin: 'scenario' }, { ...expression('redelivery.lost == 0'), origin: 'scenario' }] } as unknown as RunPlan]);
const RAMP: RampPlan = { grow: 'sessions', group: 'devices', steps: [100, 200, 400, 800] };
const BASE = new Map([['s-5', '5']]);

/** The parts of a judged run a step is decided from. */
function run(verdict: Verdict, peak: number | null, extra: Partial<RunResult> = {}): RunResult {
  const checks: Check[] = [
    { name: 'memory.peak <= 8MB', source: 'scenario', passed: peak === null || peak <= 8_000_000, actual: peak, threshold: '<= 8 MB', explanation: `memory.peak was ${peak}` },
    { name: 'redelivery.lost == 0', source: 'scenario', passed: true, actual: 0, threshold: '== 0', explanation: 'redelivery.lost was 0' },
  ];
  return { id: 's-5', label: '5 · n sessions', verdict, checks, shortfalls: [], ...extra } as RunResult;
}

describe('a ramp step: held only when every run passed and measured every expectation', () => {
  it('passed: held, with each expectation value under the scenario run id', () => {
    const step = judgeStep(100, [run('pass', 3_000_000)], SLOS, BASE);
    assert.equal(step.status, 'held');
    assert.deepEqual(step.values, [
      { slo: 'memory.peak <= 8MB', run: '5', actual: 3_000_000, passed: true },
      { slo: 'redelivery.lost == 0', run: '5', actual: 0, passed: true },
    ]);
  });

  it('a failed expectation: broke, the reason names it with its value', () => {
    const step = judgeStep(400, [run('fail', 11_000_000)], SLOS, BASE);
    assert.equal(step.status, 'broke');
    assert.deepEqual(step.reasons, ['5 · n sessions: memory.peak <= 8MB: memory.peak was 11000000']);
  });

  it('INCOMPLETE is never held, whatever its checks say', () => {
    const step = judgeStep(200, [run('incomplete', 3_000_000, { shortfalls: [{ kind: 'connect', text: 'phase 1 (connect): connected 150 of 200' }] })], SLOS, BASE);
    assert.equal(step.status, 'incomplete');
    assert.deepEqual(step.reasons, ['5 · n sessions: INCOMPLETE: phase 1 (connect): connected 150 of 200']);
  });

  it('an expectation with no samples (it would pass vacuously) is not held either', () => {
    const step = judgeStep(200, [run('pass', null)], SLOS, BASE);
    assert.equal(step.status, 'incomplete');
    assert.match(step.reasons[0]!, /memory\.peak <= 8MB: no samples/);
  });
});

describe('the ramp: the knee, or why there is none', () => {
  const held = (v: number) => judgeStep(v, [run('pass', v * 10_000)], SLOS, BASE);
  const broke = (v: number) => judgeStep(v, [run('fail', v * 100_000)], SLOS, BASE);

  it('held, held, broke: the knee between the last held and the first broken, later steps not run; exit 0', () => {
    const r = rampResult(RAMP, SLOS, [held(100), held(200), broke(400)]);
    assert.equal(r.outcome, 'knee');
    assert.deepEqual([r.lastHeld, r.firstBroke], [200, 400]);
    assert.deepEqual(r.steps.map((s) => s.status), ['held', 'held', 'broke', 'not-run']);
    assert.match(r.finding, /^knee between 200 sessions \(held\) and 400 sessions \(broke\): .*memory\.peak <= 8MB/);
    assert.equal(rampExitCode(r.outcome), 0);
  });

  it('every step held: no knee in range; exit 0', () => {
    const r = rampResult(RAMP, SLOS, RAMP.steps.map(held));
    assert.equal(r.outcome, 'no-knee');
    assert.deepEqual([r.lastHeld, r.firstBroke], [800, null]);
    assert.equal(r.finding, 'no knee in range: every step held, up to 800 sessions');
    assert.equal(rampExitCode(r.outcome), 0);
  });

  it('the first step broke: below the range; exit 1', () => {
    const r = rampResult(RAMP, SLOS, [broke(100)]);
    assert.equal(r.outcome, 'below-range');
    assert.equal(r.lastHeld, null);
    assert.equal(rampExitCode(r.outcome), 1);
  });

  it('an INCOMPLETE step is no knee; exit 1', () => {
    const incomplete = judgeStep(200, [run('incomplete', 1, { shortfalls: [{ kind: 'connect', text: 'connected 150 of 200' }] })], SLOS, BASE);
    const r = rampResult(RAMP, SLOS, [held(100), incomplete]);
    assert.equal(r.outcome, 'incomplete');
    assert.match(r.finding, /^step 200 sessions could not do what was asked, so it is no knee; held up to 100 sessions; /);
    assert.equal(rampExitCode(r.outcome), 1);
  });

  it("a step the broker refused is its own limit, named as such, not a knee; exit 1", () => {
    const refused = judgeStep(200, [run('incomplete', 1, {
      shortfalls: [{ kind: 'connect', text: 'connected 150 of 200' }],
      brokerSaid: [{ group: 'devices', packet: 'CONNACK', kind: 'refused', code: 0x97, what: 'CONNACK 0x97 Quota exceeded', count: 50, clients: 50, of: 200, examples: [], firstAt: 10 }],
    })], SLOS, BASE);
    const r = rampResult(RAMP, SLOS, [held(100), refused]);
    assert.equal(r.outcome, 'broker-limit');
    assert.equal(r.finding, "stopped at 200 sessions by the broker's own limit (it refused what the step asked), not by the SLO (held up to 100 sessions): 5 · n sessions: INCOMPLETE: connected 150 of 200");
    assert.equal(rampExitCode(r.outcome), 1);
  });

  it("the machine's limit is named as the machine's, not the broker's; exit 3", () => {
    const stopped = judgeStep(400, [], SLOS, BASE, { kind: 'machine-limit', text: 'needs 656 open files in the harness process, the hard limit is 400' });
    const r = rampResult(RAMP, SLOS, [held(100), held(200), stopped]);
    assert.equal(r.outcome, 'machine-limit');
    assert.equal(r.finding, "stopped at 400 sessions by this machine's limit, not the broker's (held up to 200 sessions): needs 656 open files in the harness process, the hard limit is 400");
    assert.equal(rampExitCode(r.outcome), 3);
  });
});
