import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExpression, parseTolerance, withinTolerance, type Tolerance } from '../../../src/checks/expression.js';
import { METRICS } from '../../../src/checks/metric-names.js';
import { compareResults, type Comparison, type MetricRow } from '../../../src/report/compare.js';
import { betterOf, BETTER, DISTRIBUTION_METRICS, parseToleranceFlag, tolerancesInForce } from '../../../src/report/compare-metrics.js';
import { renderComparison } from '../../../src/report/compare-render.js';
import type { Result } from '../../../src/result/result.js';
import { baseline, BASELINE_RUN, equal, improved, regressed } from './compare-cases.js';

const options = { better: betterOf, extraMetrics: DISTRIBUTION_METRICS };

function tolerance(text: string): Tolerance {
  const parsed = parseTolerance(text, options);
  assert.ok(!('error' in parsed), `${text}: ${JSON.stringify(parsed)}`);
  return parsed;
}

describe('parseTolerance: the expect syntax, plus the baseline', () => {
  it('reads a fixed bound exactly as a scenario expectation does', () => {
    const t = tolerance('redelivery.latency.p99 < 2s');
    assert.deepEqual({ op: t.op, against: t.against, value: t.value, unit: t.unit }, { op: '<', against: 'value', value: 2000, unit: 'ms' });
    assert.equal(tolerance('redelivery.offlineDeliveredRatio >= 99%').value, 0.99);
  });

  it('reads bounds relative to the baseline: a share with %, an amount in the metric\'s unit', () => {
    const cases: [string, Partial<Tolerance>][] = [
      ['redelivery.latency.p99 <= baseline + 10%', { op: '<=', against: 'baseline', value: 0.1, relative: true }],
      ['redelivery.lost <= baseline', { op: '<=', against: 'baseline', value: 0, relative: false }],
      ['reconnect.time.p50 <= baseline+200ms', { op: '<=', against: 'baseline', value: 200, relative: false }],
      ['redelivery.delivered >= baseline - 1%', { op: '>=', against: 'baseline', value: -0.01, relative: true }],
      ['redelivery.offlineDeliveredRatio >= baseline - 0.05', { op: '>=', against: 'baseline', value: -0.05, relative: false }],
      ['redelivery.expected == baseline', { op: '==', against: 'baseline', value: 0 }],
    ];
    for (const [text, expected] of cases) {
      const t = tolerance(text);
      for (const [k, v] of Object.entries(expected)) assert.equal(t[k as keyof Tolerance], v, `${text}: ${k}`);
    }
  });

  it('reads the shorthand +amount as the change allowed in the metric\'s bad direction', () => {
    assert.deepEqual(pick(tolerance('redelivery.latency.p99 +10%')), { op: '<=', against: 'baseline', value: 0.1, relative: true });
    assert.deepEqual(pick(tolerance('redelivery.lost +0')), { op: '<=', against: 'baseline', value: 0, relative: false });
    assert.deepEqual(pick(tolerance('redelivery.latency.p50 +1.5ms')), { op: '<=', against: 'baseline', value: 1.5, relative: false });
    assert.deepEqual(pick(tolerance('redelivery.offlineDeliveredRatio +2%')), { op: '>=', against: 'baseline', value: -0.02, relative: true });
    assert.deepEqual(pick(tolerance('redelivery.latency.ksWorse <= 10%')), { op: '<=', against: 'value', value: 0.1, relative: false });
  });

  it('says what is wrong in one line, with the column', () => {
    const cases: [string, string, number][] = [
      ['', 'empty tolerance: write e.g. "redelivery.latency.p99 +10%"', 1],
      ['redelivery.latency.p98 +10%', 'unknown metric "redelivery.latency.p98" (did you mean "redelivery.latency.p90"?)', 1],
      ['redelivery.latency.p99 -10%', 'write the change allowed in the bad direction with +, e.g. "redelivery.latency.p99 +10%"', 24],
      ['redelivery.expected +0', 'redelivery.expected is neither better lower nor higher: write the comparison, e.g. "redelivery.expected == baseline"', 21],
      ['redelivery.latency.p99 +10', 'redelivery.latency.p99 is a duration: add a unit such as 2s', 25],
      ['redelivery.lost +1s', 'redelivery.lost is a count: remove the unit "s"', 19],
      ['redelivery.latency.p99 +', 'expected an amount, e.g. 10% or 0', 25],
      ['redelivery.latency.p99 = baseline', 'expected an operator (== != < <= > >=) or a change (+10%) after redelivery.latency.p99 (use == to compare)', 24],
      ['redelivery.latency.p99 <= baseline * 2', 'unexpected "* 2" after the value', 36],
      ['redelivery.latency.p99 10%', 'expected an operator (== != < <= > >=) or a change (+10%) after redelivery.latency.p99', 24],
      ['redelivery.latency.ks +0.1', 'redelivery.latency.ks compares two runs: give a fixed bound, e.g. "redelivery.latency.ks <= 0.1"', 23],
      ['redelivery.latency.ks <= baseline', 'redelivery.latency.ks compares two runs: it has no baseline value; give a fixed bound, e.g. "redelivery.latency.ks <= 0.1"', 26],
    ];
    for (const [text, error, column] of cases) assert.deepEqual(parseTolerance(text, options), { error, column }, text);
  });

  it('keeps the baseline out of a scenario\'s expectations, with a line that says where it belongs', () => {
    const message = 'a value relative to a baseline (baseline, +10%) belongs in a compare --tolerance: here write a fixed value';
    assert.deepEqual(parseExpression('redelivery.latency.p99 <= baseline + 10%'), { error: message, column: 27 });
    assert.deepEqual(parseExpression('redelivery.lost == +0'), { error: message, column: 20 });
    assert.deepEqual(parseExpression('redelivery.lost == 0'), { metric: 'redelivery.lost', op: '==', value: 0, unit: 'count', source: 'redelivery.lost == 0' });
  });

  it('holds the current value against the bound: relative to the baseline, or fixed', () => {
    assert.equal(withinTolerance(tolerance('redelivery.latency.p99 +10%'), 100, 110), true);
    assert.equal(withinTolerance(tolerance('redelivery.latency.p99 +10%'), 100, 110.01), false);
    assert.equal(withinTolerance(tolerance('redelivery.lost +0'), 0, 0), true);
    assert.equal(withinTolerance(tolerance('redelivery.lost +0'), 0, 1), false);
    assert.equal(withinTolerance(tolerance('redelivery.delivered >= baseline - 1%'), 1000, 990), true);
    assert.equal(withinTolerance(tolerance('redelivery.delivered >= baseline - 1%'), 1000, 989), false);
    assert.equal(withinTolerance(tolerance('redelivery.latency.p99 < 2s'), null, 1999), true);
    assert.equal(withinTolerance(tolerance('redelivery.latency.p99 +10%'), null, 5), null, 'no baseline value: cannot tell');
    assert.equal(withinTolerance(tolerance('redelivery.latency.p99 +10%'), 5, null), null, 'no current value: cannot tell');
  });

  it('has a direction for every catalog metric, and defaults only where the spec forbids growth', () => {
    assert.deepEqual(Object.keys(BETTER).sort(), Object.keys(METRICS).sort());
    assert.deepEqual(tolerancesInForce([], true).map((t) => t.tolerance.source), ['redelivery.lost +0', 'redelivery.qos2Duplicates +0', 'redelivery.unexpected +0', 'reconnect.missing +0']);
    const given = tolerancesInForce(['redelivery.lost <= baseline + 5'], true);
    assert.deepEqual(given.map((t) => [t.tolerance.source, t.isDefault]).slice(0, 2), [['redelivery.lost <= baseline + 5', false], ['redelivery.qos2Duplicates +0', true]]);
    assert.equal(tolerancesInForce([], false).length, 0);
    assert.throws(() => parseToleranceFlag('redelivery.lots +0'), /^HarnessError: --tolerance "redelivery.lots \+0": unknown metric "redelivery.lots" \(did you mean "redelivery.lost"\?\) \(column 1\)$/);
  });
});

