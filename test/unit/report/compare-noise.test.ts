/**
 * A compare that knows noise: absolute floors for sub-millisecond figures, a distribution
 * test that weighs sample sizes, and several baselines whose spread is the noise band.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withinTolerance } from '../../../src/checks/expression.js';
import { encodeHistogram, newLatencyHistogram } from '../../../src/metrics/histograms.js';
import { compareResults, type Comparison, type MetricRow } from '../../../src/report/compare.js';
import { parseToleranceFlag, tolerancesInForce } from '../../../src/report/compare-metrics.js';
import { renderComparison } from '../../../src/report/compare-render.js';
import { ALPHA, compareDistributions, decode, ksCritical } from '../../../src/report/distribution.js';
import type { Result } from '../../../src/result/result.js';
import { BASELINE_RUN, equal } from './compare-cases.js';

/** A seeded log-normal sample (µs), as latencies are: most small, a long tail. */
function sample(n: number, seed: number, scale = 1): string {
  let s = seed;
  const uniform = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  const histogram = newLatencyHistogram();
  for (let i = 0; i < n; i++) {
    const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    histogram.recordValue(Math.round(300 * scale * Math.exp(0.8 * normal)));
  }
  return encodeHistogram(histogram);
}

function withRedelivery(p99: number, histogram?: string): Result {
  const result = equal();
  const run = result.runs.find((r) => r.id === BASELINE_RUN)!;
  run.redelivery.latency = { ...run.redelivery.latency!, p99 };
  if (histogram !== undefined) run.histograms.redelivery = histogram;
  return result;
}

function compare(baselines: Result[], current: Result, flags: string[]): Comparison {
  return compareResults(baselines.map((result, i) => ({ file: `b${i}.json`, result })), { file: 'current.json', result: current }, tolerancesInForce(flags, true));
}

function p99(c: Comparison): MetricRow {
  return c.runs.find((r) => r.id === BASELINE_RUN)!.metrics.find((m) => m.metric === 'redelivery.latency.p99')!;
}

describe('absolute tolerances', () => {
  it('+2ms and <= baseline + 2ms are a floor in ms, whatever the baseline', () => {
    for (const text of ['redelivery.latency.p99 +2ms', 'redelivery.latency.p99 <= baseline + 2ms', 'redelivery.latency.p99 <= baseline + 0.002s']) {
      const t = parseToleranceFlag(text);
      assert.deepEqual([t.value, t.relative], [2, false], text);
      assert.equal(withinTolerance(t, 1.1, 1.7), true, `${text}: 1.1 → 1.7 ms (+55%) is noise`);
      assert.equal(withinTolerance(t, 1.1, 3.2), false, `${text}: 1.1 → 3.2 ms is not`);
    }
  });

  it('a bad amount is one line with its column', () => {
    assert.throws(() => parseToleranceFlag('redelivery.latency.p99 +2'), /^HarnessError: --tolerance "redelivery\.latency\.p99 \+2": redelivery\.latency\.p99 is a duration: add a unit such as 2s \(column 25\)$/);
    assert.throws(() => parseToleranceFlag('redelivery.latency.p99 +2ms ms'), /unexpected "ms" after the value \(column 29\)$/);
  });
});

describe('the distribution test weighs sample sizes', () => {
  it('uses the KS critical value c(α)·√((n+m)/(n·m)) at α = 0.01', () => {
    assert.equal(ALPHA, 0.01);
    assert.ok(Math.abs(ksCritical(1000, 1000, 'two') - 1.628 * Math.sqrt(2 / 1000)) < 1e-3);
    assert.ok(Math.abs(ksCritical(1000, 1000, 'one') - 1.517 * Math.sqrt(2 / 1000)) < 1e-3);
  });

  it('two samples of one distribution, sizes 200 and 5,000, are not worse', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const d = compareDistributions(decode(sample(200, seed))!, decode(sample(5000, seed + 100))!);
      assert.ok(d.slower <= d.criticalSlower, `seed ${seed}: ${d.slower} <= ${d.criticalSlower}`);
      assert.ok(d.ks <= d.critical, `seed ${seed}: ${d.ks} <= ${d.critical}`);
    }
  });

  it('a sample 60% slower is worse, and significant', () => {
    const d = compareDistributions(decode(sample(200, 1))!, decode(sample(5000, 101, 1.6))!);
    assert.ok(d.slower > d.criticalSlower && d.slower > d.faster, JSON.stringify(d));
  });

  it('.ksWorse gates only a significant move: a small sample over its bound by chance is ok', () => {
    const flags = ['redelivery.latency.ksWorse <= 1%'];
    const same = compare([withRedelivery(5, sample(200, 7))], withRedelivery(5, sample(5000, 8)), flags);
    const row = same.runs.find((r) => r.id === BASELINE_RUN)!.distances[0]!;
    assert.ok(row.current! > 0.01, `over the 1% bound by chance: ${row.current}`);
    assert.equal(row.status, 'ok');
    assert.match(row.tolerance!, /^redelivery\.latency\.ksWorse <= 1% and significant \(> 0\.\d{3} at α = 0\.01\)$/);
    const slower = compare([withRedelivery(5, sample(200, 7))], withRedelivery(5, sample(5000, 8, 1.6)), flags);
    assert.equal(slower.runs.find((r) => r.id === BASELINE_RUN)!.distances[0]!.status, 'regression');
    assert.match(renderComparison(slower), /shape \(α = 0\.01\)/);
  });
});

describe('several baselines: the noise band', () => {
  const baselines = () => [withRedelivery(1.1), withRedelivery(1.7), withRedelivery(3.4)];

  it('a value inside the band is the same, its change 0, shown as the band', () => {
    const row = p99(compare(baselines(), withRedelivery(2), ['redelivery.latency.p99 +2ms']));
    assert.deepEqual([row.band, row.baseline, row.change, row.direction, row.status], [[1.1, 3.4], 2, 0, 'same', 'ok']);
    assert.match(renderComparison(compare(baselines(), withRedelivery(2), [])), /^\| redelivery\.latency\.p99 +\| 1\.1 ms\.\.3\.4 ms \| +2 ms \| within band \| same \|/m);
  });

  it('a tolerance holds against the band edge: +2ms is 2 ms above the highest baseline', () => {
    const near = p99(compare(baselines(), withRedelivery(5.4), ['redelivery.latency.p99 +2ms']));
    assert.deepEqual([near.limit, near.change, near.direction, near.status], [5.4, 2, 'worse', 'ok']);
    const c = compare(baselines(), withRedelivery(5.5), ['redelivery.latency.p99 +2ms']);
    assert.equal(p99(c).status, 'regression');
    assert.ok(c.regressions.includes(`${BASELINE_RUN}: redelivery.latency.p99 1.1 ms..3.4 ms → 5.5 ms, outside redelivery.latency.p99 +2ms`), c.regressions.join('\n'));
  });

  it('a verdict regresses only when every baseline passed', () => {
    const failing = withRedelivery(1.1);
    failing.runs.find((r) => r.id === BASELINE_RUN)!.verdict = 'fail';
    const current = withRedelivery(1.1);
    current.runs.find((r) => r.id === BASELINE_RUN)!.verdict = 'fail';
    assert.deepEqual(compare([withRedelivery(1.1), failing], current, []).regressions, []);
    assert.deepEqual(compare([withRedelivery(1.1)], current, []).regressions, [`${BASELINE_RUN}: verdict PASS → FAIL`]);
  });
});
