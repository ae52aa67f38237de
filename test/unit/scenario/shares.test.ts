import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan, parseScenario } from '../../../src/scenario/index.js';
import { problemLines } from './support.js';

/** A scenario with a shared group `jobs` (lines 3–4), a publisher, and `extra` lines under groups. */
function scenario(jobs: string, extra = '', publishTo = 'jobs'): string {
  return [
    'name: t',
    'groups:',
    `  jobs: ${jobs}`,
    '  backend: { count: 2, role: publisher }',
    ...(extra ? [extra] : []),
    'phases:',
    '  - connect: {}',
    '  - subscribe: {}',
    `  - publish: { from: backend, to: ${publishTo}, perTarget: 3 }`,
    '  - drain: {}',
    '',
  ].join('\n');
}

const problems = (text: string): string[] => problemLines(text).map((l) => l.replace(/^x\.yaml:/, ''));

describe('shared groups (share:) in a scenario', () => {
  it('a shared group of 3 on one topic is valid; members subscribe to $share/<share>/<topic>, publish to it is marked shared', () => {
    const text = scenario('{ count: 3, role: subscriber, share: workers, topic: "jobs/{run}" }');
    assert.deepEqual(problems(text), []);
    const plan = expandPlan(parseScenario(text, 'x.yaml'), 'x.yaml', { protocol: '5' });
    const run = plan.runs[0]!;
    assert.deepEqual(
      run.groups.map((g) => [g.name, g.share, g.topic]),
      [
        ['jobs', 'workers', 'jobs/5'],
        ['backend', undefined, undefined],
      ],
    );
    assert.deepEqual(
      run.phases.filter((p) => p.kind === 'publish'),
      [{ kind: 'publish', from: 'backend', to: 'jobs', perTarget: 3, qos: 1, payloadBytes: 64, shared: true }],
    );
  });

  it('{i} in a shared group\'s topic is an error at its column: members share one topic', () => {
    assert.deepEqual(problems(scenario('{ count: 3, role: subscriber, share: workers, topic: "jobs/{i}" }')), [
      '3:68: groups.jobs.topic: a shared group has one topic for all its members: remove {i} (the broker splits the messages between them)',
    ]);
  });

  it('share on a publisher group is an error', () => {
    assert.deepEqual(problems(scenario('{ count: 3, role: subscriber, share: workers, topic: "jobs" }', '  more: { count: 1, role: publisher, share: workers }')), [
      '5:45: groups.more.share: only subscriber groups share a subscription: a publisher group publishes, it does not subscribe',
    ]);
  });

  it('the share name holds no "/", "+" or "#"; the topic is written without $share/', () => {
    assert.deepEqual(problems(scenario('{ count: 3, role: subscriber, share: "a/b", topic: "jobs" }')), [
      '3:46: groups.jobs.share: must be letters, digits, "_" and "-" (no "/", "+" or "#") (got "a/b")',
    ]);
    assert.deepEqual(problems(scenario('{ count: 3, role: subscriber, share: w, topic: "$share/w/jobs" }')), [
      '3:57: groups.jobs.topic: write the topic without "$share/<name>/": share: adds it',
    ]);
  });

  it('groups of one share subscribe to one topic', () => {
    const text = scenario('{ count: 2, role: subscriber, share: workers, topic: "jobs" }', '  spare: { count: 1, role: subscriber, share: workers, topic: "other" }');
    assert.deepEqual(problems(text), [
      '5:63: groups.spare.topic: differs from group jobs\'s ("jobs"), which has the same share "workers": groups of one share subscribe to one topic',
    ]);
  });
});