function pick(t: Tolerance): Pick<Tolerance, 'op' | 'against' | 'value' | 'relative'> {
  return { op: t.op, against: t.against, value: t.value, relative: t.relative };
}

function compare(current: Result, flags: string[] = ['redelivery.latency.p99 +10%']): Comparison {
  return compareResults([{ file: 'baseline.json', result: baseline() }], { file: 'current.json', result: current }, tolerancesInForce(flags, true));
}

function metric(c: Comparison, run: string, name: string): MetricRow {
  const row = c.runs.find((r) => r.id === run)!.metrics.find((m) => m.metric === name);
  assert.ok(row, `${run} ${name}`);
  return row;
}

describe('compareResults', () => {
  it('equal results: every metric the same, every distribution the same, no regression', () => {
    const c = compare(equal());
    assert.deepEqual(c.regressions, []);
    assert.deepEqual(c.runs.map((r) => r.id), ['3.1.1-cleansession-0', '5-no-expiry', '5-expiry-3600']);
    for (const run of c.runs) {
      for (const m of run.metrics) assert.ok(m.direction === 'same' || m.direction === 'n/a', `${run.id} ${m.metric}: ${m.direction}`);
      for (const d of run.distributions) assert.deepEqual([d.ks, d.direction], [0, 'same']);
    }
    assert.equal(metric(c, BASELINE_RUN, 'redelivery.latency.p99').status, 'ok');
  });

  it('an improved result: lower latency and fewer failed connects read as better, no regression', () => {
    const c = compare(improved());
    assert.deepEqual(c.regressions, []);
    const p99 = metric(c, BASELINE_RUN, 'redelivery.latency.p99');
    assert.equal(p99.direction, 'better');
    assert.ok(p99.change! < 0 && Math.abs(p99.relative! + 0.3) < 0.01, `about -30%: ${p99.relative}`);
    assert.equal(metric(c, BASELINE_RUN, 'connect.failed').direction, 'better');
    assert.equal(metric(c, BASELINE_RUN, 'redelivery.lost').direction, 'same');
    const shape = c.runs.find((r) => r.id === BASELINE_RUN)!.distributions.find((d) => d.metric === 'redelivery.latency')!;
    assert.equal(shape.direction, 'better');
    assert.ok(shape.ks > shape.critical && shape.ksWorse < shape.ksBetter);
  });

  it('a regressed result: the verdict, the lost messages and the slower p99 each make a regression line', () => {
    const c = compare(regressed());
    assert.deepEqual(c.regressions, [
      '3.1.1-cleansession-0: redelivery.latency.p99 5.59 ms → 8.39 ms, outside redelivery.latency.p99 +10%',
      '5-expiry-3600: verdict PASS → FAIL',
      '5-expiry-3600: redelivery.lost 0 → 25, outside redelivery.lost +0 (default)',
      '5-expiry-3600: redelivery.latency.p99 12.9 ms → 19.3 ms, outside redelivery.latency.p99 +10%',
    ]);
    const lost = metric(c, BASELINE_RUN, 'redelivery.lost');
    assert.deepEqual([lost.change, lost.direction, lost.limit, lost.status], [25, 'worse', 0, 'regression']);
    assert.equal(metric(c, BASELINE_RUN, 'redelivery.delivered').direction, 'worse', 'fewer delivered is worse');
    const shape = c.runs.find((r) => r.id === BASELINE_RUN)!.distributions.find((d) => d.metric === 'redelivery.latency')!;
    assert.equal(shape.direction, 'worse');
    assert.ok(shape.ksWorse > shape.critical, `${shape.ksWorse} > ${shape.critical}`);
    assert.ok(shape.quantiles.every((q) => q.current >= q.baseline), 'the whole curve moved up');
  });

  it('gates on the shape of a distribution with .ksWorse, without a percentile tolerance', () => {
    const c = compare(regressed(), ['redelivery.latency.ksWorse <= 5%']);
    const distance = c.runs.find((r) => r.id === '3.1.1-cleansession-0')!.distances[0]!;
    assert.equal(distance.metric, 'redelivery.latency.ksWorse');
    assert.equal(distance.status, 'regression');
    assert.ok(c.regressions.some((r) => r.startsWith('3.1.1-cleansession-0: redelivery.latency.ksWorse ')));
    const within = compare(improved(), ['redelivery.latency.ksWorse <= 5%']);
    assert.deepEqual(within.regressions, [], 'faster is not worse');
  });

  it('matches runs by id: a run missing from the current result is a regression, a new one is listed', () => {
    const current = equal();
    const dropped = current.runs.splice(1, 1)[0]!;
    current.runs.push({ ...dropped, id: 'new-run' });
    const c = compare(current);
    assert.deepEqual(c.onlyInBaseline, ['5-no-expiry']);
    assert.deepEqual(c.onlyInCurrent, ['new-run']);
    assert.deepEqual(c.regressions, ['5-no-expiry: in the baseline, missing from the current result']);
  });
});

