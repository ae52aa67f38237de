/**
 * Summaries lead with the answer: a run's summary.md and report.html show first the figures
 * its phases measured, and leave out sections nothing measured. Real result.json files.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderHtml } from '../../../src/report/html/page.js';
import { measures } from '../../../src/report/measured.js';
import { renderSummary } from '../../../src/report/summary-md.js';
import { loadFixture } from './fixtures.js';

/** Row names of the first table of a Markdown text, in order. */
function firstTableRows(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| '));
  const rows: string[] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('|')) break;
    if (!line.startsWith('|-')) rows.push(line.split('|')[1]!.trim());
  }
  return rows.slice(1);
}

/** A table row's cells by its name. */
function row(text: string, name: string): string[] | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`| ${name} `));
  return line?.split('|').slice(2, -1).map((c) => c.trim());
}

/** The ids of the h2 headings of report.html, in order. */
function sections(html: string): string[] {
  return [...html.matchAll(/<h2 id="([^"]+)"/g)].map((m) => m[1]!);
}

const REDELIVERY_ROWS = ['offline messages sent', 'expected', 'delivered', 'lost', 'not judged', 'redelivery p50 / p99', 'reconnect p50 / p99'];

describe('what a run measured', () => {
  it('is read from its phases: expiry, memory, redelivery', () => {
    assert.deepEqual([...measures(loadFixture('session-expiry').runs[0]!)], ['expiry']);
    assert.deepEqual([...measures(loadFixture('capacity').runs[0]!)], ['memory'], 'a publish nobody drains is no redelivery');
    assert.deepEqual([...measures(loadFixture('persistent-session').runs[0]!)], ['redelivery']);
    assert.deepEqual([...measures(loadFixture('aedes-quickstart').runs[1]!)], [], 'an unsupported run measured nothing');
  });
});

describe('summary.md leads with the answer', () => {
  it('session-expiry: the expiry figures and key counts as rows, no redelivery rows', () => {
    const result = loadFixture('session-expiry');
    const e = result.runs[0]!.expiry!;
    const text = renderSummary(result);
    assert.deepEqual(firstTableRows(text), [
      'verdict',
      'session',
      'expiry sessions',
      'expiry error p50 / p99',
      'expiry early / never',
      'expiry wills missing / contradicted',
      'detection p50 / p99',
      'probe boundary',
      'expiry methods agree',
      'harness / broker resolution',
    ]);
    assert.deepEqual(row(text, 'expiry sessions'), [`${e.sessions} (150 graceful, 150 partition)`]);
    assert.deepEqual(row(text, 'expiry error p50 / p99'), ['773 ms / 1.04 s']);
    for (const row of REDELIVERY_ROWS) assert.doesNotMatch(text, new RegExp(`^\\| ${row} `, 'm'), row);
  });

  it('capacity: memory per session and reclaim first, no redelivery rows', () => {
    const text = renderSummary(loadFixture('capacity'));
    assert.deepEqual(firstTableRows(text), ['verdict', 'session']);
    const memory = text.slice(text.indexOf('## Broker memory'));
    assert.deepEqual(firstTableRows(memory).slice(0, 3), ['heap: per session', 'heap: per queued message', 'heap: before → after wait']);
    assert.deepEqual(row(memory, 'heap: before → after wait'), ['4.94 MB → 4.94 MB, 0% back', '4.96 MB → 224 KB, 96% back']);
    for (const row of REDELIVERY_ROWS) assert.doesNotMatch(text, new RegExp(`^\\| ${row} `, 'm'), row);
  });

  it('a cut-and-drain run keeps its redelivery rows', () => {
    const rows = firstTableRows(renderSummary(loadFixture('persistent-session')));
    for (const row of REDELIVERY_ROWS) assert.ok(rows.includes(row), row);
    assert.ok(!rows.some((r) => r.startsWith('expiry ')));
  });

  it('a run whose sessions expired before their clients came back counts those messages in a row', () => {
    const result = loadFixture('persistent-session');
    result.runs[2]!.redelivery.expiredWithSession = 2500;
    assert.deepEqual(row(renderSummary(result), 'expired with their session'), ['0', '0', '2,500']);
  });
});

describe('report.html leads with the answer', () => {
  it('session-expiry: expiry right after the summary; no Messages, no empty latency boxes', () => {
    const html = renderHtml(loadFixture('session-expiry'));
    assert.deepEqual(sections(html), ['summary', 'expiry', 'verdicts', 'timeline', 'memory']);
    assert.doesNotMatch(html, /no samples in any run/);
    assert.match(html, /<td data-row="expiry sessions" data-run="5">300 \(150 graceful, 150 partition\)<\/td>/);
    assert.doesNotMatch(html, /data-row="delivered"/);
  });

  it('capacity: memory right after the summary; no Messages, no Latency', () => {
    const html = renderHtml(loadFixture('capacity'));
    assert.deepEqual(sections(html), ['summary', 'memory', 'verdicts', 'timeline']);
    assert.doesNotMatch(html, /data-row="offline messages sent"/);
  });

  it('a cut-and-drain run: messages, then the latency curves that have samples', () => {
    const html = renderHtml(loadFixture('persistent-session'));
    assert.deepEqual(sections(html), ['summary', 'messages', 'latency', 'verdicts', 'timeline']);
    assert.doesNotMatch(html, /data-chart="latency-e2e"/);
    assert.match(html, /No samples in any run: [^<]*end-to-end/i);
  });
});
