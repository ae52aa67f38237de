/**
 * The Message Expiry rows and the offline-age chart, rendered from a real result.json
 * (scenarios/message-expiry.yaml on managed Mosquitto): the figures shown are result.json's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { duration } from '../../../src/checks/words.js';
import { renderHtml } from '../../../src/report/html/page.js';
import { renderSummary } from '../../../src/report/summary-md.js';
import { loadFixture } from './fixtures.js';

const result = loadFixture('message-expiry');
const [v3, v5] = result.runs;

function cells(text: string): Map<string, string[]> {
  const rows = text.split('\n').filter((l) => l.startsWith('| '));
  return new Map(rows.map((l) => l.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim())).map((c) => [c[0]!, c.slice(1)]));
}

describe('Message Expiry in summary.md and report.html', () => {
  it('the fixture is the shipped scenario: 3.1.1 delivers every command, v5 lets the short-lived expire', () => {
    assert.deepEqual([v3!.id, v5!.id], ['3.1.1', '5']);
    assert.equal(v3!.messageExpiry, undefined);
    assert.equal(v5!.messageExpiry?.expiredInQueue, 100);
    assert.equal(v5!.messageExpiry?.deliveredInTime, 100);
  });

  it('summary rows: expiry classes for v5 ("–" for 3.1.1), and the offline age of both', () => {
    const table = cells(renderSummary(result));
    assert.deepEqual(table.get('expired in the queue (v5)'), ['–', '100']);
    assert.deepEqual(table.get('delivered after expiry'), ['–', '0']);
    assert.deepEqual(table.get('expiry interval forwarded'), ['–', '100 reduced']);
    assert.deepEqual(
      table.get('offline age p50 / oldest'),
      [v3!, v5!].map((r) => `${duration(r.offlineAge!.p50)} / ${duration(r.offlineAge!.max)}`),
    );
  });

  it('summary rows about expiry are left out when no run sent an interval', () => {
    const without = { ...result, runs: [v3!] };
    const table = cells(renderSummary(without));
    assert.equal(table.has('expired in the queue (v5)'), false);
    assert.equal(table.has('offline age p50 / oldest'), true);
  });

  it('report.html: an offline-age chart whose numbers are result.json\'s', () => {
    const html = renderHtml(result);
    assert.match(html, /<h3>Age of offline messages<\/h3>/);
    for (const run of [v3!, v5!]) {
      for (const p of ['p50', 'p90', 'p99', 'max'] as const) {
        assert.ok(html.includes(`data-metric="redelivery.age.${p}" data-run="${run.id}" data-value="${run.offlineAge![p]}"`), `${run.id} ${p}`);
      }
    }
  });
});
