import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderHtml } from '../../../src/report/html/page.js';
import type { ChartSpec } from '../../../src/report/html/charts.js';
import { renderSummary } from '../../../src/report/summary-md.js';
import { renderJunit } from '../../../src/report/junit.js';
import { loadFixture } from './fixtures.js';

/** The chart specs report.html embeds for its script. */
function charts(html: string): Record<string, ChartSpec> {
  const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1];
  assert.ok(json, 'report-data embedded');
  return (JSON.parse(json) as { charts: Record<string, ChartSpec> }).charts;
}

describe('a ramp in the reports (a real capacity-ramp run)', () => {
  const result = loadFixture('capacity-ramp');

  it('summary.md leads with the knee, then a row per step with each expectation and ✗ where it broke', () => {
    const md = renderSummary(result);
    const lines = md.split('\n');
    const at = lines.indexOf('## Ramp: devices, sessions 100 to 800');
    assert.ok(at > 0 && at < lines.findIndex((l) => l.startsWith('|')), 'the ramp comes before the runs table');
    assert.equal(lines[at + 2], '**Knee between 200 sessions (held) and 400 sessions (broke): 5 · 400 sessions: memory.peak <= 8MB: memory.peak was 11.2 MB, needs <= 8 MB**');
    const rows = lines.slice(at + 4, at + 10).map((l) => l.split('|').map((c) => c.trim()).filter(Boolean));
    assert.deepEqual(rows[0], ['step', 'sessions', 'result', 'redelivery.lost == 0', 'reconnect.missing == 0', 'redelivery.drainTime <= 10s', 'memory.peak <= 8MB']);
    assert.deepEqual(rows.slice(2).map((r) => [r[0], r[1], r[2], r.at(-1)]), [
      ['1', '100', 'HELD', '2.84 MB'],
      ['2', '200', 'HELD', '5.64 MB'],
      ['3', '400', 'BROKE', '11.2 MB ✗'],
      ['4', '800', 'not run', '–'],
    ]);
  });

  it('report.html: the finding, a row per step, and a curve per expectation with its SLO line; the one that broke first', () => {
    const html = renderHtml(result);
    assert.match(html, /<h2 id="ramp">Ramp to the knee<\/h2>/);
    assert.match(html, /<tr data-step="3">.*BROKE.*<\/tr>/);
    const specs = charts(html);
    const ramp = Object.keys(specs).filter((k) => k.startsWith('ramp-'));
    assert.deepEqual(ramp, ['ramp-0', 'ramp-1', 'ramp-2', 'ramp-3']);
    const memory = specs['ramp-0']!;
    assert.equal(memory.kind, 'steps');
    assert.equal(memory.title, 'memory.peak <= 8MB');
    assert.deepEqual(memory.x, [100, 200, 400]);
    const [curve, slo] = memory.series;
    assert.deepEqual(curve!.y, result.ramp!.steps.slice(0, 3).map((s) => s.values.find((v) => v.slo === 'memory.peak <= 8MB')!.actual));
    assert.deepEqual(slo, { label: 'SLO <= 8 MB', color: '#6b6b6b', y: [8_000_000, 8_000_000, 8_000_000], dash: true });
  });

  it('junit.xml: the steps as runs (the broken step\'s failure is the knee\'s evidence), and a ramp case that passes when a knee was found', () => {
    const xml = renderJunit(result);
    assert.match(xml, /<testsuite name="capacity-ramp: 5 · 400 sessions"[^>]* failures="1"/);
    assert.match(xml, /<testsuite name="capacity-ramp: ramp" id="3" package="capacity-ramp" tests="1" failures="0" errors="0"[^>]*>\n    <testcase name="ramp" classname="capacity-ramp.ramp" time="0"\/>\n    <system-out>knee between 200 sessions \(held\)/);
    const below = { ...result, ramp: { ...result.ramp!, outcome: 'below-range' as const, finding: 'the first step already broke' } };
    assert.match(renderJunit(below), /<testcase name="ramp" classname="capacity-ramp.ramp" time="0">\n      <failure message="the first step already broke" type="below-range"\/>/);
    const machine = { ...result, ramp: { ...result.ramp!, outcome: 'machine-limit' as const, finding: 'stopped by this machine' } };
    assert.match(renderJunit(machine), /<error message="stopped by this machine" type="machine-limit"\/>/);
  });
});
