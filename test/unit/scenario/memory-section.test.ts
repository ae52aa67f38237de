import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan } from '../../../src/scenario/expand.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { problemLines } from './support.js';

const GROUPS = `name: t
groups:
  devices: { count: 2, role: subscriber, topic: "d/{i}", session: { clean: false, expiry: 10 } }
  backend: { count: 1, role: publisher }
`;

const PHASES = `phases:
  - connect: {}
  - subscribe: {}
  - measure: sessions
  - disconnect: { groups: [devices], mode: abrupt }
  - publish: { from: backend, to: devices, perTarget: 3 }
  - measure: { label: queued, settle: 2500ms }
  - wait: 1s
  - measure:
`;

function plan(text: string) {
  return expandPlan(parseScenario(text, 'x.yaml'), 'x.yaml');
}

describe('scenario: memory section and measure phases', () => {
  it('defaults: automatic probes, 500 ms interval, 3 s settle; measure phases take a label, a settle, or nothing', () => {
    const p = plan(GROUPS + PHASES);
    assert.deepEqual(p.memory, { probes: 'auto', intervalMs: 500, settleMs: 3000 });
    const measures = p.runs[0]!.phases.filter((x) => x.kind === 'measure');
    assert.deepEqual(measures, [
      { kind: 'measure', label: 'sessions', settleMs: 3000 },
      { kind: 'measure', label: 'queued', settleMs: 2500 },
      { kind: 'measure', label: 'phase-8', settleMs: 3000 },
    ]);
  });

  it('explicit probes: rss (of the managed broker, a pid or a process name), sys-heap, prometheus; none', () => {
    const p = plan(`${GROUPS}memory:
  probes:
    - sys-heap
    - rss
    - { rss: { pid: 4242 } }
    - { rss: { process: emqx } }
    - { prometheus: { url: "http://127.0.0.1:18083/metrics", metric: emqx_vm_total_memory, labels: { node: a } } }
  interval: 1s
  settle: 12s
${PHASES}`);
    assert.deepEqual(p.memory, {
      probes: [
        { kind: 'sys-heap' },
        { kind: 'rss' },
        { kind: 'rss', pid: 4242 },
        { kind: 'rss', process: 'emqx' },
        { kind: 'prometheus', url: 'http://127.0.0.1:18083/metrics', metric: 'emqx_vm_total_memory', labels: { node: 'a' } },
      ],
      intervalMs: 1000,
      settleMs: 12_000,
    });
    assert.equal(p.runs[0]!.phases.find((x) => x.kind === 'measure')?.settleMs, 12_000, 'memory.settle is the measure default');
    assert.deepEqual(plan(`${GROUPS}memory: { probes: none }\n${PHASES}`).memory?.probes, []);
  });

  it('mistakes get one line each, with file:line', () => {
    const lines = problemLines(`${GROUPS}memory:
  probes: [rss, heap, { rss: { pid: 1, process: x } }, { prometheus: { url: "ftp://x", metric: "bad name" } }]
  interval: 500
  every: 1s
phases:
  - connect: {}
  - measure: a
  - measure: { label: a, settle: soon }
`);
    assert.deepEqual(lines, [
      'x.yaml:6:17: memory.probes[1]: must be rss, sys-heap, a map with rss or a map with prometheus (got "heap")',
      'x.yaml:6:30: memory.probes[2].rss: has 2 keys (pid, process): write one per list item',
      'x.yaml:6:77: memory.probes[3].prometheus.url: must be an http:// or https:// URL (got "ftp://x")',
      'x.yaml:6:96: memory.probes[3].prometheus.metric: must be a Prometheus metric name (letters, digits, "_" and ":") (got "bad name")',
      'x.yaml:7:13: memory.interval: add a unit, e.g. "500s" (got 500)',
      'x.yaml:8:3: memory.every: unknown key (known keys: probes, interval, settle)',
      'x.yaml:12:34: phases[2].measure.settle: must be a duration with a unit, e.g. 250ms, 2s, 1.5m (got "soon")',
    ]);
    assert.deepEqual(
      problemLines(`${GROUPS}phases:\n  - connect: {}\n  - measure: a\n  - measure: { label: a }\n`),
      ['x.yaml:8:14: phases[2].measure: the label "a" is already used by phases[1]: each point needs its own'],
    );
  });
});
