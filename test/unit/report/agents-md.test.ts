import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentsSection } from '../../../src/report/agents-md.js';
import { agentsHtml } from '../../../src/report/html/agents.js';
import type { RunResult } from '../../../src/result/result.js';

const run = (over: Partial<RunResult>): RunResult => ({ label: '5', timeline: [], ...over }) as RunResult;

describe('summary.md: agents', () => {
  it('nothing when one process ran the clients', () => {
    assert.deepEqual(agentsSection([run({})]), []);
  });

  it('per run: who ran which clients, the clock offset and its bound, a lost agent, the fault skews', () => {
    const lines = agentsSection([
      run({
        agents: [
          { agent: 1, host: 'a', pid: 10, address: '10.0.0.2:5000', shards: [0], clients: 3, share: [{ group: 'devices', first: 0, count: 3 }], clockOffsetMs: 12.5, clockUncertaintyMs: 0.25 },
          { agent: 2, host: 'b', pid: 11, address: '10.0.0.3:5000', shards: [1], clients: 2, share: [{ group: 'devices', first: 3, count: 2 }], clockOffsetMs: -3, clockUncertaintyMs: 0.125, lost: 'its link closed' },
        ],
        timeline: [{ at: 1, kind: 'fault-start', phase: 2, groups: ['devices'], fault: { kind: 'cut' }, label: 'fault cut on devices', skewMs: 1.5 }],
      }),
    ]);
    assert.deepEqual(lines, [
      '## Agents',
      '',
      '5:',
      '',
      '| agent | host (pid) | joined from | clients | share | clock offset |',
      '|---|---|---|---:|---|---|',
      '| 1 | a (10) | 10.0.0.2:5000 | 3 | devices 0–2 | 12.500 ms ± 0.250 ms |',
      '| 2 (lost) | b (11) | 10.0.0.3:5000 | 2 | devices 3–4 | -3.000 ms ± 0.125 ms |',
      '',
      "Latencies from one agent's client to another's are right within ± 0.375 ms (the two largest clock bounds added).",
      '',
      "Faults applied by every agent's fault server within: fault cut on devices: 1.5 ms.",
      '',
    ]);
  });

  it('report.html: the same table, the lost agent marked with why, the skew; nothing without agents', () => {
    assert.equal(agentsHtml([run({})]), '');
    const html = agentsHtml([
      run({
        id: '5',
        agents: [{ agent: 2, host: 'b<x>', pid: 11, address: '10.0.0.3:5000', shards: [1], clients: 2, share: [{ group: 'devices', first: 3, count: 2 }], clockOffsetMs: -3, clockUncertaintyMs: 0.125, lost: 'its link closed' }],
        timeline: [{ at: 1, kind: 'fault-stop', phase: 3, groups: ['devices'], label: 'heal devices', skewMs: 0.5 }],
      }),
    ]);
    assert.match(html, /<h2 id="agents">Agents<\/h2>/);
    assert.match(html, /<tr title="its link closed"><td>2 \(lost\)<\/td><td>b&lt;x&gt; \(11\)<\/td><td>10\.0\.0\.3:5000<\/td><td>2<\/td><td>devices 3–4<\/td><td>-3\.000 ms ± 0\.125 ms<\/td><\/tr>/);
    assert.match(html, /within: heal devices: 0\.5 ms\./);
  });
});