describe('renderComparison', () => {
  it('prints a table per run with baseline, current, change, direction, tolerance and status', () => {
    const text = renderComparison(compare(regressed()));
    assert.match(text, /^\| redelivery\.lost +\| +0 \| +25 \| +\+25 \| worse \| redelivery\.lost \+0 \(<= 0\) \(default\) +\| REGRESSION \|$/m);
    assert.match(text, /^\| verdict +\| +PASS \| +FAIL \| +\| worse +\| +\| REGRESSION \|$/m);
    assert.match(text, /^\| redelivery\.latency\.p99 +\| +12\.9 ms \| +19\.3 ms \| +\+6\.44 ms \(\+50%\) \| worse \| redelivery\.latency\.p99 \+10% \(<= 14\.2 ms\) +\| REGRESSION \|$/m);
    assert.match(text, /^\| redelivery\.latency \| 20,000 → 20,000 \| 0\.351 ms → 0\.527 ms \(\+50%\) \|.*\| worse: D > 0\.016, largest gap at .* \|$/m);
    assert.match(text, /^4 regressions:\n- 3\.1\.1-cleansession-0: /m);
    assert.match(renderComparison(compare(equal())), /\nno regression\n$/);
  });

  it('--markdown: the verdict first, what changed, then every run folded', () => {
    const md = renderComparison(compare(regressed()), { markdown: true });
    assert.match(md, /^### mqtt-chaos compare: persistent-session\n\n❌ \*\*4 regressions\*\* against the baseline\n\n- 3\.1\.1-cleansession-0: redelivery\.latency\.p99 /);
    assert.match(md, /\*\*What got better or worse\*\*\n\n\| run +\| metric/);
    assert.match(md, /^\| 5-expiry-3600 +\| redelivery\.lost +\| +0 \| +25 \| +\+25 \| worse \|/m);
    assert.match(md, /<details><summary>5 Clean Start=0, expiry 3600 \(5-expiry-3600\): PASS → FAIL<\/summary>/);
    assert.equal(md.match(/<details>/g)?.length, 3);
    const ok = renderComparison(compare(equal()), { markdown: true });
    assert.match(ok, /✅ \*\*no regression\*\* against the baseline/);
    assert.match(ok, /No metric got better or worse\./);
  });
});
