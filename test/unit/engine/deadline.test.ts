import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDeadline, scenarioDeadlineMs } from '../../../src/engine/deadline.js';
import { parseScenario, expandPlan } from '../../../src/scenario/index.js';

const plan = (extra: string) =>
  expandPlan(
    parseScenario(
      `name: d
protocols: ["3.1.1", "5"]
${extra}
groups:
  devices: { count: 10, role: subscriber, topic: "d/{i}" }
  backend: { count: 1, role: publisher }
phases:
  - connect: { groups: [devices], rate: 1/s }
  - connect: { groups: [backend] }
  - subscribe: {}
  - wait: 5m
  - publish: { from: backend, to: devices, perTarget: 100, rate: 10/s }
  - drain: { timeout: 3m }
`,
      'd.yaml',
    ),
    'd.yaml',
  );

describe('scenarioDeadlineMs', () => {
  it('defaults to every run\'s phase limits summed, plus a minute of setup a run', () => {
    // Each phase's timeout is 120 s, plus what a rate takes (10 clients at 1/s; 1000 messages at 10/s);
    // a wait or a drain longer than that counts in full.
    const perRun = 60_000 + (120_000 + 10_000) + 120_000 + 120_000 + 300_000 + (120_000 + 100_000) + 180_000;
    assert.equal(scenarioDeadlineMs(plan('')), 2 * perRun);
  });
  it('takes the scenario\'s own deadline', () => {
    assert.equal(scenarioDeadlineMs(plan('deadline: 90s')), 90_000);
  });
  it('a deadline of 0 is a scenario problem, with its line', () => {
    assert.throws(() => plan('deadline: 0s'), /d\.yaml:3:11: deadline: a deadline of 0 would stop the run before it starts/);
  });
  it('never exceeds what a timer can wait', () => {
    assert.equal(scenarioDeadlineMs(plan('deadline: 1000h')), 2 ** 31 - 1);
  });
});

describe('formatDeadline', () => {
  it('writes the shortest exact unit', () => {
    assert.deepEqual([90_000, 600_000, 7_200_000, 1500, 250].map(formatDeadline), ['90s', '10m', '2h', '1.5s', '250ms']);
  });
  it('rounds a derived deadline as a person would write it: to the minute from 10m, the second from 10s', () => {
    assert.deepEqual([3_060_600, 7_199_000, 95_400, 1234].map(formatDeadline), ['51m', '2h', '95s', '1.2s']);
  });
});
