import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarise } from '../../../src/checks/latency.js';
import { newLatencyHistogram, recordMs } from '../../../src/metrics/histograms.js';
import { decode, valueAt } from '../../../src/report/distribution.js';
import { summaries } from '../../helpers/summaries.js';

describe('percentile summaries', () => {
  it('hold every percentile within the recorded min and max, though the HDR bucket reaches past max', () => {
    // session-expiry.yaml's detection delay: 12,494 ms lies in a bucket 8.192 ms wide whose
    // highest equivalent value is 12,500.991 ms, which getValueAtPercentile answers with.
    const h = newLatencyHistogram();
    recordMs(h, 5000);
    recordMs(h, 12_494);
    assert.equal(h.getValueAtPercentile(99), 12_500_991, 'the premise: the raw p99 lies past the max');
    const p = summarise(h).percentiles!;
    assert.deepEqual({ min: p.min, p90: p.p90, p99: p.p99, max: p.max, count: p.count }, { min: 5000, p90: 12_494, p99: 12_494, max: 12_494, count: 2 });
    assert.ok(p.p50 >= p.min && p.p50 <= p.p90, `p50 ${p.p50}`);
  });

  it('count a recorded 0 as the min', () => {
    const h = newLatencyHistogram();
    recordMs(h, 0);
    recordMs(h, 3);
    assert.equal(summarise(h).percentiles!.min, 0);
  });

  it('read the same bounds from a stored (decoded) histogram as reports do', () => {
    const h = newLatencyHistogram();
    for (const ms of [2, 4, 12_494]) recordMs(h, ms);
    const stored = decode(summarise(h).encoded)!;
    const at = [0, 50, 90, 99, 99.9, 100].map((q) => valueAt(stored, q));
    assert.deepEqual(at, [...at].sort((a, b) => a - b), 'ascending');
    assert.equal(at[0], 2);
    assert.equal(at.at(-1), stored.maxValue / 1000);
  });

  it('are found anywhere in a result and held to min ≤ p50 ≤ p90 ≤ p99 ≤ max', () => {
    const good = { min: 1, p50: 2, p90: 2, p99: 3, max: 3, count: 4 };
    const found = summaries({ runs: [{ latency: { e2e: good }, expiry: { detection: { ...good, p99: 3.5 } } }], other: { p50: 1, max: 2 } });
    assert.deepEqual(found.paths, ['$.runs[0].latency.e2e', '$.runs[0].expiry.detection', '$.other']);
    assert.deepEqual(found.wrong, ['$.runs[0].expiry.detection: min 1, p50 2, p90 2, p99 3.5, max 3', '$.other: min undefined, p50 1, p90 undefined, p99 undefined, max 2']);
  });
});
