/**
 * report.html opened from disk in a real headless browser — Debian's Chromium driven by
 * playwright-core (never a downloaded browser): the charts draw, nothing is fetched, no
 * console errors, the numbers on the page are result.json's, and strings from the result
 * cannot become markup or script. Screenshots go to <tmpdir>/mqtt-chaos-test-output/
 * report-html/ (kept as test output; each run overwrites them); with
 * UPDATE_DOCS_SCREENSHOT=1 the first one is also written to docs/report.png for the README.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { count, duration } from '../../src/checks/words.js';
import { renderHtml } from '../../src/report/html/page.js';
import type { Result } from '../../src/result/result.js';
import { loadFixture } from '../unit/report/fixtures.js';
import { requireChromium } from '../helpers/requires.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUT = join(tmpdir(), 'mqtt-chaos-test-output', 'report-html');
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../../docs/report.png', import.meta.url));
const skip = requireChromium(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

interface Opened {
  page: Page;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Every URL the page asked for. */
  requests: string[];
  url: string;
}

describe('report.html in headless Chromium', { skip }, () => {
  let browser: Browser | undefined;

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
  });

  async function open(t: { after(fn: () => unknown): void }, name: string, result: Result): Promise<Opened> {
    const file = join(OUT, `${name}.html`);
    writeFileSync(file, renderHtml(result));
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
    t.after(() => context.close());
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: 'load' });
    return { page, errors, requests, url };
  }

  /** Each drawn chart's canvas size and how many of its pixels are painted. */
  async function canvases(page: Page): Promise<{ width: number; height: number; painted: number }[]> {
    return (await page.evaluate(`[...document.querySelectorAll('.plot canvas')].map((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
      return { width: c.width, height: c.height, painted };
    })`)) as { width: number; height: number; painted: number }[];
  }

  async function cell(page: Page, selector: string): Promise<{ text: string; value: string | null }> {
    const locator = page.locator(selector);
    assert.equal(await locator.count(), 1, `one element ${selector}`);
    return { text: ((await locator.textContent()) ?? '').trim(), value: await locator.getAttribute('data-value') };
  }

  test('persistent-session: every chart draws, offline, no console errors, the numbers are result.json\'s', async (t) => {
    const result = loadFixture('persistent-session');
    const { page, errors, requests, url } = await open(t, 'persistent-session', result);

    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(requests, [url], 'the page fetched nothing but itself');
    assert.equal(await page.title(), 'mqtt-chaos: persistent-session');

    // Two latency charts have samples (redelivery, reconnect); e2e has none in any run.
    assert.equal(await page.getAttribute('body', 'data-charts'), '2', 'the script drew every chart');
    const drawn = await canvases(page);
    assert.equal(drawn.length, 2);
    for (const c of drawn) {
      assert.ok(c.width > 300 && c.height > 200, `canvas ${c.width}×${c.height}`);
      assert.ok(c.painted > 2000, `the canvas is drawn on (${c.painted} pixels)`);
    }
    for (const svg of ['svg.bars', 'svg.timeline']) {
      const box = await page.locator(svg).boundingBox();
      assert.ok(box && box.width > 500 && box.height > 100, `${svg} has a size: ${JSON.stringify(box)}`);
    }
    // The curve with no samples gets no box of its own, only a line saying so.
    assert.equal(await page.locator('#latency ~ .chart-box').count(), 2);
    assert.match((await page.locator('#latency ~ p.empty').textContent()) ?? '', /^No samples in any run: .*end-to-end/i);

    // Each chart's legend names the runs with samples: v3.1.1 beside v5.
    const legends = await page.locator('.u-legend').allTextContents();
    assert.equal(legends.length, 2);
    assert.match(legends[0]!, /3\.1\.1 CleanSession=0.*5 Clean Start=0, expiry 3600/s);
    assert.doesNotMatch(legends[0]!, /no expiry/, 'the v5 run without expiry redelivered nothing');
    assert.match(legends[1]!, /3\.1\.1 CleanSession=0.*5 Clean Start=0, no expiry.*5 Clean Start=0, expiry 3600/s);

    for (const run of result.runs) {
      const at = `[data-run="${run.id}"]`;
      assert.equal((await cell(page, `td[data-row="verdict"]${at}`)).text, run.verdict.toUpperCase());
      assert.equal((await cell(page, `td[data-row="expected"]${at}`)).text, count(run.redelivery.expected));
      assert.equal((await cell(page, `td[data-row="delivered"]${at}`)).text, count(run.redelivery.delivered));
      assert.equal((await cell(page, `td[data-row="lost"]${at}`)).text, count(run.redelivery.lost));
      for (const [metric, stats] of [
        ['redelivery.latency', run.redelivery.latency],
        ['reconnect.time', run.reconnect.time],
      ] as const) {
        for (const p of ['p50', 'p90', 'p99', 'max'] as const) {
          const selector = `td[data-metric="${metric}.${p}"]${at}`;
          if (!stats) {
            assert.equal(await page.locator(selector).count(), 0, `no ${metric} numbers for ${run.id}`);
            continue;
          }
          const shown = await cell(page, selector);
          assert.equal(shown.value, String(stats[p]), `${selector}: the value in result.json`);
          assert.equal(shown.text, duration(stats[p]), `${selector}: printed as the summary prints it`);
        }
      }
      for (const [category, value] of [
        ['delivered', run.redelivery.delivered],
        ['lost', run.redelivery.lost],
        ['duplicates', run.redelivery.duplicates],
        ['unexpected', run.redelivery.unexpected],
      ] as const) {
        const bar = page.locator(`svg.bars g.bar[data-category="${category}"][data-run="${run.label}"]`);
        assert.equal(await bar.getAttribute('data-value'), String(value));
        assert.equal((await bar.locator('text').textContent())?.trim(), count(value));
      }
      for (const check of run.checks) {
        const shown = await cell(page, `td[data-check="${check.name}"]${at}`);
        assert.ok(shown.text.startsWith(check.passed ? '✓' : '✗'), `${run.id} ${check.name}: ${shown.text}`);
      }
    }
    const failedCard = await page.locator('section.card[data-run="5-no-expiry"] ul.failed').textContent();
    assert.match(failedCard ?? '', /redelivery\.offlineDeliveredRatio == 100%: .*Session Expiry Interval 0/);
    // Phases and the fault of every run on the timeline.
    assert.equal(await page.locator('svg.timeline g.phase').count(), result.runs.reduce((n, r) => n + r.timeline.filter((e) => e.kind === 'phase-start').length, 0));
    assert.equal(await page.locator('svg.timeline g.fault').count(), result.runs.length);

    // The legend follows the cursor: hovering the redelivery chart shows values.
    const over = page.locator('.plot').first().locator('.u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    assert.match((await page.locator('.u-legend').first().textContent()) ?? '', /\d ms/);

    const shot = join(OUT, 'persistent-session.png');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      mkdirSync(join(DOCS_SCREENSHOT, '..'), { recursive: true });
      // The top of the page: the summary, the checks, the outcome bars, the redelivery curves.
      await page.setViewportSize({ width: 1100, height: 900 });
      await page.screenshot({ path: DOCS_SCREENSHOT, fullPage: true, clip: { x: 0, y: 0, width: 1100, height: 2350 } });
      t.diagnostic(`README screenshot: ${DOCS_SCREENSHOT}`);
    }
    assert.deepEqual(errors, [], 'still no console errors');
  });

  test('runs a broker could not do: marked not run, no numbers, the other run still charted', async (t) => {
    const result = loadFixture('aedes-quickstart');
    const { page, errors } = await open(t, 'aedes-quickstart', result);
    assert.deepEqual(errors, []);
    assert.equal(await page.getAttribute('body', 'data-charts'), '2');
    const v5 = result.runs[1]!;
    assert.equal((await cell(page, `td[data-row="verdict"][data-run="${v5.id}"]`)).text, 'UNSUPPORTED');
    assert.equal((await cell(page, `td[data-row="delivered"][data-run="${v5.id}"]`)).text, '–');
    assert.equal(await page.locator(`svg.bars g.bar[data-run="${v5.label}"][data-category="delivered"]`).getAttribute('data-value'), '');
    assert.match((await page.locator(`section.card[data-run="${v5.id}"]`).textContent()) ?? '', /Not run.*does not support MQTT 5/s);
    assert.equal(await page.locator('.u-legend').first().locator('.u-series').count(), 2, 'x and the one 3.1.1 run');
    await page.screenshot({ path: join(OUT, 'aedes-quickstart.png'), fullPage: true });
  });

  test('lost messages: the bars and the loss causes say how many and why', async (t) => {
    const result = loadFixture('queue-limit');
    const { page, errors } = await open(t, 'queue-limit', result);
    assert.deepEqual(errors, []);
    const run = result.runs[0]!;
    assert.equal(await page.locator(`svg.bars g.bar[data-category="lost"][data-run="${run.label}"]`).getAttribute('data-value'), String(run.redelivery.lost));
    assert.match((await page.locator('#messages ~ ul').first().textContent()) ?? '', /3\.1\.1 CleanSession=0: lost 1,200 queue-limit/);
    assert.match((await page.locator(`section.card[data-run="${run.id}"] ul.failed`).textContent()) ?? '', /max_queued_messages is 4/);
    await page.screenshot({ path: join(OUT, 'queue-limit.png'), fullPage: true });
  });

  test('strings from the result stay text: no markup, no script from a scenario name, label or check', async (t) => {
    const result = loadFixture('persistent-session');
    result.scenario.name = '<img src=x onerror="window.__pwned=1">';
    result.scenario.description = '</script><script>window.__pwned=2</script>';
    result.runs[0]!.label = '"><svg onload="window.__pwned=3"></svg>';
    result.runs[0]!.id = 'x"><b>id</b>';
    result.runs[1]!.checks[0]!.name = '<iframe src="javascript:window.__pwned=4"></iframe>';
    result.runs[1]!.explanations = ['<style>body{display:none}</style>'];
    result.runs[2]!.notes = ['\u2028</script><script>window.__pwned=5</script>'];
    const { page, errors } = await open(t, 'injection', result);
    assert.deepEqual(errors, [], 'nothing was even attempted (a blocked script would log a CSP error)');
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('img, iframe, main b, main style, main script').count(), 0, 'no element came from the strings');
    assert.equal(await page.locator('svg[onload]').count(), 0);
    assert.equal(await page.locator('h1').textContent(), 'mqtt-chaos: <img src=x onerror="window.__pwned=1">');
    assert.equal(await page.locator('p.lead').textContent(), '</script><script>window.__pwned=2</script>');
    assert.equal(await page.title(), 'mqtt-chaos: <img src=x onerror="window.__pwned=1">');
    assert.match((await page.locator('.u-legend').first().textContent()) ?? '', /"><svg onload="window.__pwned=3"><\/svg>/, 'the chart legend shows the label as text');
    assert.equal(await page.getAttribute('body', 'data-charts'), '2', 'the charts still draw');
    assert.ok(await page.locator('body').isVisible());
  });

  test('broker memory (a real capacity run): figures side by side, memory over time per probe', async (t) => {
    const result = loadFixture('capacity');
    const { page, errors } = await open(t, 'capacity', result);
    assert.deepEqual(errors, []);
    assert.equal(await page.locator('h2#memory').count(), 1);
    assert.equal(await page.locator('h2#expiry').count(), 0, 'no expiry section without expiry in the result');
    for (const run of result.runs) {
      const heap = run.memory!.figures['sys-heap']!;
      const perSession = await cell(page, `td[data-memory="sys-heap.perSession"][data-run="${run.id}"]`);
      assert.equal(perSession.text, `${count(Math.round(heap.perSession!))} B`);
    }
    const reclaimed = result.runs[1]!.memory!.figures['sys-heap']!.reclaimedAfterExpiry!;
    assert.equal((await cell(page, 'td[data-memory="sys-heap.reclaimedAfterExpiry"][data-run="5-expiry-15s"]')).text, `${count(Math.round(reclaimed * 1000) / 10)}%`);
    assert.equal(await page.getAttribute('body', 'data-charts'), '2', 'heap and RSS over time (nothing was redelivered, no fault)');
    const drawn = await canvases(page);
    assert.equal(drawn.length, 2);
    assert.ok(drawn.every((c) => c.painted > 1000));
    const legends = await page.locator('#memory ~ .chart-box .u-legend').allTextContents();
    assert.match(legends[0]!, /3\.1\.1 CleanSession=0.*5 Clean Start=0, expiry 15 s/s, 'v3.1.1 beside v5');
    await page.screenshot({ path: join(OUT, 'capacity.png'), fullPage: true });
    const plain = await open(t, 'no-extras', loadFixture('persistent-session'));
    assert.equal(await plain.page.locator('h2#memory, h2#expiry').count(), 0, 'nothing rendered for fields that do not exist');
  });

  test('a ramp (a real capacity-ramp run): the knee, a row per step, a curve per expectation over the steps with its SLO line', async (t) => {
    const result = loadFixture('capacity-ramp');
    const { page, errors } = await open(t, 'capacity-ramp', result);
    assert.deepEqual(errors, []);
    assert.match((await page.locator('#ramp ~ p.finding').textContent()) ?? '', /^knee between 200 sessions \(held\) and 400 sessions \(broke\)/);
    assert.equal(await page.locator('table.ramp tbody tr').count(), 4);
    const plots = page.locator('.plot[data-chart^="ramp-"]');
    assert.equal(await plots.count(), 4, 'one curve per expectation');
    const legend = (await page.locator('.plot[data-chart="ramp-0"] .u-legend').textContent()) ?? '';
    assert.match(legend, /memory\.peak.*SLO <= 8 MB/s, 'the curve and its SLO line');
    const axis = (await page.locator('.plot[data-chart="ramp-0"] .u-axis').first().textContent()) ?? '';
    assert.doesNotMatch(axis, / s\b/, 'the x axis counts sessions, not seconds');
    const drawn = await canvases(page);
    assert.ok(drawn.length >= 4 && drawn.every((c) => c.painted > 1000), JSON.stringify(drawn));
    await page.locator('h2#ramp').screenshot({ path: join(OUT, 'capacity-ramp.png') });
  });

  test('session expiry (a real run): the figures, error and detection curves, survival curves of both methods', async (t) => {
    const result = loadFixture('session-expiry');
    const { page, errors } = await open(t, 'session-expiry', result);
    assert.deepEqual(errors, []);
    const expiry = result.runs[0]!.expiry!;
    assert.equal(await page.locator('h2#expiry').count(), 1);
    assert.equal((await cell(page, 'td[data-expiry="sessions"]')).text, count(expiry.sessions));
    assert.equal((await cell(page, 'td[data-expiry="error p50 / p99"]')).text, `${duration(expiry.error!.p50)} / ${duration(expiry.error!.p99)}`);
    assert.equal((await cell(page, 'td[data-expiry="ended early"]')).text, count(expiry.early));
    assert.equal((await cell(page, 'td[data-expiry="methods agree"]')).text, expiry.agreement.agree ? 'yes' : 'no');
    // Error and detection curves, the survival curves; plus whatever latency the run had.
    assert.equal(await page.locator('#expiry ~ .chart-box [data-chart]').count(), 3);
    const survival = (await page.locator('[data-chart="expiry-survival"] .u-legend').textContent()) ?? '';
    assert.match(survival, /devices graceful: probes.*devices graceful: wills.*devices partition: probes.*devices partition: wills/s);
    const drawn = await canvases(page);
    assert.ok(drawn.length >= 3 && drawn.every((c) => c.painted > 1000), JSON.stringify(drawn));
    await page.screenshot({ path: join(OUT, 'session-expiry.png'), fullPage: true });
  });
});
