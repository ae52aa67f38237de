import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan, parseScenario } from '../../../src/scenario/index.js';
import { stepPlan } from '../../../src/scenario/ramp.js';
import { BASE, problemLines } from './support.js';

const withRamp = (ramp: string, base = BASE): string => `${base}ramp:\n${ramp}`;
const plan = (text: string) => expandPlan(parseScenario(text, 'x.yaml'), 'x.yaml');

describe('ramp: what the schema cannot say, one line each with file:line:column', () => {
  it('a group the scenario does not have, with a suggestion', () => {
    assert.deepEqual(problemLines(withRamp('  grow: sessions\n  group: device\n  steps: [10, 20]\n')), [
      'x.yaml:17:10: ramp.group: undefined group "device" (did you mean "devices"?)',
    ]);
  });

  it('steps that do not rise', () => {
    assert.deepEqual(problemLines(withRamp('  grow: sessions\n  group: devices\n  steps: [10, 40, 20, 20]\n')), [
      'x.yaml:18:19: ramp.steps[2]: steps must rise: 20 comes after 40',
      'x.yaml:18:23: ramp.steps[3]: steps must rise: 20 comes after 20',
    ]);
  });

  it('a backlog ramp with no publish phase to its group', () => {
    assert.deepEqual(problemLines(withRamp('  grow: backlog\n  group: backend\n  steps: [10, 20]\n')), [
      'x.yaml:17:10: ramp.group: no publish phase sends to group backend: a backlog ramp sets the perTarget of the publish phases to it',
    ]);
  });

  it('a sessions ramp on a group whose clientId takes one client', () => {
    const base = BASE.replace('    role: publisher\n', '    role: publisher\n    clientId: "the-backend"\n');
    assert.deepEqual(problemLines(withRamp('  grow: sessions\n  group: backend\n  steps: [1, 2]\n', base)), [
      "x.yaml:18:10: ramp.group: group backend's clientId has no {i}, so it takes one client only: a sessions ramp needs {i}",
    ]);
  });

  it('the schema: an unknown dimension, one step, a step of 0', () => {
    assert.deepEqual(problemLines(withRamp('  grow: devices\n  group: devices\n  steps: [0]\n')), [
      'x.yaml:16:9: ramp.grow: must be sessions, backlog or rate (got "devices")',
      'x.yaml:18:10: ramp.steps: needs at least 2',
      'x.yaml:18:11: ramp.steps[0]: must be an integer 1..1000000 (got 0)',
    ]);
  });
});

describe('ramp: one plan per step', () => {
  it('sessions: the group count is the step value; run ids and labels name the step; no ramp inside', () => {
    const p = plan(withRamp('  grow: sessions\n  group: devices\n  steps: [10, 20]\n'));
    assert.deepEqual(p.ramp, { grow: 'sessions', group: 'devices', steps: [10, 20] });
    const step = stepPlan(p, p.ramp!, 1);
    assert.equal(step.ramp, undefined);
    assert.deepEqual(step.runs.map((r) => r.id), ['step2-3.1.1', 'step2-5']);
    assert.deepEqual(step.runs.map((r) => r.label), ['3.1.1 · 20 sessions', '5 · 20 sessions']);
    assert.deepEqual(step.runs[0]!.groups.map((g) => [g.name, g.count]), [['devices', 20], ['backend', 1]]);
    // The plan the step came from is untouched.
    assert.equal(p.runs[0]!.groups[0]!.count, 4);
  });

  it('backlog and rate: every publish phase to the group', () => {
    const backlog = plan(withRamp('  grow: backlog\n  group: devices\n  steps: [5, 50]\n'));
    const b = stepPlan(backlog, backlog.ramp!, 1).runs[0]!.phases.find((ph) => ph.kind === 'publish');
    assert.equal(b?.kind === 'publish' ? b.perTarget : undefined, 50);
    const rate = plan(withRamp('  grow: rate\n  group: devices\n  steps: [100, 400]\n'));
    const r = stepPlan(rate, rate.ramp!, 0).runs[1]!.phases.find((ph) => ph.kind === 'publish');
    assert.equal(r?.kind === 'publish' ? r.ratePerSec : undefined, 100);
  });

  it('--count on the ramped group is refused: the ramp sets it', () => {
    const text = withRamp('  grow: sessions\n  group: devices\n  steps: [10, 20]\n');
    assert.throws(() => expandPlan(parseScenario(text, 'x.yaml'), 'x.yaml', { counts: { devices: 5 } }), /--count devices=5: the ramp sets group devices's count at each step/);
  });
});
