/**
 * An INCOMPLETE run reads the same in summary.md and junit.xml: the verdict, each shortfall
 * on its own line, and what the broker refused or changed; a run without refusals gets
 * neither block, and no "refused by the broker" row crowds its table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { laneOf, svgTimeline } from '../../../src/report/html/svg-timeline.js';
import { renderJunit } from '../../../src/report/junit.js';
import { judgeScenario } from '../../../src/checks/judge.js';
import { renderSummary } from '../../../src/report/summary-md.js';
import type { Plan } from '../../../src/scenario/plan.js';
import { cutCycle } from '../checks/records.js';

const plan = { scenario: { name: 'refusals', file: 'scenarios/refusals.yaml' }, seed: 1 } as Plan;

function refusedRecord() {
  const record = cutCycle({ protocol: '5', expiry: 3600, label: '5 refused', arrives: (seq) => seq >= 10 });
  for (const run of record.ledgers[0]!.sent) {
    run.refused = {};
    for (let i = 0; i < 10; i++) {
      run.refused[i] = 0x87;
      run.ackedAt[i] = null;
    }
  }
  record.ledgers[0]!.said = [
    { group: 'backend', packet: 'PUBACK', code: 0x87, count: 20, clients: 1, examples: ['backend-0: PUBACK 0x87 for PUBLISH devices/0 (QoS 1)'], firstAt: 1500 },
  ];
  return record;
}

describe('an INCOMPLETE run in the reports', () => {
  const result = judgeScenario(plan, [refusedRecord(), cutCycle({ protocol: '3.1.1', label: '3.1.1 clean' })], { name: 'mqtt-chaos', version: '0' });

  it('summary.md: the verdict, the shortfall, what the broker refused, the refused row', () => {
    const text = renderSummary(result);
    assert.match(text, /^\| verdict +\| INCOMPLETE +\| PASS +\|$/m);
    assert.match(text, /^\| refused by the broker +\| 20 +\| 0 +\|$/m);
    const section = text.slice(text.indexOf('## 5 refused: INCOMPLETE'), text.indexOf('## 3.1.1 clean'));
    assert.ok(section.includes('Incomplete — the run could not do what the scenario asked:\n\n- 80 of 100 publishes acknowledged; 20 refused\n'), section);
    assert.ok(
      section.includes('What the broker refused or changed:\n\n- backend: PUBACK 0x87 Not authorized — 20×, 1 of 1 clients (e.g. backend-0: PUBACK 0x87 for PUBLISH devices/0 (QoS 1))\n'),
      section,
    );
    const clean = text.slice(text.indexOf('## 3.1.1 clean'));
    assert.ok(!clean.includes('Incomplete') && !clean.includes('What the broker'), clean);
  });

  it('junit.xml: every check of the run an <error type="incomplete"> naming the shortfall, the refusals in its body', () => {
    const xml = renderJunit(result);
    const suite = xml.slice(xml.indexOf('name="refusals: 5 refused"'), xml.indexOf('name="refusals: 3.1.1 clean"'));
    const errors = suite.match(/<error message="run incomplete: 80 of 100 publishes acknowledged; 20 refused" type="incomplete">/g) ?? [];
    assert.equal(errors.length, result.runs[0]!.checks.length);
    assert.ok(suite.includes('what the broker refused or changed:\n- backend: PUBACK 0x87 Not authorized'), suite);
  });

  it('report.html timeline: the first refusal is a mark on its run\'s lane, named in its tooltip', () => {
    assert.deepEqual(laneOf(result.runs[0]!).said, [{ at: 1500, label: 'backend: PUBACK 0x87 Not authorized' }]);
    assert.deepEqual(laneOf(result.runs[1]!).said, []);
    const svg = svgTimeline(result.runs, ['#111', '#222']);
    assert.equal(svg.match(/<g class="said">/g)?.length, 1);
    assert.ok(svg.includes('<title>1.5 s: the broker — backend: PUBACK 0x87 Not authorized</title>'), svg);
  });

  it('a table of runs that refused nothing has no refused row', () => {
    const clean = judgeScenario(plan, [cutCycle({ protocol: '3.1.1', label: 'a' })], { name: 'mqtt-chaos', version: '0' });
    assert.doesNotMatch(renderSummary(clean), /refused by the broker/);
  });
});
